"""Read the Home Credit tables back as pandas frames with Kaggle column names."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

import numpy as np
import pandas as pd
from sqlalchemy import Engine, select

from database.schema import kaggle_columns, table

#: Tables reached through another table rather than through SK_ID_CURR.
_VIA = {"bureau_balance": ("bureau", "sk_id_bureau")}


def read_table(
    engine: Engine, name: str, client_ids: Sequence[int] | None = None
) -> pd.DataFrame:
    """All rows of table ``name``, or only those of the given clients, with Kaggle column names."""
    source = table(name)
    columns = [source.c[c.lower()] for c in kaggle_columns(name)]
    query = select(*columns)
    if client_ids is not None:
        ids = [int(i) for i in client_ids]
        if name in _VIA:
            parent_name, key = _VIA[name]
            parent = table(parent_name)
            keys = select(parent.c[key]).where(parent.c.sk_id_curr.in_(ids))
            query = query.where(source.c[key].in_(keys))
        else:
            query = query.where(source.c.sk_id_curr.in_(ids))
    with engine.connect() as connection:
        rows = connection.execute(query).fetchall()
    return _frame(rows, name)


def _frame(rows: list, name: str) -> pd.DataFrame:
    """Build the frame column by column with the dtype the schema implies (nullable integers become float,
    as in Kaggle's files); one numpy array per column keeps reading one client cheap."""
    dtypes = _dtypes(name)
    values = list(zip(*rows, strict=True)) if rows else [()] * len(dtypes)
    columns = {
        column: np.array(column_values, dtype=dtype)
        for (column, dtype), column_values in zip(dtypes.items(), values, strict=True)
    }
    return pd.DataFrame(columns, copy=False)


@cache
def _dtypes(name: str) -> dict[str, str]:
    """The pandas dtype of every source column of table ``name``."""
    dtypes = {}
    for column in table(name).columns:
        if column.name == "id":
            continue
        if column.type.python_type is str:
            dtypes[column.name.upper()] = "object"
        elif column.nullable:
            dtypes[column.name.upper()] = "float64"
        else:
            dtypes[column.name.upper()] = "int64"
    return dtypes
