"""Instalment repayments as Polars queries: the columns of ``modeling.features.installments``."""

from __future__ import annotations

import polars as pl

from modeling.features.columnar.aggregate import (
    aggregate,
    clip_negative,
    late_flag,
    safe_ratio,
    take,
)
from modeling.features.installments import _NUMERIC, LOAN_SPEC, RECENT_DAYS, RECENT_SPEC, SPEC


def clean(frame: pl.LazyFrame) -> pl.LazyFrame:
    """Instalment rows with days late/early, paid ratio and shortfall."""
    c = pl.col
    delay = c("DAYS_ENTRY_PAYMENT") - c("DAYS_INSTALMENT")
    shortfall = clip_negative(c("AMT_INSTALMENT") - c("AMT_PAYMENT"))
    return take(frame, ("SK_ID_PREV", "SK_ID_CURR"), _NUMERIC).with_columns(
        clip_negative(delay).alias("DAYS_LATE"),
        clip_negative(-delay).alias("DAYS_EARLY"),
        late_flag(delay, 0).alias("LATE"),
        late_flag(delay, 30).alias("LATE_30"),
        safe_ratio(c("AMT_PAYMENT"), c("AMT_INSTALMENT")).alias("PAID_RATIO"),
        shortfall.alias("SHORTFALL"),
        late_flag(shortfall, 0).alias("UNDERPAID"),
    )


def features(i: pl.LazyFrame) -> list[pl.LazyFrame]:
    """Per client with instalment history: INSTAL_, INSTAL_12M_ and INSTAL_LOAN_ aggregates."""
    c = pl.col
    loans = (
        i.filter(c("SK_ID_PREV").is_not_null())
        .group_by("SK_ID_PREV")
        .agg(
            c("SK_ID_CURR").max(),
            c("DAYS_LATE").max().alias("WORST_DAYS_LATE"),
            c("LATE").mean().alias("LATE_SHARE"),
            safe_ratio(c("AMT_PAYMENT").sum(), c("AMT_INSTALMENT").sum()).alias("PAID_SHARE"),
        )
        .filter(c("SK_ID_CURR").is_not_null())
    )
    return [
        aggregate(i, "SK_ID_CURR", SPEC, "INSTAL_"),
        aggregate(i.filter(c("DAYS_INSTALMENT") >= -RECENT_DAYS), "SK_ID_CURR", RECENT_SPEC, "INSTAL_12M_"),
        aggregate(loans, "SK_ID_CURR", LOAN_SPEC, "INSTAL_LOAN_"),
    ]
