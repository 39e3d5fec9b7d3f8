"""Previous Home Credit applications as Polars queries: the columns of ``modeling.features.previous``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import polars as pl

from modeling.features.columnar.aggregate import aggregate, clear_sentinel, safe_ratio, take
from modeling.features.previous import _DATES, _NUMERIC, CATEGORICAL, RECENT_DAYS, SPEC, SPLIT_SPEC


def clean(frame: pl.LazyFrame) -> pl.LazyFrame:
    """Previous applications with sentinels/XNA cleared and derived ratios."""
    c = pl.col
    p = take(frame, ("SK_ID_PREV", "SK_ID_CURR"), _NUMERIC, CATEGORICAL).with_columns(clear_sentinel(_DATES))
    return p.with_columns(
        safe_ratio(c("AMT_APPLICATION"), c("AMT_CREDIT")).alias("APPLICATION_CREDIT_RATIO"),
        safe_ratio(c("AMT_ANNUITY"), c("AMT_CREDIT")).alias("ANNUITY_CREDIT_RATIO"),
        (c("DAYS_LAST_DUE") - c("DAYS_LAST_DUE_1ST_VERSION")).alias("LAST_DUE_DELAY"),
    )


def features(p: pl.LazyFrame, categories: Mapping[str, Sequence[str]]) -> list[pl.LazyFrame]:
    """Per client with previous applications: PREV_, APPROVED_, REFUSED_ and PREV_12M_ aggregates."""
    status = pl.col("NAME_CONTRACT_STATUS")
    return [
        aggregate(p, "SK_ID_CURR", SPEC, "PREV_", categories),
        aggregate(p.filter(status == "Approved"), "SK_ID_CURR", SPLIT_SPEC, "APPROVED_"),
        aggregate(p.filter(status == "Refused"), "SK_ID_CURR", SPLIT_SPEC, "REFUSED_"),
        aggregate(p.filter(pl.col("DAYS_DECISION") >= -RECENT_DAYS), "SK_ID_CURR",
                  {"NAME_CONTRACT_STATUS": ["share"]}, "PREV_12M_",
                  {"NAME_CONTRACT_STATUS": categories["NAME_CONTRACT_STATUS"]}),
    ]
