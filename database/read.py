"""Read the Home Credit tables back as pandas frames with Kaggle column names."""

from __future__ import annotations

from collections.abc import Sequence

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
        result = connection.execute(query)
        frame = pd.DataFrame(result.fetchall(), columns=kaggle_columns(name))
    return _typed(frame, name)


def _typed(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    """Give each column the dtype the schema implies (nullable integers become float like in Kaggle's files)."""
    for column in table(name).columns:
        if column.name == "id":
            continue
        kaggle = column.name.upper()
        python_type = column.type.python_type
        if python_type is str:
            frame[kaggle] = frame[kaggle].astype(object)
        elif column.nullable:
            frame[kaggle] = pd.to_numeric(frame[kaggle], errors="coerce").astype("float64")
        else:
            frame[kaggle] = frame[kaggle].astype("int64")
    return frame
