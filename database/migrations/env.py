"""Alembic environment: migrations run on the connection given by ``database.migrate`` (or DATABASE_URL).

``render_as_batch`` lets a later migration alter a column on SQLite, which cannot ALTER most things in place
(Alembic then copies the table); ``compare_type`` makes autogenerate notice a changed column type.
"""

from __future__ import annotations

from alembic import context

from database.config import get_engine
from database.schema import Base

config = context.config


def run_migrations_online() -> None:
    """Run the migrations on ``config.attributes["connection"]``, or on a connection to DATABASE_URL."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return

    engine = get_engine(config.get_main_option("sqlalchemy.url") or None)
    try:
        with engine.begin() as connection:
            _run(connection)
    finally:
        engine.dispose()


def _run(connection) -> None:
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True,
                      compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported: run `python -m database migrate`")
run_migrations_online()
