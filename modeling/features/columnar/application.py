"""Application features as Polars expressions: the columns of ``modeling.features.application``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import polars as pl

from modeling.features.aggregate import category_slugs
from modeling.features.application import _DAYS, CATEGORICAL, DOCUMENTS, ENQUIRIES, NUMERIC, YES_NO
from modeling.features.cleaning import DAYS_SENTINEL
from modeling.features.columnar.aggregate import F64, clear_sentinel, other, safe_ratio, take

_SCORES = ("EXT_SOURCE_1", "EXT_SOURCE_2", "EXT_SOURCE_3")


def clean(frame: pl.LazyFrame) -> pl.LazyFrame:
    """Application columns typed, sentinels and XNA codes cleared, DAYS_EMPLOYED_ANOM kept."""
    app = take(frame, ("SK_ID_CURR",), NUMERIC, (*YES_NO, *CATEGORICAL))
    anomaly = (pl.col("DAYS_EMPLOYED") == DAYS_SENTINEL).fill_null(False).cast(F64).alias("DAYS_EMPLOYED_ANOM")
    return app.with_columns(anomaly).with_columns(clear_sentinel(_DAYS))


def features(categories: Mapping[str, Sequence[str]]) -> list[pl.Expr]:
    """One expression per application feature over the cleaned columns, in the reference's order."""
    c = pl.col
    out = [c(column) for column in NUMERIC] + [c("DAYS_EMPLOYED_ANOM")]
    for column in YES_NO:
        out.append(pl.when(c(column).is_in(["Y", "Yes"])).then(1.0)
                   .when(c(column).is_in(["N", "No"])).then(0.0).otherwise(None).alias(column))
    ratios = {
        "CREDIT_INCOME_RATIO": ("AMT_CREDIT", "AMT_INCOME_TOTAL"),
        "ANNUITY_INCOME_RATIO": ("AMT_ANNUITY", "AMT_INCOME_TOTAL"),
        "ANNUITY_CREDIT_RATIO": ("AMT_ANNUITY", "AMT_CREDIT"),
        "CREDIT_ANNUITY_RATIO": ("AMT_CREDIT", "AMT_ANNUITY"),
        "GOODS_CREDIT_RATIO": ("AMT_GOODS_PRICE", "AMT_CREDIT"),
        "INCOME_PER_PERSON": ("AMT_INCOME_TOTAL", "CNT_FAM_MEMBERS"),
        "EMPLOYED_AGE_RATIO": ("DAYS_EMPLOYED", "DAYS_BIRTH"),
        "ID_PUBLISH_AGE_RATIO": ("DAYS_ID_PUBLISH", "DAYS_BIRTH"),
    }
    out += [safe_ratio(c(a), c(b)).alias(name) for name, (a, b) in ratios.items()]
    present = pl.sum_horizontal([c(s).is_not_null().cast(F64) for s in _SCORES])
    mean = pl.sum_horizontal([c(s) for s in _SCORES]) / present
    squares = pl.sum_horizontal([(c(s) - mean) ** 2 for s in _SCORES])
    known = present > 0
    out += [
        pl.when(known).then(mean).alias("EXT_SOURCE_MEAN"),
        pl.min_horizontal([c(s) for s in _SCORES]).alias("EXT_SOURCE_MIN"),
        pl.max_horizontal([c(s) for s in _SCORES]).alias("EXT_SOURCE_MAX"),
        pl.when(known).then((squares / present).sqrt()).alias("EXT_SOURCE_STD"),  # population, as numpy.nanstd
        (len(_SCORES) - present).alias("EXT_SOURCE_MISSING_COUNT"),
        _sum_present(DOCUMENTS).alias("DOCUMENT_COUNT"),
        _sum_present(ENQUIRIES).alias("ENQUIRY_COUNT"),
    ]
    for column in CATEGORICAL:
        out += one_hot(column, categories.get(column, []))
    return out


def _sum_present(columns: Sequence[str]) -> pl.Expr:
    """Row sums ignoring missing values; missing when every value of the row is missing."""
    any_present = pl.any_horizontal([pl.col(column).is_not_null() for column in columns])
    return pl.when(any_present).then(pl.sum_horizontal([pl.col(column) for column in columns]))


def one_hot(column: str, values: Sequence[str]) -> list[pl.Expr]:
    """0/1 columns ``{column}_{VALUE}`` per fitted value plus ``{column}_OTHER``; missing gives all zeros."""
    flags = [*(pl.col(column) == value for value in values), other(column, values)]
    return [flag.fill_null(False).cast(F64).alias(f"{column}_{slug}")
            for flag, slug in zip(flags, category_slugs(values), strict=True)]
