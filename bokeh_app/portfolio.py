"""The data every session shares, prepared once per server: clients, batch scores, neighbours, OOF predictions."""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.neighbors import NearestNeighbors
from sklearn.preprocessing import StandardScaler

from database.config import get_engine, masked
from database.read import read_some_columns
from modeling.serving.artifact import load_bundle, resolve
from modeling.serving.data import load_tables
from modeling.serving.scorer import Scorer
from modeling.serving.store import COMPARISON_FEATURES, stored_portfolio
from modeling.serving.threshold import CostMatrix, best_f1_threshold
from modeling.wording import catalogue

DAYS_PER_YEAR = 365.25
SENTINEL_DAYS = 365243
#: Descriptive fields of the application kept for the identity card, the filters and the cohorts.
DESCRIPTIVE = (
    "TARGET", "NAME_CONTRACT_TYPE", "CODE_GENDER", "NAME_FAMILY_STATUS", "OCCUPATION_TYPE", "NAME_INCOME_TYPE",
    "NAME_EDUCATION_TYPE", "NAME_HOUSING_TYPE", "CNT_CHILDREN", "AMT_INCOME_TOTAL", "AMT_CREDIT", "AMT_ANNUITY",
    "AMT_GOODS_PRICE", "FLAG_OWN_CAR", "FLAG_OWN_REALTY", "EXT_SOURCE_1", "EXT_SOURCE_2", "EXT_SOURCE_3",
)
CATEGORICAL = ("NAME_CONTRACT_TYPE", "CODE_GENDER", "NAME_FAMILY_STATUS", "OCCUPATION_TYPE", "NAME_INCOME_TYPE",
               "NAME_EDUCATION_TYPE", "NAME_HOUSING_TYPE", "FLAG_OWN_CAR", "FLAG_OWN_REALTY")
#: Fields (in human units) that define "similar clients"; amounts enter on a log scale.
NEIGHBOUR_FIELDS = ("AGE_YEARS", "AMT_INCOME_TOTAL", "AMT_CREDIT", "AMT_ANNUITY", "YEARS_EMPLOYED",
                    "CNT_CHILDREN", "EXT_SOURCE_1", "EXT_SOURCE_2", "EXT_SOURCE_3")
LOG_FIELDS = ("AMT_INCOME_TOTAL", "AMT_CREDIT", "AMT_ANNUITY")
AGE_BANDS = (18, 25, 35, 45, 55, 65, 120)
INCOME_BANDS = (0, 100_000, 150_000, 200_000, 300_000, np.inf)


def age_band_labels(lang: str = "fr") -> list[str]:
    """'18–24 ans', '25–34 ans', ..., '65 ans et plus' in the reader's language."""
    years = catalogue.t("years", lang)
    out = [f"{lo}–{hi - 1}\u00a0{years}" for lo, hi in zip(AGE_BANDS[:-2], AGE_BANDS[1:-1], strict=True)]
    return out + [catalogue.t("band_above", lang, v=f"{AGE_BANDS[-2]}\u00a0{years}")]


def income_band_labels(lang: str = "fr") -> list[str]:
    """'moins de 100 000', '100 000–150 000', ..., '300 000 et plus', amounts written by the catalogue."""
    cuts = [catalogue.money(b, lang) for b in INCOME_BANDS[1:-1]]
    return ([catalogue.t("band_below", lang, v=cuts[0])] + [f"{a}–{b}" for a, b in zip(cuts[:-1], cuts[1:], strict=True)]
            + [catalogue.t("band_above", lang, v=cuts[-1])])


def describe_clients(application: pd.DataFrame) -> pd.DataFrame:
    """One row per client (index SK_ID_CURR) with descriptive fields in human units and bands."""
    app = application.set_index("SK_ID_CURR")
    out = pd.DataFrame(index=app.index)
    for column in DESCRIPTIVE:
        out[column] = app[column] if column in app else np.nan
    for column in CATEGORICAL:
        out[column] = out[column].astype("category")
    days_birth = pd.to_numeric(app.get("DAYS_BIRTH"), errors="coerce")
    days_employed = pd.to_numeric(app.get("DAYS_EMPLOYED"), errors="coerce").where(lambda d: d != SENTINEL_DAYS)
    out["AGE_YEARS"] = (-days_birth / DAYS_PER_YEAR).astype("float32")
    out["YEARS_EMPLOYED"] = (-days_employed / DAYS_PER_YEAR).clip(lower=0).astype("float32")
    # bands are stored as codes ('0', '1', ...) and worded per session by band_label
    out["AGE_BAND"] = pd.cut(out["AGE_YEARS"], AGE_BANDS, right=False, labels=[str(i) for i in range(len(AGE_BANDS) - 1)])
    out["INCOME_BAND"] = pd.cut(out["AMT_INCOME_TOTAL"], INCOME_BANDS, right=False,
                                labels=[str(i) for i in range(len(INCOME_BANDS) - 1)])
    return out


