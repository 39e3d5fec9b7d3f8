"""Monthly credit card statements at Home Credit (CC_ all months, CC_12M_ the last 12 months).

Utilisation = balance / credit limit (NaN when the limit is 0); minimum-payment ratio = amount
paid in the month / minimum instalment asked.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from modeling.features.aggregate import Aggregated, Columns, aggregate_columns, safe_ratio
from modeling.features.cleaning import late_flag, select, take

CATEGORICAL = ("NAME_CONTRACT_STATUS",)
_NUMERIC = (
    "MONTHS_BALANCE", "AMT_BALANCE", "AMT_CREDIT_LIMIT_ACTUAL", "AMT_DRAWINGS_ATM_CURRENT",
    "AMT_DRAWINGS_CURRENT", "AMT_INST_MIN_REGULARITY", "AMT_PAYMENT_CURRENT",
    "AMT_PAYMENT_TOTAL_CURRENT", "AMT_RECEIVABLE_PRINCIPAL", "AMT_TOTAL_RECEIVABLE",
    "CNT_DRAWINGS_ATM_CURRENT", "CNT_DRAWINGS_CURRENT", "CNT_INSTALMENT_MATURE_CUM",
    "SK_DPD", "SK_DPD_DEF",
)
SPEC: dict[str, list[str]] = {
    "MONTHS_BALANCE": ["min"],
    "AMT_BALANCE": ["max", "mean"],
    "AMT_CREDIT_LIMIT_ACTUAL": ["max", "mean"],
    "UTILISATION": ["max", "mean"],
    "AMT_DRAWINGS_CURRENT": ["max", "mean", "sum"],
    "AMT_DRAWINGS_ATM_CURRENT": ["max", "mean", "sum"],
    "CNT_DRAWINGS_CURRENT": ["max", "mean", "sum"],
    "CNT_DRAWINGS_ATM_CURRENT": ["mean"],
    "AMT_PAYMENT_TOTAL_CURRENT": ["mean", "sum"],
    "AMT_INST_MIN_REGULARITY": ["mean"],
    "MIN_PAYMENT_RATIO": ["min", "mean"],
    "AMT_RECEIVABLE_PRINCIPAL": ["mean"],
    "AMT_TOTAL_RECEIVABLE": ["mean"],
    "CNT_INSTALMENT_MATURE_CUM": ["max"],
    "SK_DPD": ["max", "mean"],
    "SK_DPD_DEF": ["max", "mean"],
    "LATE": ["mean"],
    "NAME_CONTRACT_STATUS": ["share"],
}
RECENT_SPEC: dict[str, list[str]] = {
    "UTILISATION": ["max", "mean"],
    "AMT_DRAWINGS_CURRENT": ["mean"],
    "SK_DPD": ["max"],
    "LATE": ["mean"],
}
RECENT_MONTHS = 12


def clean(frame: pd.DataFrame | Columns | None) -> dict[str, np.ndarray]:
    """Card statements with utilisation, minimum-payment ratio and a late-month flag."""
    c = take(frame, ("SK_ID_PREV", "SK_ID_CURR"), _NUMERIC, CATEGORICAL)
    c["UTILISATION"] = safe_ratio(c["AMT_BALANCE"], c["AMT_CREDIT_LIMIT_ACTUAL"])
    c["MIN_PAYMENT_RATIO"] = safe_ratio(c["AMT_PAYMENT_CURRENT"], c["AMT_INST_MIN_REGULARITY"])
    c["LATE"] = late_flag(c["SK_DPD"], 0)
    return c


def features(c: dict[str, np.ndarray], categories: Mapping[str, Sequence[str]]) -> list[Aggregated]:
    """Per client with card statements: CC_ and CC_12M_ aggregates."""
    return [
        aggregate_columns(c, "SK_ID_CURR", SPEC, "CC_", categories),
        aggregate_columns(select(c, c["MONTHS_BALANCE"] >= -RECENT_MONTHS), "SK_ID_CURR", RECENT_SPEC, "CC_12M_"),
    ]
