"""Serving: score one client, a list of clients or every client of the database with a ModelBundle."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import nullcontext
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd

from modeling.serving.artifact import ModelBundle
from modeling.serving.data import load_clients, load_range, load_tables
from modeling.serving.explain import ReasonKey, reasons_from_contributions, render_reasons
from modeling.serving.store import stored
from modeling.wording.catalogue import DECISION_LABELS, check_lang


class UnknownClient(LookupError):
    """The client ID is not in the application table."""

    def __init__(self, client_id: int):
        super().__init__(f"unknown client SK_ID_CURR={client_id}: no application row in the database")
        self.client_id = client_id


@dataclass
class ScoreResult:
    """A client's calibrated default probability, decision, points, grade and reasons."""

    client_id: int
    probability: float
    decision: str
    decision_label: str
    threshold: float
    points: float
    grade: str
    model_version: str
    reasons: list = field(default_factory=list)
    percentile: float | None = None  # share (%) of training clients with a lower probability
    basis: str = "production"  # "out_of_fold" for a client the model was trained on (see ModelBundle)

    def to_dict(self) -> dict:
        """JSON-ready dict (reasons as dicts)."""
        out = asdict(self)
        out["reasons"] = [r.to_dict() if hasattr(r, "to_dict") else r for r in self.reasons]
        return out


def _check_lang(lang: str) -> None:
    check_lang(lang)


class Scorer:
    """Scores clients read from the database with the features, model and threshold of one bundle."""

    def __init__(self, bundle: ModelBundle, engine):
        self.bundle = bundle
        self.engine = engine

    def features(self, client_ids: Sequence[int]) -> pd.DataFrame:
        """Feature rows of the given clients, computed from their own rows only (absent IDs left out)."""
        tables = load_clients(self.engine, [int(i) for i in client_ids])
        return self._in_model_order(self.bundle.features.transform(tables))

    def range_features(self, first: int, last: int) -> pd.DataFrame:
        """Feature rows of the clients with ``first <= SK_ID_CURR <= last``, from their own rows only."""
        return self._in_model_order(self.bundle.features.transform(load_range(self.engine, first, last)))

    def score_frame(self, features: pd.DataFrame) -> pd.DataFrame:
        """Probability, decision, points and grade of every row of a feature frame indexed by SK_ID_CURR
        (batch); training clients get their out-of-fold probability."""
        p, _ = self.bundle.served(features)
        return self.scores(features.index.to_numpy(), p)

    def scores(self, ids: np.ndarray, p: np.ndarray) -> pd.DataFrame:
        """The batch's columns (SK_ID_CURR, probability, decision, points, grade) of served probabilities."""
        return pd.DataFrame({
            "SK_ID_CURR": ids,
            "probability": p,
            "decision": self.bundle.decide(p),
            "points": np.round(self.bundle.points(p), 1),
            "grade": self.bundle.grade(p),
        })

    def _result(self, client_id: int, row: pd.DataFrame, lang: str) -> ScoreResult:
        b = self.bundle
        p, contributions = b.served(row, explain=True)  # the model that never learned this client's outcome
        reasons = reasons_from_contributions(contributions.iloc[0], row.iloc[0], b.feature_stats, lang, top=4)
        return self._make(client_id, float(p[0]), reasons, lang)

    def _make(self, client_id: int, p: float, reasons: list, lang: str, basis: str | None = None) -> ScoreResult:
        """The ScoreResult of probability p; basis defaults to the client's (out-of-fold or production)."""
        b = self.bundle
        decision = str(b.decide(p))
        return ScoreResult(
            client_id=int(client_id), probability=p, decision=decision,
            decision_label=DECISION_LABELS[lang][decision], threshold=float(b.threshold),
            points=round(float(b.points(p)), 1), grade=str(b.grade(p)), model_version=b.version,
            reasons=reasons, percentile=float(b.percentile(p)), basis=basis or b.basis(client_id),
        )

    def stored(self, client_id: int, lang: str = "fr", connection=None) -> ScoreResult | None:
        """The client's batch score (``python -m modeling predict --store``) if it is current, else None.

        Equal to ``score`` for the same model and data: the batch ran the same features, model and SHAP.
        """
        _check_lang(lang)
        with nullcontext(connection) if connection is not None else self.engine.connect() as reader:
            found = stored(reader, self.bundle.version, client_id)
        if found is None:
            return None
        p, keys = found
        reasons = render_reasons([ReasonKey.from_list(k) for k in keys], self.bundle.feature_stats, lang)
        return self._make(client_id, p, reasons, lang)

    def score(self, client_id: int, lang: str = "fr", use_store: bool = False) -> ScoreResult:
        """Score one client (from the batch store first when use_store); raises UnknownClient if unknown."""
        _check_lang(lang)
        if use_store:
            found = self.stored(client_id, lang)
            if found is not None:
                return found
        X = self.features([client_id])
        if int(client_id) not in X.index:
            raise UnknownClient(client_id)
        return self._result(client_id, X.loc[[int(client_id)]], lang)

    def score_many(self, client_ids: Sequence[int], lang: str = "fr", use_store: bool = False) -> list[ScoreResult]:
        """Score several clients (stored scores first when use_store, the others with one read);
        raises UnknownClient for the first absent ID."""
        _check_lang(lang)
        done: dict[int, ScoreResult] = {}
        if use_store:
            with self.engine.connect() as connection:
                for i in client_ids:
                    found = self.stored(int(i), lang, connection)
                    if found is not None:
                        done[int(i)] = found
        rest = [int(i) for i in client_ids if int(i) not in done]
        if rest:
            X = self.features(rest)
            missing = [i for i in rest if i not in X.index]
            if missing:
                raise UnknownClient(missing[0])
            done.update({i: self._result(i, X.loc[[i]], lang) for i in rest})
        return [done[int(i)] for i in client_ids]

    def all_features(self, progress: Callable[[str], None] | None = None) -> pd.DataFrame:
        """Feature rows of every client in the database, computed for all at once."""
        tables = load_tables(self.engine)
        if progress:
            progress(f"read {len(tables['application']):,} applications; building features")
        return self._in_model_order(self.bundle.features.transform(tables))

    def _in_model_order(self, X: pd.DataFrame) -> pd.DataFrame:
        """Feature columns in the model's order (the builder's own order, unless the bundle says otherwise)."""
        return X if list(X.columns) == self.bundle.feature_names else X.reindex(columns=self.bundle.feature_names)
