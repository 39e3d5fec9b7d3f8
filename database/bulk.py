"""Bulk writing of validated batches: COPY on PostgreSQL, batched executemany on SQLite.

Everything here runs on the one DBAPI connection of the load's transaction, so a failure or a kill
rolls all of it back.
"""

from __future__ import annotations

import io

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
from sqlalchemy import Connection, Table
from sqlalchemy.schema import CreateIndex, DropIndex, ForeignKeyConstraint

SQLITE_BATCH = 50_000


def is_postgres(connection: Connection) -> bool:
    """Whether the connection talks to PostgreSQL."""
    return connection.dialect.name == "postgresql"


def write_rows(connection: Connection, target: Table, columns: dict[str, np.ndarray | pa.Array],
               keep: np.ndarray) -> int:
    """Insert the kept rows of typed Kaggle columns into ``target``; returns the number of rows written."""
    count = int(keep.sum())
    if not count:
        return 0
    names = [c.name for c in target.columns if not (c.name == "id" and c.autoincrement is True)]
    arrays = [_arrow(columns[name.upper()], keep, target.c[name].type.python_type) for name in names]
    batch = pa.Table.from_arrays(arrays, names=names)
    raw = connection.connection.dbapi_connection
    cursor = raw.cursor()
    try:
        if is_postgres(connection):
            buffer = io.BytesIO()
            pacsv.write_csv(batch, buffer, pacsv.WriteOptions(include_header=False, batch_size=65536))
            buffer.seek(0)
            cursor.copy_expert(f"COPY {target.name} ({', '.join(names)}) FROM STDIN WITH (FORMAT csv)", buffer)
        else:
            columns, marks = ", ".join(names), ", ".join("?" * len(names))
            sql = f"INSERT INTO {target.name} ({columns}) VALUES ({marks})"  # nosec B608: schema names, bound values
            for start in range(0, count, SQLITE_BATCH):
                part = batch.slice(start, SQLITE_BATCH)
                cursor.executemany(sql, zip(*(column.to_pylist() for column in part.columns), strict=True))
    finally:
        cursor.close()
    return count


def _arrow(values: np.ndarray | pa.Array, keep: np.ndarray, python_type: type) -> pa.Array:
    """The kept values as an Arrow array of the column's type (nulls where NaN/None)."""
    if isinstance(values, (pa.Array, pa.ChunkedArray)):
        return values.filter(pa.array(keep))
    kept = values[keep]
    missing = np.isnan(kept)
    if python_type is int:
        return pa.array(np.where(missing, 0, kept).astype(np.int64), mask=missing)
    return pa.array(kept, mask=missing)


def fetch_ints(connection: Connection, sql: str) -> np.ndarray:
    """The one integer column returned by ``sql``, as an int64 array (COPY on PostgreSQL for speed)."""
    raw = connection.connection.dbapi_connection
    cursor = raw.cursor()
    try:
        if is_postgres(connection):
            buffer = io.BytesIO()
            cursor.copy_expert(f"COPY ({sql}) TO STDOUT", buffer)
            if not buffer.tell():
                return np.empty(0, dtype=np.int64)
            buffer.seek(0)
            return np.loadtxt(buffer, dtype=np.int64, ndmin=1)
        cursor.execute(sql)
        return np.fromiter((row[0] for row in cursor), dtype=np.int64)
    finally:
        cursor.close()


def has_rows(connection: Connection, target: Table) -> bool:
    """Whether the table holds at least one row."""
    return connection.exec_driver_sql(f"SELECT 1 FROM {target.name} LIMIT 1").first() is not None  # nosec B608: table name from the schema


def owns(connection: Connection, target: Table) -> bool:
    """Whether the current PostgreSQL user owns ``target`` (directly or through a role it belongs to)."""
    return bool(connection.exec_driver_sql(
        "SELECT pg_has_role(current_user, relowner, 'USAGE') FROM pg_class WHERE oid = to_regclass(%(t)s)",
        {"t": target.name},
    ).scalar())


def drop_for_load(connection: Connection, target: Table) -> list[str]:
    """Drop an empty table's secondary indexes (and foreign keys on PostgreSQL); returns the DDL to recreate them.

    The DDL is plain SQL text: SQLAlchemy's AddConstraint would mark the shared metadata's constraint as
    "created separately" and later CREATE TABLE statements in the process would leave it out.
    On PostgreSQL only the table's owner may drop them: for another role (the loader) nothing is dropped and
    COPY writes into the indexed table.
    """
    if is_postgres(connection) and not owns(connection, target):
        return []
    dropped: list[str] = []
    for index in sorted(target.indexes, key=lambda ix: ix.name):
        connection.execute(DropIndex(index, if_exists=True))
        dropped.append(str(CreateIndex(index).compile(dialect=connection.dialect)))
    if is_postgres(connection) and not _referenced(target):
        # A table no other table points to (bureau_balance, the monthly balances, the instalments): its
        # primary key is built once at the end from the sorted keys, instead of row by row during COPY.
        # The loader has already rejected duplicate keys, and ADD PRIMARY KEY checks them again.
        pk = target.primary_key
        connection.exec_driver_sql(f"ALTER TABLE {target.name} DROP CONSTRAINT {pk.name}")
        dropped.append(f"ALTER TABLE {target.name} ADD CONSTRAINT {pk.name} PRIMARY KEY "
                       f"({', '.join(c.name for c in pk.columns)})")
    if is_postgres(connection):
        for constraint in sorted(target.constraints, key=lambda c: str(c.name)):
            if isinstance(constraint, ForeignKeyConstraint):
                columns = ", ".join(c.name for c in constraint.columns)
                referred = ", ".join(e.column.name for e in constraint.elements)
                connection.exec_driver_sql(f"ALTER TABLE {target.name} DROP CONSTRAINT {constraint.name}")
                dropped.append(f"ALTER TABLE {target.name} ADD CONSTRAINT {constraint.name} FOREIGN KEY ({columns}) "
                               f"REFERENCES {constraint.referred_table.name} ({referred})")
    return dropped


def _referenced(target: Table) -> bool:
    """Whether a foreign key of another table points to ``target``."""
    return any(fk.column.table is target for other in target.metadata.tables.values() if other is not target
               for fk in other.foreign_keys)


def recreate(connection: Connection, dropped: list[str]) -> None:
    """Recreate what ``drop_for_load`` dropped: primary keys and indexes first, then the foreign keys."""
    def order(ddl: str) -> int:
        return 0 if "PRIMARY KEY" in ddl else 2 if "FOREIGN KEY" in ddl else 1
    for ddl in sorted(dropped, key=order):
        connection.exec_driver_sql(ddl)
