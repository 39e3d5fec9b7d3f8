"""Repayment of Home Credit loans, instalment by instalment (INSTAL_, INSTAL_12M_, INSTAL_LOAN_).

Days late = DAYS_ENTRY_PAYMENT - DAYS_INSTALMENT clipped at 0 (days early: the other side).
Paid ratio = AMT_PAYMENT / AMT_INSTALMENT; shortfall = unpaid part of the instalment, clipped at 0.
A partly paid instalment appears as several payment rows; each row is counted as it is.
INSTAL_12M_ keeps the instalments due in the last 12 months; INSTAL_LOAN_ first summarises each
previous loan (worst delay, share of late instalments) then averages / takes the worst over loans.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from modeling.features.aggregate import Aggregated, Columns, aggregate_columns, safe_ratio
from modeling.features.cleaning import late_flag, select, take

_NUMERIC = (
    "NUM_INSTALMENT_VERSION", "NUM_INSTALMENT_NUMBER", "DAYS_INSTALMENT", "DAYS_ENTRY_PAYMENT",
    "AMT_INSTALMENT", "AMT_PAYMENT",
)
SPEC: dict[str, list[str]] = {
    "DAYS_LATE": ["max", "mean", "sum"],
    "DAYS_EARLY": ["max", "mean"],
    "LATE": ["mean", "sum"],
    "LATE_30": ["mean", "sum"],
    "PAID_RATIO": ["min", "mean", "std"],
    "SHORTFALL": ["max", "mean", "sum"],
    "UNDERPAID": ["mean", "sum"],
    "AMT_INSTALMENT": ["max", "mean", "sum"],
    "AMT_PAYMENT": ["min", "max", "mean", "sum"],
    "DAYS_ENTRY_PAYMENT": ["max", "mean"],
    "DAYS_INSTALMENT": ["min", "max"],
}
RECENT_SPEC: dict[str, list[str]] = {
    "DAYS_LATE": ["max", "mean"],
    "LATE": ["mean"],
    "PAID_RATIO": ["mean"],
    "SHORTFALL": ["sum"],
}
LOAN_SPEC: dict[str, list[str]] = {
    "WORST_DAYS_LATE": ["mean", "max"],
    "LATE_SHARE": ["mean", "max"],
    "PAID_SHARE": ["mean", "min"],
}
RECENT_DAYS = 365


def clean(frame: pd.DataFrame | Columns | None) -> dict[str, np.ndarray]:
    """Instalment rows with days late/early, paid ratio and shortfall."""
    i = take(frame, ("SK_ID_PREV", "SK_ID_CURR"), _NUMERIC)
    delay = i["DAYS_ENTRY_PAYMENT"] - i["DAYS_INSTALMENT"]
    i["DAYS_LATE"] = np.where(delay < 0, 0.0, delay)
    i["DAYS_EARLY"] = np.where(delay > 0, 0.0, -delay)
    i["LATE"] = late_flag(delay, 0)
    i["LATE_30"] = late_flag(delay, 30)
    i["PAID_RATIO"] = safe_ratio(i["AMT_PAYMENT"], i["AMT_INSTALMENT"])
    shortfall = i["AMT_INSTALMENT"] - i["AMT_PAYMENT"]
    i["SHORTFALL"] = np.where(shortfall < 0, 0.0, shortfall)
    i["UNDERPAID"] = late_flag(i["SHORTFALL"], 0)
    return i


def features(i: dict[str, np.ndarray]) -> list[Aggregated]:
    """Per client with instalment history: INSTAL_, INSTAL_12M_ and INSTAL_LOAN_ aggregates."""
    per_loan = aggregate_columns(
        i, "SK_ID_PREV",
        {"SK_ID_CURR": ["max"], "DAYS_LATE": ["max"], "LATE": ["mean"], "AMT_PAYMENT": ["sum"],
         "AMT_INSTALMENT": ["sum"]}, "", count=False,
    ).columns
    known = ~np.isnan(per_loan["SK_ID_CURR_MAX"])
    loans = {
        "SK_ID_CURR": per_loan["SK_ID_CURR_MAX"][known].astype("int64"),
        "WORST_DAYS_LATE": per_loan["DAYS_LATE_MAX"][known],
        "LATE_SHARE": per_loan["LATE_MEAN"][known],
        "PAID_SHARE": safe_ratio(per_loan["AMT_PAYMENT_SUM"], per_loan["AMT_INSTALMENT_SUM"])[known],
    }
    return [
        aggregate_columns(i, "SK_ID_CURR", SPEC, "INSTAL_"),
        aggregate_columns(select(i, i["DAYS_INSTALMENT"] >= -RECENT_DAYS), "SK_ID_CURR", RECENT_SPEC, "INSTAL_12M_"),
        aggregate_columns(loans, "SK_ID_CURR", LOAN_SPEC, "INSTAL_LOAN_"),
    ]
