"""POS and cash loan statements as Polars queries: the columns of ``modeling.features.pos_cash``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import polars as pl

from modeling.features.columnar.aggregate import F64, aggregate, late_flag, safe_ratio, take
from modeling.features.pos_cash import _NUMERIC, CATEGORICAL, LOAN_SPEC, SPEC


def clean(frame: pl.LazyFrame) -> pl.LazyFrame:
    """POS/cash monthly rows with a late-month flag."""
    p = take(frame, ("SK_ID_PREV", "SK_ID_CURR"), _NUMERIC, CATEGORICAL)
    return p.with_columns(late_flag(pl.col("SK_DPD"), 0).alias("LATE"))


def features(p: pl.LazyFrame, categories: Mapping[str, Sequence[str]]) -> list[pl.LazyFrame]:
    """Per client with POS/cash statements: POS_ and POS_LOAN_ aggregates."""
    c = pl.col
    # Latest statement of each loan: last row once sorted by month (missing months last, ties in row order).
    month = c("MONTHS_BALANCE").fill_null(float("inf"))
    loans = p.group_by("SK_ID_PREV").agg(
        c("SK_ID_CURR").sort_by(month, maintain_order=True).last(),
        safe_ratio(c("CNT_INSTALMENT_FUTURE"), c("CNT_INSTALMENT")).sort_by(month, maintain_order=True).last()
        .alias("REMAINING_SHARE"),
        (c("NAME_CONTRACT_STATUS") == "Completed").fill_null(False).cast(F64).sort_by(month, maintain_order=True)
        .last().alias("COMPLETED"),
        c("SK_DPD").max().alias("WORST_DPD"),
    )
    return [
        aggregate(p, "SK_ID_CURR", SPEC, "POS_", categories),
        aggregate(loans, "SK_ID_CURR", LOAN_SPEC, "POS_LOAN_"),
    ]
