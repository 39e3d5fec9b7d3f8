"""Settings of the modeling package: model folder and model-signing keys from the environment, training defaults."""
from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from modeling.policy import parse as parse_policy
from settings import REPO_ROOT, load_env_file

STRATEGIES = ("none", "class_weight", "smote", "undersample")
#: unit: fixed costs per error; money: a bad loan costs LGD x AMT_CREDIT, a good client refused MARGIN x AMT_CREDIT.
COST_MODES = ("unit", "money")

# Money mode (see docs in modeling/serving/threshold.py): a bad loan accepted loses LGD x AMT_CREDIT,
# a good client refused loses MARGIN x AMT_CREDIT of lifetime net income.
DEFAULT_LGD = 0.6
DEFAULT_MARGIN = 0.1

# Points scale: 600 points at 50:1 good:bad odds, 20 points to double the odds.
BASE_POINTS = 600.0
BASE_ODDS = 50.0
PDO = 20.0

# Features whose business direction is beyond doubt: +1 = higher value, higher risk.
MONOTONE_RULES: tuple[tuple[str, int], ...] = (
    (r"^EXT_SOURCE_[123]$", -1),
    (r"^EXT_SOURCES?_MEAN$", -1),
    (r"(^|_)(SK_)?DPD(_DEF)?_(MEAN|MAX|SUM)$", 1),
    (r"(^|_)DAYS_LATE_(MEAN|MAX|SUM)$", 1),
    (r"(^|_)CREDIT_DAY_OVERDUE_(MEAN|MAX|SUM)$", 1),
    # Debt ratios: a larger share of the income owed or paid out each year never lowers the risk.
    (r"^(BURO_)?(CREDIT|ANNUITY|DEBT)_INCOME_RATIO$", 1),
)

LGBM_N_JOBS = 2

#: Application columns the model may not use (see modeling/policy.py); env PROTECTED_ATTRIBUTES overrides.
PROTECTED_ATTRIBUTES: tuple[str, ...] = ("CODE_GENDER",)
#: Model families competing for production, simplest first (see modeling/serving/families.py).
CANDIDATES = ("ext_source", "scorecard", "lightgbm")


def protected_attributes() -> tuple[str, ...]:
    """The protected-attribute policy: env PROTECTED_ATTRIBUTES (comma-separated, 'none'), else the default."""
    text = os.environ.get("PROTECTED_ATTRIBUTES")
    return PROTECTED_ATTRIBUTES if text is None else parse_policy(text)


def model_dir() -> Path:
    """Folder holding model versions: env MODEL_DIR, default <repo>/models."""
    return Path(os.environ.get("MODEL_DIR") or REPO_ROOT / "models")


#: Shortest model-signing key accepted (characters): `secrets.token_urlsafe(32)` gives 43.
MIN_KEY_CHARS = 32
KEY_HELP = ('set MODEL_SIGNING_KEY (or MODEL_SIGNING_KEY_FILE, a file holding it) to the bank\'s model-signing '
            'key; make one with `python -c "import secrets; print(secrets.token_urlsafe(32))"` '
            '(docs/operations.md, "Model signing")')


def key_id(key: bytes) -> str:
    """The public name of a signing key, recorded in each signature: a fingerprint that does not reveal it."""
    return hashlib.sha256(b"homecredit model-signing key id\0" + key).hexdigest()[:16]


@dataclass(frozen=True)
class SigningKeys:
    """The model-signing keys of this process: ``current`` signs (training, `python -m modeling sign`), every key
    of ``accepted`` (``current`` first, then the previous keys kept during a rotation) verifies."""

    current: bytes | None
    accepted: tuple[bytes, ...]
    source: str  # where the keys were read, for messages (never the keys themselves)

    @classmethod
    def from_env(cls) -> SigningKeys:
        """MODEL_SIGNING_KEY or MODEL_SIGNING_KEY_FILE (one key a line: the first signs, every one verifies),
        plus MODEL_VERIFY_KEYS (comma-separated previous keys still accepted); empty variables count as unset.
        The repository's git-ignored ``.env`` is read first, as for DATABASE_URL; variables already set win."""
        load_env_file()
        text, file = os.environ.get("MODEL_SIGNING_KEY", "").strip(), os.environ.get("MODEL_SIGNING_KEY_FILE", "").strip()
        if text and file:
            raise ValueError("both MODEL_SIGNING_KEY and MODEL_SIGNING_KEY_FILE are set: keep one of them")
        keys, source = ([text], "MODEL_SIGNING_KEY") if text else ([], "")
        if file:
            try:
                keys = [line.strip() for line in Path(file).read_text().splitlines() if line.strip()]
            except OSError as exc:
                raise ValueError(f"MODEL_SIGNING_KEY_FILE {file} cannot be read ({exc.strerror}): "
                                 "point it at the file holding the model-signing key") from None
            source = f"MODEL_SIGNING_KEY_FILE {file}"
        previous = [k.strip() for k in os.environ.get("MODEL_VERIFY_KEYS", "").split(",") if k.strip()]
        for where, key in [(source, k) for k in keys] + [("MODEL_VERIFY_KEYS", k) for k in previous]:
            if len(key) < MIN_KEY_CHARS:
                raise ValueError(f"a key of {where} has {len(key)} characters, fewer than {MIN_KEY_CHARS}: "
                                 "use a random key of 32 characters or more")
        accepted = tuple(dict.fromkeys(k.encode() for k in keys + previous))
        return cls(current=keys[0].encode() if keys else None, accepted=accepted,
                   source=" and ".join(s for s in (source, "MODEL_VERIFY_KEYS" if previous else "") if s))

    def for_id(self, name: str) -> bytes | None:
        """The accepted key whose ``key_id`` is ``name``, None if there is none."""
        return next((k for k in self.accepted if key_id(k) == name), None)


