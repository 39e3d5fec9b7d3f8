"""Credits with other lenders: bureau_balance months -> each bureau credit -> the client.

Prefixes: ``BURO_`` all reported credits, ``ACTIVE_`` / ``CLOSED_`` the credits still running or
closed, ``BB_`` the monthly status history of each credit (first summarised per credit, then over
the client's credits). A bureau_balance STATUS is a fixed code list: ``0`` no delay, ``1``..``5``
delay bands of 30 days (5 = over 120 days or sold), ``C`` closed, ``X`` unknown.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from modeling.features.aggregate import (
    Aggregated,
    Columns,
    aggregate_columns,
    column_values,
    safe_ratio,
)
from modeling.features.cleaning import select, take

CATEGORICAL = ("CREDIT_ACTIVE", "CREDIT_TYPE", "CREDIT_CURRENCY")
_NUMERIC = (
    "DAYS_CREDIT", "CREDIT_DAY_OVERDUE", "DAYS_CREDIT_ENDDATE", "DAYS_ENDDATE_FACT",
    "AMT_CREDIT_MAX_OVERDUE", "CNT_CREDIT_PROLONG", "AMT_CREDIT_SUM", "AMT_CREDIT_SUM_DEBT",
    "AMT_CREDIT_SUM_LIMIT", "AMT_CREDIT_SUM_OVERDUE", "DAYS_CREDIT_UPDATE", "AMT_ANNUITY",
)
#: Numeric aggregations over all credits, and (SPLIT_SPEC) over active and closed credits apart.
SPEC: dict[str, list[str]] = {
    "DAYS_CREDIT": ["min", "max", "mean"],
    "DAYS_CREDIT_ENDDATE": ["min", "max", "mean"],
    "DAYS_ENDDATE_FACT": ["max", "mean"],
    "DAYS_CREDIT_UPDATE": ["mean"],
    "CREDIT_DAY_OVERDUE": ["max", "mean"],
    "AMT_CREDIT_MAX_OVERDUE": ["max", "mean"],
    "AMT_CREDIT_SUM": ["max", "mean", "sum"],
    "AMT_CREDIT_SUM_DEBT": ["max", "mean", "sum"],
    "AMT_CREDIT_SUM_OVERDUE": ["max", "sum"],
    "AMT_CREDIT_SUM_LIMIT": ["mean", "sum"],
    "AMT_ANNUITY": ["max", "mean"],
    "CNT_CREDIT_PROLONG": ["sum"],
    "CREDIT_DURATION": ["mean", "max"],
    "DEBT_CREDIT_RATIO": ["mean", "max"],
    "OVERDUE_DEBT_RATIO": ["mean", "max"],
    "CREDIT_TYPE": ["share"],
    "CREDIT_ACTIVE": ["share"],
    "CREDIT_CURRENCY": ["share"],
}
SPLIT_SPEC: dict[str, list[str]] = {
    "DAYS_CREDIT": ["min", "max", "mean"],
    "DAYS_CREDIT_ENDDATE": ["min", "max", "mean"],
    "CREDIT_DAY_OVERDUE": ["max"],
    "AMT_CREDIT_MAX_OVERDUE": ["max"],
    "AMT_CREDIT_SUM": ["max", "sum"],
    "AMT_CREDIT_SUM_DEBT": ["max", "sum"],
    "AMT_CREDIT_SUM_OVERDUE": ["sum"],
    "AMT_ANNUITY": ["sum"],
    "DEBT_CREDIT_RATIO": ["mean", "max"],
    "BB_DPD_SHARE": ["mean", "max"],
}
#: Per-credit summaries of the monthly history, then aggregated over the client's credits.
BB_SPEC: dict[str, list[str]] = {
    "MONTHS_COUNT": ["mean", "sum"],
    "DPD_SHARE": ["mean", "max"],
    "DPD_12M_SHARE": ["mean", "max"],
    "WORST_STATUS": ["max"],
    "UNKNOWN_SHARE": ["mean"],
}
_STATUS_CODES = ["0", "1", "2", "3", "4", "5", "C", "X"]
RECENT_MONTHS = 12


def balance_per_credit(balance: pd.DataFrame | Columns | None) -> Aggregated:
    """One row per SK_ID_BUREAU summarising its months: length, share late, worst delay band."""
    bb = take(balance, ("SK_ID_BUREAU",), ("MONTHS_BALANCE",))
    status = column_values(balance, "STATUS") if balance is not None else None
    if status is None:
        codes = np.full(len(bb["SK_ID_BUREAU"]), -1, dtype="int8")
    else:
        if status.dtype != object:
            status = pd.Series(status).astype("Int64").astype(str)
        # Status codes through a categorical: one hash pass over the (possibly 27 million) rows.
        codes = pd.Categorical(status, categories=_STATUS_CODES).codes
    band = np.where((codes >= 0) & (codes <= 5), codes, np.nan)
    late = (band > 0).astype("float64")  # C (closed), X (unknown) and no delay count as 0
    months = bb["MONTHS_BALANCE"]
    rows = {
        "SK_ID_BUREAU": bb["SK_ID_BUREAU"],
        "DPD": late,
        "DPD_12M": np.where(months >= -RECENT_MONTHS, late, np.nan),
        "WORST": band,
        "UNKNOWN": (codes == _STATUS_CODES.index("X")).astype("float64"),
    }
    per = aggregate_columns(
        rows, "SK_ID_BUREAU",
        {"DPD": ["mean"], "DPD_12M": ["mean"], "WORST": ["max"], "UNKNOWN": ["mean"]}, "BB_",
    )
    renamed = {"BB_COUNT": "BB_MONTHS_COUNT", "BB_DPD_MEAN": "BB_DPD_SHARE", "BB_DPD_12M_MEAN": "BB_DPD_12M_SHARE",
               "BB_WORST_MAX": "BB_WORST_STATUS", "BB_UNKNOWN_MEAN": "BB_UNKNOWN_SHARE"}
    return Aggregated(per.keys, {renamed[k]: v for k, v in per.columns.items()})


def clean(bureau: pd.DataFrame | Columns | None, balance: pd.DataFrame | Columns | None) -> dict[str, np.ndarray]:
    """Bureau credits with derived ratios and their monthly-history summary (BB_*) joined."""
    b = take(bureau, ("SK_ID_CURR", "SK_ID_BUREAU"), _NUMERIC, CATEGORICAL)
    b["CREDIT_DURATION"] = b["DAYS_CREDIT_ENDDATE"] - b["DAYS_CREDIT"]
    b["DEBT_CREDIT_RATIO"] = safe_ratio(b["AMT_CREDIT_SUM_DEBT"], b["AMT_CREDIT_SUM"])
    b["OVERDUE_DEBT_RATIO"] = safe_ratio(b["AMT_CREDIT_SUM_OVERDUE"], b["AMT_CREDIT_SUM_DEBT"])
    b.update(balance_per_credit(balance).align(b["SK_ID_BUREAU"], fill_counts=False))
    return b


def features(b: dict[str, np.ndarray], categories: Mapping[str, Sequence[str]]) -> list[Aggregated]:
    """Per client with bureau credits: BURO_, ACTIVE_, CLOSED_ and BB_ aggregates."""
    bb_spec = {f"BB_{k}": v for k, v in BB_SPEC.items()}
    return [
        aggregate_columns(b, "SK_ID_CURR", SPEC, "BURO_", categories),
        aggregate_columns(select(b, b["CREDIT_ACTIVE"] == "Active"), "SK_ID_CURR", SPLIT_SPEC, "ACTIVE_"),
        aggregate_columns(select(b, b["CREDIT_ACTIVE"] == "Closed"), "SK_ID_CURR", SPLIT_SPEC, "CLOSED_"),
        aggregate_columns(select(b, ~np.isnan(b["BB_MONTHS_COUNT"])), "SK_ID_CURR", bb_spec, "", count=False),
    ]
