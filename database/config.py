"""Where the database is and how to connect to it, read from the environment (never hard-coded)."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

from database.security import (
    check_url,
    driver_url,
    load_env_file,
    warn_if_unverified,
    with_postgres_options,
)

REPO_ROOT = Path(__file__).resolve().parent.parent


def default_sqlite_path() -> Path:
    """The embedded database used when nothing is configured: ``data/homecredit.db`` in the repository."""
    return REPO_ROOT / "data" / "homecredit.db"


def database_url() -> str:
    """The database URL from ``DATABASE_URL`` (``postgres://`` read as PostgreSQL), or the embedded SQLite file."""
    load_env_file(REPO_ROOT / ".env")  # optional, git-ignored; variables already set win
    return driver_url(os.environ.get("DATABASE_URL") or f"sqlite:///{default_sqlite_path()}")


def masked(url: str) -> str:
    """The URL with its password hidden, safe to print or log."""
    return make_url(url).render_as_string(hide_password=True)


def get_engine(url: str | None = None, **kwargs) -> Engine:
    """An engine for ``url`` (default: ``database_url()``); SQLite gets enforced foreign keys and WAL."""
    url = driver_url(url) if url else database_url()
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    check_url(parsed)  # TLS policy (database/security.py): refuses a non-TLS URL to a remote server
    warn_if_unverified(parsed)
    return create_engine(parsed, **with_postgres_options(kwargs))


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """Turn on what SQLite leaves off by default: foreign keys, WAL journal, a busy timeout."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()
