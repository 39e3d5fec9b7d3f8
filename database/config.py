"""Where the database is and how to connect to it, read from the environment (never hard-coded)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

from database.security import check_url, driver_url, warn_if_unverified, with_postgres_options
from settings import REPO_ROOT, load_env_file


def default_sqlite_path() -> Path:
    """The embedded database used when nothing is configured: ``data/homecredit.db`` in the repository."""
    return REPO_ROOT / "data" / "homecredit.db"


def database_url() -> str:
    """The database URL from ``DATABASE_URL`` (``postgres://`` read as PostgreSQL), or the embedded SQLite file."""
    load_env_file()  # optional, git-ignored; variables already set win
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


@dataclass(frozen=True)
class SignInPolicy:
    """How long a sign-in lasts and how many failed sign-ins are allowed (the same for every server)."""

    idle: timedelta = timedelta(minutes=30)  # a session unused this long ends
    absolute: timedelta = timedelta(hours=12)  # a session ends this long after sign-in, used or not
    lock_after: int = 5  # failed passwords that lock one account for ``window``
    address_limit: int = 20  # failed sign-ins from one address before unknown names are refused unchecked
    window: timedelta = timedelta(minutes=15)


def sign_in_policy() -> SignInPolicy:
    """The policy from SESSION_IDLE_MINUTES, SESSION_MAX_HOURS, SIGNIN_LOCK_AFTER, SIGNIN_ADDRESS_LIMIT and
    SIGNIN_WINDOW_MINUTES (each a whole number of at least 1)."""
    return SignInPolicy(idle=timedelta(minutes=_whole("SESSION_IDLE_MINUTES", 30)),
                        absolute=timedelta(hours=_whole("SESSION_MAX_HOURS", 12)),
                        lock_after=_whole("SIGNIN_LOCK_AFTER", 5), address_limit=_whole("SIGNIN_ADDRESS_LIMIT", 20),
                        window=timedelta(minutes=_whole("SIGNIN_WINDOW_MINUTES", 15)))


def _whole(name: str, default: int) -> int:
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    if not text.isdigit() or int(text) < 1:
        raise ValueError(f"{name}={text!r} must be a whole number of at least 1")
    return int(text)
