"""Read the Home Credit tables as Arrow tables with Kaggle column names (the columnar feature path).

SQLite and PostgreSQL are read by their ADBC drivers: rows go from the database into Arrow buffers without a
Python object per value. Each column gets the Arrow type the schema implies (text, float64 for nullable
numbers, int64 for required ones), whatever the driver inferred from the values (an SQLite column holding
only NULLs has no type of its own).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

import pyarrow as pa
from sqlalchemy import Engine

from database.read import _ARROW, _VIA, _dtypes
from database.schema import table

#: Rows the SQLite driver reads before it fixes the Arrow type of each column: all of a query's rows, so
#: that a column starting with NULLs or integers and holding floats later is read as floats.
_SQLITE_BATCH_ROWS = 2**31 - 2  # the largest value the driver accepts


@cache
def arrow_schema(name: str) -> pa.Schema:
    """The Arrow schema of table ``name`` as read: Kaggle names, the schema's types."""
    return pa.schema([(column, _ARROW[dtype]) for column, dtype in _dtypes(name).items()])


def read_arrow(engine: Engine, name: str, first: int | None = None, last: int | None = None) -> pa.Table:
    """Every row of table ``name``, or those of the clients with ``first <= SK_ID_CURR <= last``."""
    with connect(engine) as connection:
        return read_arrow_with(connection, name, first, last)


def read_arrow_with(connection, name: str, first: int | None = None, last: int | None = None) -> pa.Table:
    """``read_arrow`` on an open ADBC connection (``connect``), to read several tables in one connection."""
    cursor = connection.cursor()
    try:
        if connection.adbc_get_info().get("vendor_name") == "SQLite":
            cursor.adbc_statement.set_options(**{"adbc.sqlite.query.batch_rows": str(_SQLITE_BATCH_ROWS)})
        cursor.execute(_query(name, first, last))
        found = cursor.fetch_arrow_table()
    finally:
        cursor.close()
    schema = arrow_schema(name)
    return pa.table([found.column(i).cast(field.type) for i, field in enumerate(schema)], schema=schema)


@contextmanager
def connect(engine: Engine) -> Iterator[object]:
    """An ADBC connection to the database of ``engine`` (SQLite file or PostgreSQL server)."""
    url = engine.url
    if url.get_backend_name() == "sqlite":
        import adbc_driver_sqlite.dbapi as driver

        target = url.database or ":memory:"
    elif url.get_backend_name() == "postgresql":
        import adbc_driver_postgresql.dbapi as driver

        target = url.set(drivername="postgresql").render_as_string(hide_password=False)
    else:
        raise ValueError(f"no Arrow reader for the {url.get_backend_name()} database of {url!r}: "
                         "use SQLite or PostgreSQL")
    connection = driver.connect(target)
    try:
        yield connection
    finally:
        connection.close()


def _query(name: str, first: int | None, last: int | None) -> str:
    """SELECT of the Kaggle columns of table ``name``, of a client range when ``first``/``last`` are given."""
    source = table(name)
    columns = ", ".join(f'{c.lower()} AS "{c}"' for c in _dtypes(name))
    sql = f"SELECT {columns} FROM {source.name}"
    if first is None and last is None:
        return sql
    between = f"sk_id_curr BETWEEN {int(first if first is not None else -2**62)} AND " \
              f"{int(last if last is not None else 2**62)}"
    if name in _VIA:
        parent, key = _VIA[name]
        return f"{sql} WHERE {key} IN (SELECT {key} FROM {table(parent).name} WHERE {between})"
    return f"{sql} WHERE {between}"
