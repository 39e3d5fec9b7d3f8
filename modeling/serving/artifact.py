"""The model artifact: ModelBundle, versioned folders under MODEL_DIR, atomic save and `latest` switch."""
from __future__ import annotations

import hashlib
import json
import os
import pickle
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

import numpy as np
import pandas as pd

from database.checksums import file_sha256
from modeling.config import SigningKeys, model_dir
from modeling.serving.scorecard import Grades, PointsScale
from modeling.serving.signing import Manifest, SignatureError, read_verified, verify_folder
from modeling.serving.threshold import CostMatrix, decide

CHECKED_LIBRARIES = ("lightgbm", "scikit-learn")
BUNDLE_FILE = "model.pkl"
CARD_FILE = "model_card.json"
SHA256_KEY = "model_pkl_sha256"  # the card's record of model.pkl (the signature, modeling.serving.signing, is what is checked)


class ModelError(RuntimeError):
    """A model cannot be found or used; the message says what to do."""


def library_versions() -> dict[str, str]:
    """Versions of the libraries a bundle depends on."""
    names = ("lightgbm", "scikit-learn", "imbalanced-learn", "pandas", "numpy", "shap", "hyperopt")
    out = {}
    for name in names:
        try:
            out[name] = version(name)
        except Exception:  # a library absent here is simply not recorded
            pass
    return out


#: The basis of a served probability: the model that never learned the client's outcome.
OUT_OF_FOLD = "out_of_fold"
PERCENTILE_TOLERANCE = 1e-12
PRODUCTION = "production"


@dataclass
class ModelBundle:
    """Everything serving needs: features, the production model and its fold models, calibration, threshold.

    Honest scores: a client the model was trained on is scored by the fold model that did not see
    that client's outcome (``fold_models``, routed by ``fold_ids``/``fold_of``), so its served
    probability is its calibrated out-of-fold probability, the one the threshold and grades were
    chosen on. Every other client (a new application) is scored by the production ``model``, refit
    on all training clients. ``predict_proba`` always asks the production model (what-if questions).
    """

    version: str
    features: object  # fitted modeling.features.FeatureBuilder
    feature_names: list[str]
    model: object  # modeling.serving.families.FittedModel refit on every training client
    calibrator: object  # modeling.serving.calibration.Calibrator fitted on out-of-fold scores
    threshold: float
    cost: CostMatrix
    scale: PointsScale
    grades: Grades
    family: str
    strategy: str
    params: dict
    population: dict = field(default_factory=dict)  # OOF probability quantiles, default rate, clients
    feature_stats: object = None  # modeling.serving.explain.PopulationStats of the training features
    background: pd.DataFrame | None = None  # small sample of training features for explanations
    versions: dict = field(default_factory=library_versions)
    card: dict = field(default_factory=dict)
    # mean |SHAP| per feature and of its group (modeling.serving.explain.global_importance), largest first
    importance: pd.DataFrame | None = None
    fold_models: list = field(default_factory=list)  # FittedModel of each CV fold
    fold_ids: np.ndarray | None = None  # sorted SK_ID_CURR of the training clients
    fold_of: np.ndarray | None = None  # for each of fold_ids, the fold model that did not learn it
    reference: dict | None = None  # training distributions for drift monitoring (modeling.monitoring.drift.build_reference)

    @property
    def lgbm(self):
        """The production LightGBM classifier, None when another family won."""
        return getattr(self.model, "lgbm", None)

    def route(self, ids) -> np.ndarray:
        """Index of the fold model that must score each client, -1 for the production model."""
        ids = np.asarray(ids, dtype="int64")
        out = np.full(len(ids), -1, dtype=int)
        if self.fold_ids is None or not len(self.fold_ids) or not len(ids):
            return out
        pos = np.clip(np.searchsorted(self.fold_ids, ids), 0, len(self.fold_ids) - 1)
        hit = self.fold_ids[pos] == ids
        out[hit] = self.fold_of[pos[hit]]
        return out

    def basis(self, client_id: int) -> str:
        """'out_of_fold' for a training client, 'production' for any other."""
        return OUT_OF_FOLD if self.route([client_id])[0] >= 0 else PRODUCTION

    def served(self, X: pd.DataFrame, explain: bool = False) -> tuple[np.ndarray, pd.DataFrame | None]:
        """Calibrated probability of each row of a feature frame indexed by SK_ID_CURR, each from the model
        that never learned that client's outcome; with explain, the log-odds contributions of that model."""
        X = self.in_order(X)
        route = self.route(X.index.to_numpy())
        p = np.empty(len(X))
        contributions = np.zeros((len(X), len(self.feature_names))) if explain else None
        for k in np.unique(route):
            rows = np.flatnonzero(route == k)
            model = self.model if k < 0 else self.fold_models[k]
            values = model.matrix(X.iloc[rows])
            p[rows] = self.calibrator.predict(model.raw_probability(values))
            if explain:
                contributions[rows] = model.contributions(values)[0]
        return p, self._contribution_frame(contributions, X.index)

    def production(self, X: pd.DataFrame, explain: bool = False) -> tuple[np.ndarray, pd.DataFrame | None]:
        """``served`` by the production model for every row, whoever the client: a changed application is a
        new application (what-if questions), never the training client's out-of-fold score."""
        X = self.in_order(X)
        values = self.model.matrix(X)
        p = self.calibrator.predict(self.model.raw_probability(values))
        return p, self._contribution_frame(self.model.contributions(values)[0] if explain else None, X.index)

    def _contribution_frame(self, contributions: np.ndarray | None, index: pd.Index) -> pd.DataFrame | None:
        return None if contributions is None else pd.DataFrame(contributions, index=index, columns=self.feature_names)

    def in_order(self, X: pd.DataFrame) -> pd.DataFrame:
        """Features in the model's order (training order), protected and unknown columns left out."""
        return X if list(X.columns) == self.feature_names else X.reindex(columns=self.feature_names)

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        """Calibrated probability of default from the production model (new applications and what-if)."""
        return self.production(X)[0]

    def decide(self, p) -> np.ndarray:
        """'refuse' where p >= threshold, else 'grant'."""
        return decide(p, self.threshold)

    def points(self, p) -> np.ndarray:
        return self.scale.points(p)

    def grade(self, p) -> np.ndarray:
        return self.grades.grade(self.scale.points(p))

    def percentile(self, p) -> np.ndarray:
        """Share (0-100) of training clients with a lower default probability."""
        q = np.asarray(self.population.get("probability_sorted", []))
        if not len(q):
            return np.full(np.shape(p), np.nan)
        # A training client's probability is itself a knot of q: a last-bit difference between a batch and a
        # single-row computation must not move it across that knot.
        return 100.0 * np.searchsorted(q, np.asarray(p) - PERCENTILE_TOLERANCE, side="left") / len(q)


