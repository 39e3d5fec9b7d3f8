"""What-if: the client's application with changed terms, scored through the same feature code by the model that
scores this client, and the smallest change of the amount or of the duration that would turn a refusal into a grant.

The model is the one that gave the client the score the advisor reads (``ModelBundle.served``): the production
model for a new application, the fold model that never learned the outcome for a training client. So the
unchanged application gives back the client's own score and decision, and a change answers "what would this
model say if only the terms differed" (a refused client is never told that nothing needs to change).

How the terms move together, and what a what-if accepts, is ``modeling.serving.loan_terms``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from modeling.serving.data import load_clients
from modeling.serving.explain import reasons_from_contributions
from modeling.serving.loan_terms import MAX_DURATION, Terms, apply, check_changes, duration_text
from modeling.serving.scorer import Scorer, ScoreResult, UnknownClient
from modeling.wording import catalogue

#: The counterfactual search looks at amounts down to this share of the requested amount.
MIN_AMOUNT_SHARE = 0.2
#: Amounts on the search's grid, then every rounded amount between the largest granted and the next one.
GRID_POINTS = 25


@dataclass
class Simulation:
    """The client's model's answer for the changed application."""

    terms: Terms
    changes: dict
    result: ScoreResult

    def to_dict(self) -> dict:
        return {"terms": self.terms.to_dict(), "changes": dict(self.changes), **self.result.to_dict()}


@dataclass
class Counterfactual:
    """What would change the decision: ``kind`` 'granted' (nothing to change), 'found' or 'none'."""

    kind: str
    amount: float | None = None  # the largest granted amount found (duration kept)
    duration: int | None = None  # the shortest granted duration found (amount kept)
    sentences: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"kind": self.kind, "amount": self.amount, "duration": self.duration, "sentences": self.sentences}


def round_unit(amount: float) -> float:
    """The rounding of proposed amounts: three significant figures of the request (1 000 for 250 000)."""
    return float(10 ** max(0, math.floor(math.log10(max(amount, 1))) - 2))


class WhatIf:
    """One client's application, read once, re-scored by the model that scores this client for any change of its terms."""

    def __init__(self, scorer: Scorer, client_id: int):
        self.scorer, self.client_id = scorer, int(client_id)
        self.tables = load_clients(scorer.engine, [self.client_id])
        app = self.tables["application"]
        if not len(app["SK_ID_CURR"]):
            raise UnknownClient(client_id)
        self.base = Terms(*(float(app[c][0]) for c in ("AMT_CREDIT", "AMT_ANNUITY", "AMT_GOODS_PRICE")))
        self._probabilities: dict[Terms, float] = {}  # every set of terms scored so far (the search asks again)

    def _features(self, terms: Terms):
        return self._features_of_each([terms])

    def _features_of_each(self, many: list[Terms]):
        """The client's features for each of these terms (row i: ``many[i]``), built in one pass of the feature
        code over copies of the client's tables; every row indexed by the client's ID, so that the client's own
        model scores each. A refusal's search asks for about 90 sets of terms: one pass each took 2.3 s."""
        tables = _copies(self.tables, len(many))
        app = tables["application"]
        app["AMT_CREDIT"][:] = [t.amount for t in many]
        app["AMT_ANNUITY"][:] = [t.annuity for t in many]
        app["AMT_GOODS_PRICE"][:] = [t.goods_price for t in many]
        built = self.scorer.bundle.features.transform(tables).reindex(app["SK_ID_CURR"])
        built.index = pd.Index(np.full(len(many), self.client_id, dtype="int64"), name="SK_ID_CURR")
        return self.scorer._in_model_order(built)

    def probability(self, terms: Terms) -> float:
        """The client's model's probability for these terms."""
        return float(self.probabilities([terms])[0])

    def probabilities(self, many: list[Terms]) -> np.ndarray:
        """The client's model's probability for each of these terms; those not scored yet in one pass."""
        new = [t for t in dict.fromkeys(many) if t not in self._probabilities]
        if new:
            self._probabilities.update(zip(new, self.scorer.bundle.served(self._features_of_each(new))[0], strict=True))
        return np.array([self._probabilities[t] for t in many], dtype="float64")

    def granted(self, terms: Terms) -> bool:
        return bool(self.granted_each([terms])[0])

    def granted_each(self, many: list[Terms]) -> np.ndarray:
        """For each of these terms, whether the client's model grants the credit."""
        if not many:
            return np.zeros(0, dtype=bool)
        return self.scorer.bundle.decide(self.probabilities(many)) == "grant"

    def simulate(self, changes: dict, lang: str = catalogue.DEFAULT_LANG, start: Terms | None = None) -> Simulation:
        """Probability, decision and reasons of the application with ``changes`` made to ``start`` (by default the
        client's own terms; a panel passes the terms it shows); nothing is stored."""
        catalogue.check_lang(lang)
        terms = apply(self.base if start is None else start, changes)
        row = self._features(terms)
        p, contributions = self.scorer.bundle.served(row, explain=True)
        self._probabilities[terms] = float(p[0])
        reasons = reasons_from_contributions(contributions.iloc[0], row.iloc[0], self.scorer.bundle.feature_stats,
                                             lang, top=4)
        result = self.scorer._make(self.client_id, float(p[0]), reasons, lang,
                                   basis=self.scorer.bundle.basis(self.client_id))
        return Simulation(terms, check_changes(changes), result)

    def largest_granted_amount(self) -> float | None:
        """The largest amount below the request (duration kept) that is granted: the largest granted on a grid,
        then every rounded amount between it and the next grid point."""
        unit, grid, on_grid = self._amount_grid()
        answers = self.granted_each(list(on_grid.values()))
        granted = [a for a, yes in zip(on_grid, answers, strict=True) if yes]
        if not granted:
            return None
        low = granted[0]  # the largest grid amount granted; above it, up to the next grid point, refine
        above = grid[grid > low]
        high = float(above[0]) if len(above) else self.base.amount
        between = [low + k * unit for k in range(1, math.ceil((high - low) / unit)) if low + k * unit < high]
        answers = self.granted_each([apply(self.base, {"amount": a}) for a in between])
        return float(max((a for a, yes in zip(between, answers, strict=True) if yes), default=low))

    def _amount_grid(self) -> tuple[float, np.ndarray, dict[float, Terms]]:
        """The rounding unit of amounts, the search's grid of amounts below the request, and the terms of each
        grid amount of at least one unit, largest first."""
        unit, top = round_unit(self.base.amount), self.base.amount
        grid = np.unique(np.floor(np.linspace(top * MIN_AMOUNT_SHARE, top, GRID_POINTS + 1)[:-1] / unit) * unit)
        return unit, grid, {float(a): apply(self.base, {"amount": float(a)}) for a in grid[::-1] if a >= unit}

    def _duration_terms(self) -> dict[int, Terms]:
        """The terms of each duration the search tries: whole instalments longer than today's, up to MAX_DURATION."""
        return {months: apply(self.base, {"duration": float(months)})
                for months in range(math.floor(self.base.duration) + 1, MAX_DURATION + 1)}

    def shortest_granted_duration(self) -> int | None:
        """The shortest duration (whole instalments, at most MAX_DURATION) longer than today's that is granted."""
        on_durations = self._duration_terms()
        answers = self.granted_each(list(on_durations.values()))
        return next((months for months, yes in zip(on_durations, answers, strict=True) if yes), None)

    def counterfactual(self, lang: str = catalogue.DEFAULT_LANG) -> Counterfactual:
        """What would change a refusal, said in sentences of the catalogue."""
        catalogue.check_lang(lang)
        if self.granted(self.base):
            return Counterfactual("granted", sentences=[catalogue.t("cf_granted", lang)])
        # the grid's amounts and the durations scored together, in one pass (the searches below find them scored)
        self.probabilities([*self._amount_grid()[2].values(), *self._duration_terms().values()])
        amount, months = self.largest_granted_amount(), self.shortest_granted_duration()
        if amount is None and months is None:
            return Counterfactual("none", sentences=[catalogue.t("cf_none", lang, max=MAX_DURATION)])
        sentences = []
        if amount is not None:
            sentences.append(catalogue.t("cf_amount", lang, new=catalogue.money(amount, lang),
                                         old=catalogue.money(self.base.amount, lang)))
        if months is not None:
            sentences.append(catalogue.t("cf_duration", lang, new=catalogue.number(months, lang),
                                         old=duration_text(self.base.duration, lang),
                                         amount=catalogue.money(self.base.amount, lang)))
        return Counterfactual("found", amount, months, sentences)


#: The ID columns of the client's tables that ``_copies`` moves.
_ID_COLUMNS = ("SK_ID_CURR", "SK_ID_BUREAU", "SK_ID_PREV")


def _copies(tables: dict[str, dict[str, np.ndarray]], n: int) -> dict[str, dict[str, np.ndarray]]:
    """The tables (column arrays) of one client repeated ``n`` times: copy ``k``'s SK_ID_CURR, SK_ID_BUREAU and
    SK_ID_PREV moved by ``k`` times a step above every ID, so each copy is a client of its own for the features."""
    step = 1 + max((int(np.nanmax(values)) for columns in tables.values() for name, values in columns.items()
                    if name in _ID_COLUMNS and len(values)), default=0)
    out = {}
    for table_name, columns in tables.items():
        rows = len(next(iter(columns.values()), ()))
        shift = np.repeat(np.arange(n, dtype="int64") * step, rows)
        out[table_name] = {name: np.tile(values, n) + shift if name in _ID_COLUMNS else np.tile(values, n)
                           for name, values in columns.items()}
    return out
