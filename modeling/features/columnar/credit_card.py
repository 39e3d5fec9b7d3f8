"""Credit card statements as Polars queries: the columns of ``modeling.features.credit_card``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import polars as pl

from modeling.features.columnar.aggregate import aggregate, late_flag, safe_ratio, take
from modeling.features.credit_card import _NUMERIC, CATEGORICAL, RECENT_MONTHS, RECENT_SPEC, SPEC


def clean(frame: pl.LazyFrame) -> pl.LazyFrame:
    """Card statements with utilisation, minimum-payment ratio and a late-month flag."""
    c = pl.col
    return take(frame, ("SK_ID_PREV", "SK_ID_CURR"), _NUMERIC, CATEGORICAL).with_columns(
        safe_ratio(c("AMT_BALANCE"), c("AMT_CREDIT_LIMIT_ACTUAL")).alias("UTILISATION"),
        safe_ratio(c("AMT_PAYMENT_CURRENT"), c("AMT_INST_MIN_REGULARITY")).alias("MIN_PAYMENT_RATIO"),
        late_flag(c("SK_DPD"), 0).alias("LATE"),
    )


def features(c: pl.LazyFrame, categories: Mapping[str, Sequence[str]]) -> list[pl.LazyFrame]:
    """Per client with card statements: CC_ and CC_12M_ aggregates."""
    return [
        aggregate(c, "SK_ID_CURR", SPEC, "CC_", categories),
        aggregate(c.filter(pl.col("MONTHS_BALANCE") >= -RECENT_MONTHS), "SK_ID_CURR", RECENT_SPEC, "CC_12M_"),
    ]