def data_fingerprint(ids: np.ndarray, target: np.ndarray) -> str:
    """sha256 over the sorted (SK_ID_CURR, TARGET) pairs of the training set."""
    frame = pd.DataFrame({"id": np.asarray(ids, dtype="int64"), "t": np.asarray(target, dtype="int64")})
    frame = frame.sort_values("id")
    digest = hashlib.sha256()
    digest.update(frame["id"].to_numpy().tobytes())
    digest.update(frame["t"].to_numpy().tobytes())
    return digest.hexdigest()


def make_version(fingerprint: str, when: datetime | None = None) -> str:
    """Version name such as 2026-11-25T2301Z-1a2b3c4d."""
    when = when or datetime.now(UTC)
    return f"{when:%Y-%m-%dT%H%MZ}-{fingerprint[:8]}"


def free_version(version: str, root: Path | None = None) -> str:
    """The version name, suffixed -2, -3... if a folder of that name already exists."""
    root = Path(root or model_dir())
    name, n = version, 1
    while (root / name).exists():
        n += 1
        name = f"{version}-{n}"
    return name


def staging_dir(root: Path | None = None) -> Path:
    """A fresh hidden folder in MODEL_DIR where a version is written before it is published."""
    root = Path(root or model_dir())
    root.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=".tmp-", dir=root))


def write_bundle(bundle: ModelBundle, folder: Path) -> None:
    """Write model.pkl and model_card.json into folder."""
    with open(folder / BUNDLE_FILE, "wb") as fh:
        pickle.dump(bundle, fh, protocol=pickle.HIGHEST_PROTOCOL)
    card = {**bundle.card, "library_versions": bundle.versions, SHA256_KEY: file_sha256(folder / BUNDLE_FILE)}
    (folder / CARD_FILE).write_text(json.dumps(card, indent=2, default=_json_default))


def _json_default(obj):
    if isinstance(obj, (np.integer,)):
        return int(obj)
    if isinstance(obj, (np.floating,)):
        return float(obj)
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, Path):
        return str(obj)
    raise TypeError(f"cannot write {type(obj).__name__} to JSON")


