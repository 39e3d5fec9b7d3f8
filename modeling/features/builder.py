"""FeatureBuilder: the one code path from the seven Home Credit tables to one feature row per client."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from modeling.features import application, bureau, credit_card, installments, pos_cash, previous
from modeling.features.aggregate import Columns, column_values, safe_ratio
from modeling.features.encoding import fit_table_categories

TABLES = (
    "application", "bureau", "bureau_balance", "previous_application", "pos_cash_balance",
    "credit_card_balance", "installments_payments",
)
#: Categorical columns whose category lists are learned in ``fit``, per source table.
CATEGORICAL = {
    "application": application.CATEGORICAL,
    "bureau": bureau.CATEGORICAL,
    "previous_application": previous.CATEGORICAL,
    "pos_cash_balance": pos_cash.CATEGORICAL,
    "credit_card_balance": credit_card.CATEGORICAL,
}


class FeatureBuilder(TransformerMixin, BaseEstimator):
    """Build one float64 feature row per application from the Home Credit tables.

    ``fit`` learns only the category lists (values covering at least ``min_category_share`` of
    the rows, at most ``max_categories`` per column; the rest is OTHER). ``transform`` computes
    the features of every application in ``tables["application"]``, in that order, whatever the
    number of clients: a single client's rows give exactly that client's row of the full table.
    Missing tables count as empty; a client without history gets NaN aggregates and 0 counts.
    """

    def __init__(self, min_category_share: float = 0.01, max_categories: int = 30) -> None:
        self.min_category_share = min_category_share
        self.max_categories = max_categories

    def fit(self, tables: Mapping[str, pd.DataFrame | Columns], y: object = None) -> FeatureBuilder:
        """Learn the category lists from the training tables; return self."""
        _check_tables(tables)
        cleaners = {
            "application": application.clean,
            "previous_application": previous.clean,
            "pos_cash_balance": pos_cash.clean,
            "credit_card_balance": credit_card.clean,
        }
        self.categories_: dict[str, dict[str, list[str]]] = {}
        for name, columns in CATEGORICAL.items():
            frame = tables.get(name)
            if frame is None:
                cleaned = None
            elif name == "bureau":
                cleaned = bureau.clean(frame, None)
            else:
                cleaned = cleaners[name](frame)
            self.categories_[name] = fit_table_categories(
                cleaned, columns, self.min_category_share, self.max_categories
            )
        empty = {"application": pd.DataFrame({"SK_ID_CURR": pd.Series(dtype="int64")})}
        names = [name for name in self._build(empty) if name != "SK_ID_CURR"]
        self.feature_names_out_ = np.asarray(names, dtype=object)
        self.n_features_out_ = len(self.feature_names_out_)
        return self

    def transform(self, tables: Mapping[str, pd.DataFrame | Columns]) -> pd.DataFrame:
        """Feature table indexed by SK_ID_CURR, one row per application, columns get_feature_names_out()."""
        check_is_fitted(self, "categories_")
        _check_tables(tables)
        columns = self._build(tables)
        ids = columns.pop("SK_ID_CURR")
        # One float64 matrix filled column by column, then a single DataFrame: no per-table frames.
        matrix = np.empty((len(ids), len(self.feature_names_out_)), dtype="float64")
        for j, name in enumerate(self.feature_names_out_):
            matrix[:, j] = columns.pop(name)
        return pd.DataFrame(
            matrix, index=pd.Index(ids.astype("int64"), name="SK_ID_CURR"),
            columns=pd.Index(self.feature_names_out_, dtype=object), copy=False,
        )

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        """Names of the output columns, fixed at fit time."""
        check_is_fitted(self, "feature_names_out_")
        return self.feature_names_out_.copy()

    def _build(self, tables: Mapping[str, pd.DataFrame | Columns]) -> dict[str, np.ndarray]:
        """Every feature as one array aligned on the applications of ``tables``, plus SK_ID_CURR."""
        cats = self.categories_
        app = application.clean(tables.get("application"))
        ids = app["SK_ID_CURR"]
        out = application.features(app, cats["application"])
        children = [
            *bureau.features(bureau.clean(tables.get("bureau"), tables.get("bureau_balance")), cats["bureau"]),
            *previous.features(previous.clean(tables.get("previous_application")), cats["previous_application"]),
            *pos_cash.features(pos_cash.clean(tables.get("pos_cash_balance")), cats["pos_cash_balance"]),
            *installments.features(installments.clean(tables.get("installments_payments"))),
            *credit_card.features(credit_card.clean(tables.get("credit_card_balance")), cats["credit_card_balance"]),
        ]
        for part in children:
            out.update(part.align(ids))
        income = out["AMT_INCOME_TOTAL"]
        out["BURO_DEBT_INCOME_RATIO"] = safe_ratio(np.nan_to_num(out["ACTIVE_AMT_CREDIT_SUM_DEBT_SUM"]), income)
        out["BURO_ANNUITY_INCOME_RATIO"] = safe_ratio(
            np.nan_to_num(out["ACTIVE_AMT_ANNUITY_SUM"]) + out["AMT_ANNUITY"], income
        )
        out["SK_ID_CURR"] = ids
        return out


def _check_tables(tables: Mapping[str, pd.DataFrame | Columns]) -> None:
    """Fail with a clear message on unknown table names or an application table without SK_ID_CURR."""
    unknown = sorted(set(tables) - set(TABLES))
    if unknown:
        raise ValueError(f"unknown table(s) {unknown}; expected names among {list(TABLES)}")
    app = tables.get("application")
    if app is None or column_values(app, "SK_ID_CURR") is None:
        raise ValueError("tables['application'] with an SK_ID_CURR column is required")
