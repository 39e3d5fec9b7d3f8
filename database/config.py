"""Where the database is and how to connect to it, read from the environment (never hard-coded)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from pydantic import PositiveInt
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

from database.security import check_url, driver_url, warn_if_unverified
from settings import REPO_ROOT, Settings, load_env_file


class DatabaseSettings(Settings):
    """Limits of the hardened PostgreSQL engine and of sign-in, each from the variable of its name in capitals."""

    database_connect_timeout: int = 5  # seconds to wait for a connection before failing
    database_statement_timeout_ms: int = 30_000  # a query running longer is cancelled by the server
    database_pool_size: int = 5
    database_max_overflow: int = 5
    database_pool_timeout: int = 10  # seconds to wait for a free pooled connection
    database_pool_recycle: int = 1800  # seconds after which a pooled connection is replaced
    session_idle_minutes: PositiveInt = 30  # a session unused this long ends
    session_max_hours: PositiveInt = 12  # a session ends this long after sign-in, used or not
    signin_lock_after: PositiveInt = 5  # failed passwords that lock one account for the window
    signin_address_limit: PositiveInt = 20  # failed sign-ins from one address before unknown names are refused
    signin_window_minutes: PositiveInt = 15


_DEFAULT = {name: field.default for name, field in DatabaseSettings.model_fields.items()}


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

    idle: timedelta = timedelta(minutes=_DEFAULT["session_idle_minutes"])
    absolute: timedelta = timedelta(hours=_DEFAULT["session_max_hours"])
    lock_after: int = _DEFAULT["signin_lock_after"]
    address_limit: int = _DEFAULT["signin_address_limit"]
    window: timedelta = timedelta(minutes=_DEFAULT["signin_window_minutes"])


def sign_in_policy() -> SignInPolicy:
    """The policy from SESSION_IDLE_MINUTES, SESSION_MAX_HOURS, SIGNIN_LOCK_AFTER, SIGNIN_ADDRESS_LIMIT and
    SIGNIN_WINDOW_MINUTES (each a whole number of at least 1)."""
    settings = DatabaseSettings.from_env()
    return SignInPolicy(idle=timedelta(minutes=settings.session_idle_minutes),
                        absolute=timedelta(hours=settings.session_max_hours), lock_after=settings.signin_lock_after,
                        address_limit=settings.signin_address_limit,
                        window=timedelta(minutes=settings.signin_window_minutes))


def postgres_engine_options() -> dict:
    """Engine keyword arguments that bound every wait: connect and statement timeouts, a checked pool."""
    settings = DatabaseSettings.from_env()
    return {
        "pool_pre_ping": True,
        "pool_size": settings.database_pool_size,
        "max_overflow": settings.database_max_overflow,
        "pool_timeout": settings.database_pool_timeout,
        "pool_recycle": settings.database_pool_recycle,
        "connect_args": {
            "connect_timeout": settings.database_connect_timeout,
            "options": f"-c statement_timeout={settings.database_statement_timeout_ms}",
            "application_name": "homecredit",
            # a dead server behind a silent network is noticed within ~20 s instead of hours
            "keepalives": 1,
            "keepalives_idle": 10,
            "keepalives_interval": 5,
            "keepalives_count": 2,
        },
    }


def with_postgres_options(kwargs: dict) -> dict:
    """``create_engine`` arguments completed with the hardened options (the caller's own choices win)."""
    merged = dict(kwargs)
    options = postgres_engine_options()
    if "poolclass" in merged:  # NullPool and friends take no pool sizing arguments
        for key in ("pool_size", "max_overflow", "pool_timeout"):
            options.pop(key)
    merged["connect_args"] = {**options.pop("connect_args"), **merged.get("connect_args", {})}
    for key, value in options.items():
        merged.setdefault(key, value)
    return merged
