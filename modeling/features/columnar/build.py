"""The seven tables to the feature matrix in one Polars query: one client, a partition or the portfolio.

Tables come as Arrow tables, Polars frames, pandas frames or ``{column: array}`` dictionaries (the serving
read); each table module turns its rows into per-client aggregates, joined on the applications in their
order. The result is the float64 matrix of ``FeatureBuilder.transform``: the trees' thresholds are float64,
so a feature rounded to float32 could cross one and change a served probability.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa

from modeling.features.columnar import (
    application,
    bureau,
    credit_card,
    installments,
    pos_cash,
    previous,
)
from modeling.features.columnar.aggregate import safe_ratio

Table = pa.Table | pl.DataFrame | pl.LazyFrame | pd.DataFrame | Mapping[str, np.ndarray]


def lazy(table: Table | None) -> pl.LazyFrame:
    """A table of any accepted kind as a LazyFrame (an empty one for a missing table)."""
    if table is None:
        return pl.LazyFrame()
    if isinstance(table, pl.LazyFrame):
        return table
    if isinstance(table, pl.DataFrame):
        return table.lazy()
    if isinstance(table, pa.Table):
        return pl.from_arrow(table, rechunk=False).lazy()
    if isinstance(table, pd.DataFrame):
        return pl.from_pandas(table, include_index=False).lazy()
    return pl.DataFrame({name: _series(name, values) for name, values in table.items()}).lazy()


def _series(name: str, values: np.ndarray) -> pl.Series:
    """One column of a serving read; an object column of only missing values stays text."""
    values = np.asarray(values)
    if values.dtype == object:  # text with None (or NaN) for missing values
        return pl.Series(name, [None if v is None or v != v else v for v in values.tolist()], dtype=pl.String,
                         strict=False)
    return pl.Series(name, values)


def query(
    tables: Mapping[str, Table], categories: Mapping[str, Mapping[str, Sequence[str]]], names: Sequence[str]
) -> pl.LazyFrame:
    """SK_ID_CURR and the features ``names``, one row per application in the order of ``tables["application"]``."""
    app = application.clean(lazy(tables.get("application")))
    own = application.features(categories["application"])
    frame = app.select(pl.col("SK_ID_CURR"), *own)
    children = [
        *bureau.features(bureau.clean(_table(tables, "bureau"), _table(tables, "bureau_balance")),
                         categories["bureau"]),
        *previous.features(previous.clean(_table(tables, "previous_application")),
                           categories["previous_application"]),
        *pos_cash.features(pos_cash.clean(_table(tables, "pos_cash_balance")), categories["pos_cash_balance"]),
        *installments.features(installments.clean(_table(tables, "installments_payments"))),
        *credit_card.features(credit_card.clean(_table(tables, "credit_card_balance")),
                              categories["credit_card_balance"]),
    ]
    for part in children:
        frame = frame.join(part, on="SK_ID_CURR", how="left", maintain_order="left")
    # A client without rows in a table has 0 rows there ({prefix}COUNT), other aggregates missing.
    known = {expr.meta.output_name() for expr in own}
    counts = [n for n in names if n not in known and n.endswith("_COUNT") and n.count("_COUNT") == 1]
    c = pl.col
    return frame.with_columns(pl.col(counts).fill_null(0.0)).with_columns(
        safe_ratio(c("ACTIVE_AMT_CREDIT_SUM_DEBT_SUM").fill_null(0.0), c("AMT_INCOME_TOTAL"))
        .alias("BURO_DEBT_INCOME_RATIO"),
        safe_ratio(c("ACTIVE_AMT_ANNUITY_SUM").fill_null(0.0) + c("AMT_ANNUITY"), c("AMT_INCOME_TOTAL"))
        .alias("BURO_ANNUITY_INCOME_RATIO"),
    ).select("SK_ID_CURR", *names)


def _table(tables: Mapping[str, Table], name: str) -> pl.LazyFrame:
    """A child table as a LazyFrame; a missing one has no rows (its columns are filled as absent)."""
    return lazy(tables.get(name))


def build(
    tables: Mapping[str, Table], categories: Mapping[str, Mapping[str, Sequence[str]]], names: Sequence[str]
) -> pd.DataFrame:
    """The feature table of ``FeatureBuilder.transform``: float64 columns ``names`` indexed by SK_ID_CURR."""
    result = query(tables, categories, names).collect()
    ids = result.get_column("SK_ID_CURR").to_numpy()
    matrix = result.drop("SK_ID_CURR").to_numpy(order="c").astype("float64", copy=False)
    return pd.DataFrame(matrix, index=pd.Index(ids.astype("int64"), name="SK_ID_CURR"),
                        columns=pd.Index(list(names), dtype=object), copy=False)
