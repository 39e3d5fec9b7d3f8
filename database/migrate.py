"""Schema migrations with Alembic: ``python -m database migrate`` creates or upgrades the database.

The migrations live in ``database/migrations/versions`` (one file per schema change, the first one the
baseline); the database records the revision it is at in ``alembic_version``. ``migrate`` is the one way
the project creates tables: ``init``, the loader, the release phase and the tests all go through it.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import Connection

from database.config import get_engine

INI_PATH = Path(__file__).resolve().parent / "alembic.ini"


class MigrationError(RuntimeError):
    """The database cannot be brought to the wanted revision; the message says why and what to do."""


def alembic_config(connection: Connection | None = None, out: TextIO | None = None) -> Config:
    """The Alembic configuration of the project, running on ``connection`` when one is given."""
    config = Config(str(INI_PATH), stdout=out or sys.stdout)
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The newest revision of the migration scripts."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(connection: Connection) -> str | None:
    """The revision the database is at (None: never migrated)."""
    return MigrationContext.configure(connection).get_current_revision()


def migrate_connection(connection: Connection, revision: str = "head") -> tuple[str | None, str | None]:
    """Upgrade the database of ``connection`` to ``revision`` inside its transaction; (before, after).

    A database already at the newest revision is only read, so a role without DDL rights (the loader)
    can call this before it loads.
    """
    before = current_revision(connection)
    if revision == "head" and before == head_revision():
        return before, before
    try:
        command.upgrade(alembic_config(connection), revision)
    except CommandError as error:
        raise MigrationError(f"cannot upgrade the database from revision {before} to {revision}: {error} "
                             "(a database migrated by newer code needs that code)") from None
    return before, current_revision(connection)


def migrate(url: str | None = None, revision: str = "head") -> tuple[str | None, str | None]:
    """Upgrade the database at ``url`` (default DATABASE_URL) to ``revision`` in one transaction."""
    engine = get_engine(url)
    try:
        with engine.begin() as connection:
            return migrate_connection(connection, revision)
    finally:
        engine.dispose()