@dataclass
class Portfolio:
    """Clients with their batch scores, comparison features, OOF predictions and the model's threshold."""

    clients: pd.DataFrame  # index SK_ID_CURR; DESCRIPTIVE + AGE_YEARS ... + PROBABILITY, DECISION, POINTS, GRADE
    features: pd.DataFrame  # index SK_ID_CURR; model features kept for comparisons (float32)
    oof: pd.DataFrame  # TARGET, PROBABILITY, AMT_CREDIT of the training clients (out-of-fold)
    threshold: float
    cost: CostMatrix
    model_version: str
    explain: Callable  # (client_id, lang) -> modeling.serving.scorer.ScoreResult
    model_date: str | None = None  # ISO time the model was trained (its card's created_at)
    card: dict = field(default_factory=dict)  # the model card (fairness, threshold, ...)
    f1_threshold: float | None = None
    oof_kind: str = "out-of-fold"
    n_neighbours: int = 200
    database_url: str | None = None  # where the monitoring results are read (Surveillance tab)
    scorer: object = None  # modeling.serving.scorer.Scorer: the client's history and what-if questions
    scaler_: StandardScaler = field(init=False, repr=False)
    knn_: NearestNeighbors = field(init=False, repr=False)
    medians_: pd.Series = field(init=False, repr=False)
    memo_: dict = field(init=False, repr=False, default_factory=dict)

    def __post_init__(self) -> None:
        missing = [c for c in ("PROBABILITY", "DECISION", "POINTS", "GRADE") if c not in self.clients]
        if missing:
            raise ValueError(f"portfolio clients lack column {missing[0]}: score them with the model first")
        if self.f1_threshold is None and len(self.oof):
            self.f1_threshold = best_f1_threshold(self.oof["TARGET"], self.oof["PROBABILITY"], self.cost).threshold
        n = len(self.clients)
        keys = self._neighbour_matrix()
        self.scaler_ = StandardScaler().fit(keys)
        k = min(self.n_neighbours + 1, n)
        # brute force: one client's neighbours are a distance to every client (milliseconds at 356,255), where
        # a tree took 2.2 s of the server's start to build
        self.knn_ = NearestNeighbors(n_neighbors=k, algorithm="brute").fit(self.scaler_.transform(keys))

    def _neighbour_matrix(self, rows: pd.DataFrame | None = None) -> np.ndarray:
        frame = (self.clients if rows is None else rows)[list(NEIGHBOUR_FIELDS)].astype("float64")
        for column in LOG_FIELDS:
            frame[column] = np.log1p(frame[column].clip(lower=0))
        if rows is None:
            self.medians_ = frame.median().fillna(0.0)
        return frame.fillna(self.medians_).to_numpy()

    def has(self, client_id: int) -> bool:
        """True if the client is in the portfolio."""
        return client_id in self.clients.index

    def similar(self, client_id: int) -> pd.Index:
        """SK_ID_CURR of the clients closest to this one on NEIGHBOUR_FIELDS (the client excluded)."""
        row = self.scaler_.transform(self._neighbour_matrix(self.clients.loc[[client_id]]))
        _, idx = self.knn_.kneighbors(row)
        ids = self.clients.index[idx[0]]
        return ids[ids != client_id][: self.n_neighbours]

    def values(self, name: str) -> pd.Series:
        """A comparison variable for every client: a descriptive field or a stored model feature."""
        if name in self.clients:
            return pd.to_numeric(self.clients[name], errors="coerce")
        return self.features[name]

    def comparable(self) -> list[str]:
        """Names offered in the comparison: descriptive numbers first, then the stored model features."""
        return [*NEIGHBOUR_FIELDS, *[c for c in self.features.columns if c not in NEIGHBOUR_FIELDS]]

    def memo(self, key: tuple, compute: Callable):
        """compute() once per server for key (aggregates every session reuses: histograms, quantiles)."""
        if key not in self.memo_:
            self.memo_[key] = compute()
        return self.memo_[key]



def comparison_features(built: pd.DataFrame) -> list[str]:
    """The business features of COMPARISON_FEATURES that the feature builder made."""
    return [name for name in COMPARISON_FEATURES if name in built]


def band_label(column: str, code, lang: str) -> str:
    """The words of an AGE_BAND or INCOME_BAND code."""
    words = age_band_labels(lang) if column == "AGE_BAND" else income_band_labels(lang)
    return words[int(code)]


def with_scores(clients: pd.DataFrame, scores: pd.DataFrame, grades: list[str]) -> pd.DataFrame:
    """Add PROBABILITY, DECISION, POINTS and GRADE (from Scorer.score_frame) to the descriptive frame."""
    scores = scores.set_index("SK_ID_CURR").reindex(clients.index)
    out = clients.copy()
    out["PROBABILITY"] = scores["probability"].astype("float64")
    out["DECISION"] = pd.Categorical(scores["decision"], categories=["grant", "refuse"])
    out["POINTS"] = scores["points"].astype("float32")
    out["GRADE"] = pd.Categorical(scores["grade"], categories=grades)
    return out