def default_true_pd() -> Path:
    """Where the synthetic generator writes the true default probabilities."""
    return REPO_ROOT / "data" / "synthetic" / "true_pd.csv"


def check_names(names: tuple[str, ...], allowed: tuple[str, ...], what: str) -> tuple[str, ...]:
    """``names`` if it is a non-empty list of ``allowed`` names, else ValueError naming the first unknown one."""
    bad = [n for n in names if n not in allowed]
    if bad or not names:
        raise ValueError(f"unknown {what} {bad[0] if bad else ''!r}: choose among {','.join(allowed)}")
    return names


def names_among(allowed: tuple[str, ...], what: str) -> Callable[[str], tuple[str, ...]]:
    """A parser of a comma-separated list of ``allowed`` names (for the command line)."""
    return lambda text: check_names(tuple(n.strip() for n in text.split(",") if n.strip()), allowed, what)


def _option(default: Any, help: str, **more: Any) -> Any:
    """A field of TrainConfig: its one default and the help of its `python -m modeling train` option."""
    return field(default=default, metadata={"help": help, **more})


@dataclass
class TrainConfig:
    """Every option of `python -m modeling train` (settings/cli.py makes one option of each field)."""

    folds: int = _option(5, "stratified CV folds")
    max_evals: int = _option(30, "Hyperopt evaluations, 0 = default parameters")
    sample: int | None = _option(None, "train on a stratified sample of N labelled clients")
    cost_fn: float = _option(10.0, "cost of a bad loan granted, unit mode")
    cost_fp: float = _option(1.0, "cost of a good client refused, unit mode")
    cost_mode: str = _option("unit", "unit: fixed costs; money: FN = LGD x AMT_CREDIT, FP = margin x AMT_CREDIT",
                             choices=COST_MODES)
    lgd: float = _option(DEFAULT_LGD, "loss given default in money mode")
    margin: float = _option(DEFAULT_MARGIN, "lost margin rate in money mode")
    strategies: tuple[str, ...] = _option(STRATEGIES, "imbalance strategies to compare, comma-separated",
                                          parse=names_among(STRATEGIES, "strategy"))
    seed: int = _option(42, "random seed of the folds, the sampling and the models")
    source: Path | None = _option(None, "folder of Kaggle CSV files instead of the database")
    true_pd: Path | None = _option(None, "CSV of true default probabilities (synthetic data; default "
                                         "data/synthetic/true_pd.csv if present)")
    out_dir: Path | None = _option(None, "folder to publish the model version in (default: MODEL_DIR, else models/)")
    compare_rows: int = _option(20000, "stratified subsample size for the strategy comparison")
    n_jobs: int = _option(LGBM_N_JOBS, "LightGBM threads")
    baselines: bool = _option(True, "train the baseline models")
    protected: tuple[str, ...] | None = _option(
        None, "application columns the model may not use, comma-separated or 'none' "
              "(default: env PROTECTED_ATTRIBUTES, else CODE_GENDER)", parse=parse_policy)
    candidates: tuple[str, ...] = _option(CANDIDATES, "model families competing for production, comma-separated",
                                          parse=names_among(CANDIDATES, "candidate"))
    policy_cost: bool = _option(True, "measure what the protected-attribute policy costs (one cross-validation "
                                      "more)")
    fairness: bool = _option(True, "audit the fairness of the production model")

    def __post_init__(self) -> None:
        check_names(self.strategies, STRATEGIES, "strategy")
        if self.cost_mode not in COST_MODES:
            raise ValueError(f"unknown cost mode {self.cost_mode!r}: choose among {','.join(COST_MODES)}")
        if self.folds < 2:
            raise ValueError(f"--folds must be at least 2, got {self.folds}")
        if self.protected is None:
            self.protected = protected_attributes()
        check_names(self.candidates, CANDIDATES, "candidate")
