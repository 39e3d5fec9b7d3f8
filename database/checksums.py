"""Content checksums of a database (per table) and of files, and their comparison."""

from __future__ import annotations

import hashlib
from pathlib import Path

import sqlalchemy
from sqlalchemy import Connection, MetaData
from sqlalchemy.engine import URL

from database.config import get_engine

#: How table checksums are computed; verify refuses to compare checksums made another way.
CHECKSUM_METHOD = "sha256 of repr(row) per line, primary-key order, UTC timestamps; v1"


def table_checksums(connection: Connection) -> dict[str, dict[str, object]]:
    """Row count and sha256 of every table, rows read in primary-key order (all columns if no key).

    Each row is hashed as the ``repr`` of the driver's values (exact floats, quoted strings, ``None`` for
    NULL), timestamps in UTC: stable for one backend, whatever the client's time zone.
    """
    metadata = MetaData()
    metadata.reflect(bind=connection)
    postgres = connection.dialect.name == "postgresql"
    if postgres:
        connection.exec_driver_sql("SET LOCAL TIME ZONE 'UTC'")
    quote = connection.dialect.identifier_preparer.quote
    raw = connection.connection.dbapi_connection
    result: dict[str, dict[str, object]] = {}
    for number, name in enumerate(sorted(metadata.tables)):
        table = metadata.tables[name]
        order = list(table.primary_key.columns) or list(table.columns)
        sql = (f"SELECT {', '.join(quote(c.name) for c in table.columns)} FROM {quote(name)} "  # nosec B608: names reflected from the database, quoted
               f"ORDER BY {', '.join(quote(c.name) for c in order)}")
        cursor = raw.cursor(f"checksum_{number}") if postgres else raw.cursor()  # server-side on PostgreSQL
        try:
            cursor.execute(sql)
            digest, rows = hashlib.sha256(), 0
            while batch := cursor.fetchmany(20_000):
                digest.update("".join("\t".join(map(repr, row)) + "\n" for row in batch).encode())
                rows += len(batch)
        finally:
            cursor.close()
        result[name] = {"rows": rows, "sha256": digest.hexdigest()}
    return result


def checksums_of(url: URL) -> dict:
    """Table checksums of the database of ``url``."""
    engine = get_engine(url.render_as_string(hide_password=False))
    try:
        with engine.connect() as connection:
            return table_checksums(connection)
    finally:
        engine.dispose()


def sqlite_file_checksums(path: Path) -> dict[str, dict[str, object]]:
    """Table checksums of a SQLite file opened read-only (the file is not changed)."""
    engine = sqlalchemy.create_engine(f"sqlite:///file:{path}?mode=ro&immutable=1&uri=true")
    try:
        with engine.connect() as connection:
            return table_checksums(connection)
    finally:
        engine.dispose()


def compare_checksums(expected: dict, actual: dict) -> list[str]:
    """One line per table whose rows or content differ between the manifest and a database."""
    problems = []
    for name in sorted(set(expected) | set(actual)):
        if name not in actual:
            problems.append(f"table {name} is missing")
        elif name not in expected:
            problems.append(f"table {name} is not in the backup")
        elif actual[name]["rows"] != expected[name]["rows"]:
            problems.append(f"table {name}: {actual[name]['rows']} rows, backup has {expected[name]['rows']}")
        elif actual[name]["sha256"] != expected[name]["sha256"]:
            problems.append(f"table {name}: same row count but different content")
    return problems


def file_sha256(path: Path) -> str:
    """The sha256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