def read_oof(folder: Path, clients: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """Calibrated out-of-fold predictions of the model folder; else the batch scores of labelled clients."""
    for name in ("oof.parquet", "oof.csv"):
        path = folder / name
        if path.is_file():
            oof = pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path)
            oof = oof.rename(columns={"p": "PROBABILITY", "probability": "PROBABILITY", "y": "TARGET"})
            if "AMT_CREDIT" not in oof and "SK_ID_CURR" in oof:
                oof["AMT_CREDIT"] = clients["AMT_CREDIT"].reindex(oof["SK_ID_CURR"]).to_numpy()
            keep = [c for c in ("SK_ID_CURR", "TARGET", "PROBABILITY", "AMT_CREDIT") if c in oof]
            return oof[keep].dropna(subset=["TARGET"]).reset_index(drop=True), "out-of-fold"
    labelled = clients[clients["TARGET"].notna()]
    return labelled[["TARGET", "PROBABILITY", "AMT_CREDIT"]].reset_index(drop=True), "in-sample"


def load_portfolio(config, say=print) -> Portfolio:
    """The shared portfolio: from the batch score store when it holds every client for the model on the current
    data (``python -m modeling predict --store``), else by building every client's features and scoring them."""
    start = time.perf_counter()
    folder = resolve(config.model_path)
    bundle = load_bundle(folder)
    engine = get_engine(config.database_url)
    application = _application(engine, config.database_url, list(KEPT_APPLICATION))
    stored = stored_portfolio(engine, bundle.version)
    if len(stored) == len(application) and stored.index.isin(application["SK_ID_CURR"]).all():
        say(f"dashboard: {len(application)} clients read with their batch scores (model {bundle.version})")
        portfolio = from_store(folder, bundle, engine, application, stored, config)
    else:
        say(f"dashboard: the score store holds {len(stored)} of {len(application)} clients for model "
            f"{bundle.version} on the current data; computing every client's features "
            "(`python -m modeling predict --store` makes the next start faster)")
        portfolio = by_scoring(folder, bundle, engine, config)
    say(f"dashboard: portfolio of {len(portfolio.clients)} clients ready in {time.perf_counter() - start:.1f} s "
        f"(model {bundle.version})")
    return portfolio


#: Application columns the portfolio describes clients with (describe_clients).
KEPT_APPLICATION = ("SK_ID_CURR", *DESCRIPTIVE, "DAYS_BIRTH", "DAYS_EMPLOYED")


def _application(engine, url: str, columns: list[str]) -> pd.DataFrame:
    application = read_some_columns(engine, "application", columns)
    if application.empty:
        raise RuntimeError(f"no client in the database {masked(url)}: run `python -m database load`")
    return application


def from_store(folder: Path, bundle, engine, application: pd.DataFrame, stored: pd.DataFrame, config) -> Portfolio:
    """The portfolio from the application's descriptive columns and the batch store (no feature built)."""
    scorer = Scorer(bundle, engine)
    clients = describe_clients(application)
    stored = stored.reindex(clients.index)
    clients = with_scores(clients, scorer.scores(clients.index.to_numpy(), stored["probability"].to_numpy()),
                          list(bundle.grades.labels))
    keep = [c for c in stored.columns if c != "probability" and c not in clients]
    return _portfolio(folder, bundle, scorer, clients, stored[keep].astype("float32"), config)


def by_scoring(folder: Path, bundle, engine, config) -> Portfolio:
    """The portfolio by building every client's features and scoring them (before any batch run)."""
    tables = load_tables(engine)
    clients = describe_clients(tables["application"])
    built = bundle.features.transform(tables)
    X = built.reindex(columns=bundle.feature_names)
    del tables
    scorer = Scorer(bundle, engine)
    clients = with_scores(clients, scorer.score_frame(X), list(bundle.grades.labels))
    keep = [c for c in comparison_features(built) if c not in clients]
    features = built.reindex(clients.index)[keep].astype("float32")
    del built
    return _portfolio(folder, bundle, scorer, clients, features, config)


def _portfolio(folder: Path, bundle, scorer, clients: pd.DataFrame, features: pd.DataFrame, config) -> Portfolio:
    oof, kind = read_oof(folder, clients)
    return Portfolio(
        clients=clients, features=features, oof=oof, threshold=float(bundle.threshold), cost=bundle.cost,
        model_version=bundle.version, model_date=(bundle.card or {}).get("created_at"), card=dict(bundle.card or {}),
        explain=lambda cid, lang="fr": scorer.score(cid, lang=lang, use_store=True),
        f1_threshold=(bundle.card or {}).get("threshold_f1"), oof_kind=kind,
        n_neighbours=config.neighbours, database_url=config.database_url, scorer=scorer,
    )
