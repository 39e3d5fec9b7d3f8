"""Credits with other lenders as Polars queries: the columns of ``modeling.features.bureau``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import polars as pl

from modeling.features.bureau import (
    _NUMERIC,
    _STATUS_CODES,
    BB_SPEC,
    CATEGORICAL,
    RECENT_MONTHS,
    SPEC,
    SPLIT_SPEC,
)
from modeling.features.columnar.aggregate import F64, aggregate, safe_ratio, take

_BB_RENAMED = {"BB_COUNT": "BB_MONTHS_COUNT", "BB_DPD_MEAN": "BB_DPD_SHARE", "BB_DPD_12M_MEAN": "BB_DPD_12M_SHARE",
               "BB_WORST_MAX": "BB_WORST_STATUS", "BB_UNKNOWN_MEAN": "BB_UNKNOWN_SHARE"}
#: Position of each bureau_balance STATUS code (other or missing values: null).
_CODES = {code: position for position, code in enumerate(_STATUS_CODES)}


def balance_per_credit(balance: pl.LazyFrame) -> pl.LazyFrame:
    """One row per SK_ID_BUREAU summarising its months: length, share late, worst delay band."""
    status = balance.collect_schema().get("STATUS")
    if status is not None and status.is_numeric():  # a file of digits only: 0.0 is the code "0"
        balance = balance.with_columns(pl.col("STATUS").cast(pl.Int64, strict=False).cast(pl.String))
    bb = take(balance, ("SK_ID_BUREAU",), ("MONTHS_BALANCE",), ("STATUS",)).with_columns(
        pl.col("STATUS").replace_strict(_CODES, default=None, return_dtype=pl.Int8).alias("CODE"))
    band = pl.when(pl.col("CODE") <= 5).then(pl.col("CODE").cast(F64))
    late = (band > 0).fill_null(False).cast(F64)
    rows = bb.select(
        "SK_ID_BUREAU",
        late.alias("DPD"),
        pl.when(pl.col("MONTHS_BALANCE") >= -RECENT_MONTHS).then(late).alias("DPD_12M"),
        band.alias("WORST"),
        (pl.col("CODE") == _STATUS_CODES.index("X")).fill_null(False).cast(F64).alias("UNKNOWN"),
    )
    per = aggregate(rows, "SK_ID_BUREAU",
                    {"DPD": ["mean"], "DPD_12M": ["mean"], "WORST": ["max"], "UNKNOWN": ["mean"]}, "BB_")
    return per.rename(_BB_RENAMED)


def clean(bureau: pl.LazyFrame, balance: pl.LazyFrame) -> pl.LazyFrame:
    """Bureau credits with derived ratios and their monthly-history summary (BB_*) joined."""
    c = pl.col
    b = take(bureau, ("SK_ID_CURR", "SK_ID_BUREAU"), _NUMERIC, CATEGORICAL).with_columns(
        (c("DAYS_CREDIT_ENDDATE") - c("DAYS_CREDIT")).alias("CREDIT_DURATION"),
        safe_ratio(c("AMT_CREDIT_SUM_DEBT"), c("AMT_CREDIT_SUM")).alias("DEBT_CREDIT_RATIO"),
        safe_ratio(c("AMT_CREDIT_SUM_OVERDUE"), c("AMT_CREDIT_SUM_DEBT")).alias("OVERDUE_DEBT_RATIO"),
    )
    return b.join(balance_per_credit(balance), on="SK_ID_BUREAU", how="left", maintain_order="left")


def features(b: pl.LazyFrame, categories: Mapping[str, Sequence[str]]) -> list[pl.LazyFrame]:
    """Per client with bureau credits: BURO_, ACTIVE_, CLOSED_ and BB_ aggregates."""
    bb_spec = {f"BB_{k}": v for k, v in BB_SPEC.items()}
    active = pl.col("CREDIT_ACTIVE")
    return [
        aggregate(b, "SK_ID_CURR", SPEC, "BURO_", categories),
        aggregate(b.filter(active == "Active"), "SK_ID_CURR", SPLIT_SPEC, "ACTIVE_"),
        aggregate(b.filter(active == "Closed"), "SK_ID_CURR", SPLIT_SPEC, "CLOSED_"),
        aggregate(b.filter(pl.col("BB_MONTHS_COUNT").is_not_null()), "SK_ID_CURR", bb_spec, "", count=False),
    ]