def publish(staging: Path, version: str, root: Path | None = None) -> Path:
    """Rename the staging folder to its version, then point `latest` at it; returns the version folder."""
    root = Path(root or model_dir())
    target = root / free_version(version, root)
    os.rename(staging, target)
    set_latest(target.name, root)
    return target


def set_latest(name: str, root: Path | None = None) -> None:
    """Switch models/latest atomically (symlink replaced by rename); LATEST text file as fallback."""
    root = Path(root or model_dir())
    tmp = root / f".latest-{os.getpid()}"
    try:
        if tmp.is_symlink() or tmp.exists():
            tmp.unlink()
        os.symlink(name, tmp, target_is_directory=True)
        os.replace(tmp, root / "latest")
    except OSError:
        if tmp.is_symlink():
            tmp.unlink()
    text_tmp = root / f".LATEST-{os.getpid()}"
    text_tmp.write_text(name + "\n")
    os.replace(text_tmp, root / "LATEST")


def resolve(path: Path | str | None = None) -> Path:
    """Folder of the model to load: the given folder or model.pkl, else MODEL_DIR/latest (or LATEST)."""
    root = Path(model_dir())
    if path is not None:
        path = Path(path)
        folder = path.parent if path.name == BUNDLE_FILE else path
        if not (folder / BUNDLE_FILE).is_file():
            raise ModelError(f"no model in {folder}/: expected {BUNDLE_FILE} there")
        return folder
    for candidate in (root / "latest",):
        if (candidate / BUNDLE_FILE).is_file():
            return candidate.resolve()
    latest_file = root / "LATEST"
    if latest_file.is_file():
        folder = root / latest_file.read_text().strip()
        if (folder / BUNDLE_FILE).is_file():
            return folder
    raise ModelError(f"no model in {root}/: run `python -m modeling train`")


def _major_minor(v: str) -> str:
    return ".".join(str(v).split(".")[:2])


def check_versions(recorded: dict, folder: Path) -> None:
    """Fail in one line if lightgbm or scikit-learn differ (major.minor) from the training ones."""
    installed = library_versions()
    for lib in CHECKED_LIBRARIES:
        want, have = recorded.get(lib), installed.get(lib)
        if want and have and _major_minor(want) != _major_minor(have):
            raise ModelError(
                f"model {folder.name} was trained with {lib} {want} but {have} is installed: "
                f"install {lib}=={want} or retrain with `python -m modeling train`"
            )


def verified(folder: Path, keys: SigningKeys | None = None) -> Manifest:
    """The folder's signed manifest: its signature verified over every file (``modeling.serving.signing``), or ModelError."""
    try:
        return verify_folder(folder, keys or SigningKeys.from_env())
    except (SignatureError, ValueError) as exc:
        raise ModelError(str(exc)) from None


def load_bundle(path: Path | str | None = None, keys: SigningKeys | None = None) -> ModelBundle:
    """Load a ModelBundle (default: MODEL_DIR/latest) once its folder's signature verifies with one of ``keys``
    (default: the environment's, ``SigningKeys.from_env``) and its library versions match the installed ones.

    Unpickling runs code: nothing of the folder is unpickled before every file of it is checked against the
    signature, and the bytes unpickled are the bytes checked."""
    folder = resolve(path).resolve()  # messages name the version folder, not `latest`
    manifest = verified(folder, keys)
    try:
        if CARD_FILE in manifest.files:  # check before unpickling: objects of another version may not even load
            card = json.loads(read_verified(folder, CARD_FILE, manifest))
            check_versions(card.get("library_versions", {}), folder)
        data = read_verified(folder, BUNDLE_FILE, manifest)
    except SignatureError as exc:
        raise ModelError(str(exc)) from None
    except KeyError:
        raise ModelError(f"{folder}/{BUNDLE_FILE} is not among the signed files: retrain with "
                         "`python -m modeling train`") from None
    try:
        bundle = pickle.loads(data)  # nosec B301: these bytes are the ones the bank's key signed (verified above)
    except Exception as exc:
        raise ModelError(f"cannot read {folder / BUNDLE_FILE}: {exc}; retrain with `python -m modeling train`") from exc
    if not isinstance(bundle, ModelBundle):
        raise ModelError(f"{folder / BUNDLE_FILE} does not hold a ModelBundle: retrain with `python -m modeling train`")
    check_versions(bundle.versions, folder)
    return bundle


def remove_staging(folder: Path) -> None:
    """Delete a staging folder left by a failed training."""
    shutil.rmtree(folder, ignore_errors=True)
