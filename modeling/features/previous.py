"""Previous applications at Home Credit: all (PREV_), approved (APPROVED_) and refused (REFUSED_).

The DAYS_FIRST_DRAWING .. DAYS_TERMINATION columns use 365243 for "no date" (cleared to NaN).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from modeling.features.aggregate import Aggregated, Columns, aggregate_columns, safe_ratio
from modeling.features.cleaning import clear_sentinel, select, take

CATEGORICAL = (
    "NAME_CONTRACT_TYPE", "NAME_CONTRACT_STATUS", "NAME_PAYMENT_TYPE", "CODE_REJECT_REASON",
    "NAME_CLIENT_TYPE", "NAME_PORTFOLIO", "NAME_PRODUCT_TYPE", "CHANNEL_TYPE",
    "NAME_YIELD_GROUP", "PRODUCT_COMBINATION", "NAME_GOODS_CATEGORY", "NAME_SELLER_INDUSTRY",
)
_DATES = (
    "DAYS_FIRST_DRAWING", "DAYS_FIRST_DUE", "DAYS_LAST_DUE_1ST_VERSION", "DAYS_LAST_DUE",
    "DAYS_TERMINATION",
)
_NUMERIC = (
    "AMT_ANNUITY", "AMT_APPLICATION", "AMT_CREDIT", "AMT_DOWN_PAYMENT", "AMT_GOODS_PRICE",
    "HOUR_APPR_PROCESS_START", "RATE_DOWN_PAYMENT", "DAYS_DECISION", "CNT_PAYMENT",
    "NFLAG_INSURED_ON_APPROVAL", *_DATES,
)
SPEC: dict[str, list[str]] = {
    "AMT_ANNUITY": ["min", "max", "mean"],
    "AMT_APPLICATION": ["min", "max", "mean"],
    "AMT_CREDIT": ["min", "max", "mean", "sum"],
    "APPLICATION_CREDIT_RATIO": ["min", "max", "mean"],
    "AMT_DOWN_PAYMENT": ["max", "mean"],
    "AMT_GOODS_PRICE": ["min", "max", "mean"],
    "RATE_DOWN_PAYMENT": ["max", "mean"],
    "HOUR_APPR_PROCESS_START": ["mean"],
    "DAYS_DECISION": ["min", "max", "mean"],
    "CNT_PAYMENT": ["mean", "sum"],
    "ANNUITY_CREDIT_RATIO": ["mean", "max"],
    "DAYS_LAST_DUE_1ST_VERSION": ["max", "mean"],
    "DAYS_TERMINATION": ["max"],
    "LAST_DUE_DELAY": ["mean", "max"],
    "NFLAG_INSURED_ON_APPROVAL": ["mean"],
    **{c: ["share"] for c in CATEGORICAL},
}
SPLIT_SPEC: dict[str, list[str]] = {
    "AMT_ANNUITY": ["max", "mean"],
    "AMT_APPLICATION": ["max", "mean"],
    "AMT_CREDIT": ["max", "mean", "sum"],
    "APPLICATION_CREDIT_RATIO": ["min", "mean"],
    "AMT_GOODS_PRICE": ["max", "mean"],
    "DAYS_DECISION": ["min", "max", "mean"],
    "CNT_PAYMENT": ["mean", "sum"],
}
RECENT_DAYS = 365


def clean(frame: pd.DataFrame | Columns | None) -> dict[str, np.ndarray]:
    """Previous applications with sentinels/XNA cleared and derived ratios."""
    p = take(frame, ("SK_ID_PREV", "SK_ID_CURR"), _NUMERIC, CATEGORICAL)
    clear_sentinel(p, _DATES)
    p["APPLICATION_CREDIT_RATIO"] = safe_ratio(p["AMT_APPLICATION"], p["AMT_CREDIT"])
    p["ANNUITY_CREDIT_RATIO"] = safe_ratio(p["AMT_ANNUITY"], p["AMT_CREDIT"])
    # Days between the planned and the actual last due date: positive means the loan ran longer.
    p["LAST_DUE_DELAY"] = p["DAYS_LAST_DUE"] - p["DAYS_LAST_DUE_1ST_VERSION"]
    return p


def features(p: dict[str, np.ndarray], categories: Mapping[str, Sequence[str]]) -> list[Aggregated]:
    """Per client with previous applications: PREV_, APPROVED_, REFUSED_ and PREV_12M_ aggregates."""
    status = p["NAME_CONTRACT_STATUS"]
    return [
        aggregate_columns(p, "SK_ID_CURR", SPEC, "PREV_", categories),
        aggregate_columns(select(p, status == "Approved"), "SK_ID_CURR", SPLIT_SPEC, "APPROVED_"),
        aggregate_columns(select(p, status == "Refused"), "SK_ID_CURR", SPLIT_SPEC, "REFUSED_"),
        aggregate_columns(select(p, p["DAYS_DECISION"] >= -RECENT_DAYS), "SK_ID_CURR",
                          {"NAME_CONTRACT_STATUS": ["share"]}, "PREV_12M_",
                          {"NAME_CONTRACT_STATUS": categories["NAME_CONTRACT_STATUS"]}),
    ]
