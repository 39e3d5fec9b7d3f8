"""Monthly statements of point-of-sale and cash loans (POS_, POS_LOAN_).

POS_ aggregates every monthly row of the client; POS_LOAN_ first summarises each loan from its
latest statement (share of instalments still to pay, completed or not) then over the loans.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from modeling.features.aggregate import Aggregated, Columns, aggregate_columns, safe_ratio
from modeling.features.cleaning import late_flag, take

CATEGORICAL = ("NAME_CONTRACT_STATUS",)
_NUMERIC = ("MONTHS_BALANCE", "CNT_INSTALMENT", "CNT_INSTALMENT_FUTURE", "SK_DPD", "SK_DPD_DEF")
SPEC: dict[str, list[str]] = {
    "MONTHS_BALANCE": ["min", "max"],
    "CNT_INSTALMENT": ["mean", "max"],
    "CNT_INSTALMENT_FUTURE": ["mean"],
    "SK_DPD": ["max", "mean"],
    "SK_DPD_DEF": ["max", "mean"],
    "LATE": ["mean", "sum"],
    "NAME_CONTRACT_STATUS": ["share"],
}
LOAN_SPEC: dict[str, list[str]] = {
    "REMAINING_SHARE": ["mean", "max"],
    "COMPLETED": ["mean"],
    "WORST_DPD": ["mean", "max"],
}


def clean(frame: pd.DataFrame | Columns | None) -> dict[str, np.ndarray]:
    """POS/cash monthly rows with a late-month flag."""
    p = take(frame, ("SK_ID_PREV", "SK_ID_CURR"), _NUMERIC, CATEGORICAL)
    p["LATE"] = late_flag(p["SK_DPD"], 0)
    return p


def features(p: dict[str, np.ndarray], categories: Mapping[str, Sequence[str]]) -> list[Aggregated]:
    """Per client with POS/cash statements: POS_ and POS_LOAN_ aggregates."""
    # Latest statement of each loan: last row once sorted by loan then month (missing months last).
    months = p["MONTHS_BALANCE"]
    order = np.lexsort((np.where(np.isnan(months), np.inf, months), p["SK_ID_PREV"]))
    loan_ids = p["SK_ID_PREV"][order]
    last = order[np.r_[loan_ids[1:] != loan_ids[:-1], True]] if len(order) else order
    worst = aggregate_columns(p, "SK_ID_PREV", {"SK_DPD": ["max"]}, "", count=False)
    loans = {
        "SK_ID_CURR": p["SK_ID_CURR"][last],
        "REMAINING_SHARE": safe_ratio(p["CNT_INSTALMENT_FUTURE"][last], p["CNT_INSTALMENT"][last]),
        "COMPLETED": (p["NAME_CONTRACT_STATUS"][last] == "Completed").astype("float64"),
        "WORST_DPD": worst.align(p["SK_ID_PREV"][last], fill_counts=False)["SK_DPD_MAX"],
    }
    return [
        aggregate_columns(p, "SK_ID_CURR", SPEC, "POS_", categories),
        aggregate_columns(loans, "SK_ID_CURR", LOAN_SPEC, "POS_LOAN_"),
    ]
