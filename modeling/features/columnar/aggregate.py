"""The columnar aggregation engine: the specs of the table modules (data) turned into Polars expressions.

A spec ``{column: [aggregation, ...]}`` gives ``{prefix}{COLUMN}_{AGG}`` per client, exactly the columns and
values of ``modeling.features.aggregate``: missing values are nulls that every aggregation skips, a sum of
nothing is 0, a mean / min / max of nothing is missing, ``std`` is the sample standard deviation (ddof=1,
two passes as in the reference), ``share`` is the share of the group's rows in each fitted category plus
OTHER (missing values count in the denominator only).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import polars as pl

from modeling.features.aggregate import NUMERIC_AGGS, Spec, category_slugs
from modeling.features.cleaning import DAYS_SENTINEL, MISSING_CODES

F64 = pl.Float64


def aggregate(
    frame: pl.LazyFrame,
    by: str,
    spec: Spec,
    prefix: str,
    categories: Mapping[str, Sequence[str]] | None = None,
    count: bool = True,
) -> pl.LazyFrame:
    """One row per non-missing ``by`` value with the spec's columns (``{prefix}COUNT`` first when ``count``)."""
    exprs = [pl.len().cast(F64).alias(f"{prefix}COUNT")] if count else []
    for column, aggs in spec.items():
        unknown = [agg for agg in aggs if agg != "share" and agg not in NUMERIC_AGGS]
        if unknown:
            raise ValueError(f"unknown aggregation {unknown[0]!r} for column {column!r} (prefix {prefix})")
        for agg in aggs:
            if agg == "share":
                exprs += shares(column, (categories or {})[column], f"{prefix}{column}")
            else:
                exprs.append(_reduce(pl.col(column), agg).alias(f"{prefix}{column}_{agg.upper()}"))
    return frame.filter(pl.col(by).is_not_null()).group_by(by).agg(exprs)


def _reduce(values: pl.Expr, agg: str) -> pl.Expr:
    """One numeric aggregation of a float column whose missing values are nulls."""
    if agg == "sum":
        return values.sum().cast(F64)
    if agg == "std":  # two passes, as the reference: a constant group gives exactly 0
        present = values.count()
        squares = ((values - values.mean()) ** 2).sum()
        return pl.when(present > 1).then((squares / (present - 1)).sqrt()).otherwise(None)
    return getattr(values, agg)().cast(F64)


def shares(column: str, values: Sequence[str], stem: str) -> list[pl.Expr]:
    """``{stem}_{VALUE}_SHARE`` per fitted value and ``{stem}_OTHER_SHARE``: rows in it / rows of the group."""
    names = [f"{stem}_{slug}_SHARE" for slug in category_slugs(values)]
    flags = [*(pl.col(column) == value for value in values), other(column, values)]
    return [(flag.fill_null(False).sum() / pl.len()).cast(F64).alias(name)
            for flag, name in zip(flags, names, strict=True)]


def other(column: str, values: Sequence[str]) -> pl.Expr:
    """True where the text is present and not one of the fitted ``values``."""
    return pl.col(column).is_not_null() & ~pl.col(column).is_in(list(values))


def take(
    frame: pl.LazyFrame, ids: Iterable[str] = (), numbers: Iterable[str] = (), texts: Iterable[str] = ()
) -> pl.LazyFrame:
    """The used columns typed as the reference's ``cleaning.take``: IDs as 64-bit integers, numbers as floats
    with NaN as null (text that is not a number is null), texts as strings with XNA / XAP as null; absent
    columns are nulls."""
    schema = frame.collect_schema()
    exprs = [_typed(schema, column, pl.Int64) for column in ids]
    exprs += [_typed(schema, column, F64).fill_nan(None).alias(column) for column in numbers]
    exprs += [_text(schema, column) for column in texts]
    return frame.select(exprs)


def _typed(schema: pl.Schema, column: str, dtype: pl.DataType) -> pl.Expr:
    """``column`` cast to ``dtype`` (null where it does not convert), or a null column when absent."""
    if column not in schema:
        return pl.lit(None, dtype=dtype).alias(column)
    if schema[column] == pl.String and dtype == F64:
        return pl.col(column).str.strip_chars().cast(F64, strict=False)
    return pl.col(column).cast(dtype, strict=False)


def _text(schema: pl.Schema, column: str) -> pl.Expr:
    """A text column with XNA / XAP as null; numbers are compared as their text."""
    if column not in schema:
        return pl.lit(None, dtype=pl.String).alias(column)
    values = pl.col(column).cast(pl.String)
    return pl.when(values.is_in(list(MISSING_CODES))).then(None).otherwise(values).alias(column)


def clear_sentinel(columns: Iterable[str]) -> list[pl.Expr]:
    """The 365243 'no date' placeholder as null in the float ``columns``."""
    return [pl.when(pl.col(c) == DAYS_SENTINEL).then(None).otherwise(pl.col(c)).alias(c) for c in columns]


def safe_ratio(numerator: pl.Expr, denominator: pl.Expr) -> pl.Expr:
    """numerator / denominator, null where the denominator is 0 (the reference's NaN instead of +-inf)."""
    ratio = numerator / denominator
    return pl.when(ratio.is_infinite() | ratio.is_nan()).then(None).otherwise(ratio)


def late_flag(values: pl.Expr, limit: float) -> pl.Expr:
    """1.0 where ``values`` > ``limit``, 0.0 where not, null where the value is missing."""
    return (values > limit).cast(F64)


def clip_negative(values: pl.Expr) -> pl.Expr:
    """``values`` with negative ones set to 0 (missing stays missing)."""
    return pl.when(values < 0).then(0.0).otherwise(values)

