"""Migrations: a new database gets exactly the schema of the models; an older one is upgraded with its data."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, text

from database.config import get_engine
from database.loader import load
from database.migrate import alembic_config, current_revision, head_revision, migrate
from database.schema import Base

pytestmark = pytest.mark.requirement("EXG-DB-01", "EXG-DB-04")

#: Every revision after the baseline, with the one it upgrades from.
STEPS = [(script.down_revision, script.revision)
         for script in ScriptDirectory.from_config(alembic_config()).walk_revisions()
         if script.down_revision is not None]


def _differences(engine: Engine) -> list:
    """What autogenerate would change to make the database match database/schema.py (empty: they agree)."""
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, Base.metadata)


def _contents(engine: Engine) -> dict[str, tuple[int, list]]:
    """Each table's row count and first rows in key order: what a user would miss if the upgrade lost it."""
    contents = {}
    with engine.connect() as connection:
        for name, table in Base.metadata.tables.items():
            if not inspect(connection).has_table(name):
                continue
            count = connection.execute(text(f"SELECT count(*) FROM {name}")).scalar_one()
            order = ", ".join(column.name for column in table.primary_key.columns)
            rows = connection.execute(text(f"SELECT * FROM {name} ORDER BY {order} LIMIT 5")).all()
            contents[name] = (count, [tuple(row) for row in rows])
    return contents


def test_a_new_database_gets_exactly_the_schema_of_the_models(db_url: str) -> None:
    before, after = migrate(db_url)
    engine = get_engine(db_url)
    try:
        assert (before, after) == (None, head_revision())
        assert _differences(engine) == [], "database/schema.py and the migrations disagree: add a migration"
        assert migrate(db_url) == (after, after)  # running it again changes nothing
    finally:
        engine.dispose()


def test_a_database_made_before_migrations_is_adopted_with_its_data(db_url: str, sample_set: Path) -> None:
    load([sample_set], db_url, progress=None)
    engine = get_engine(db_url)
    try:
        # The first schema, as create_all made it: the baseline's tables but client_score, no alembic_version.
        with engine.begin() as connection:
            command.downgrade(alembic_config(connection), "0001_baseline")
            connection.execute(text("DROP TABLE alembic_version"))
            connection.execute(text("DROP TABLE client_score"))
        kept = _contents(engine)
        assert kept["application"][0] > 0 and kept["installments_payments"][0] > 0
        migrate(db_url)
        after = _contents(engine)
        assert {name: after[name] for name in kept} == kept
        assert after["client_score"] == (0, [])
        assert _differences(engine) == []
        with engine.connect() as connection:
            assert current_revision(connection) == head_revision()
    finally:
        engine.dispose()


@pytest.mark.parametrize(("previous", "revision"), STEPS, ids=[step[1] for step in STEPS])
def test_upgrade_from_the_previous_revision_keeps_the_data(db_url: str, sample_set: Path, previous: str,
                                                           revision: str) -> None:
    load([sample_set], db_url, progress=None)
    engine = get_engine(db_url)
    try:
        with engine.begin() as connection:
            command.downgrade(alembic_config(connection), previous)
        kept = _contents(engine)
        migrate(db_url)
        after = _contents(engine)
        assert {name: after[name] for name in kept} == kept
        assert _differences(engine) == []
    finally:
        engine.dispose()


def test_a_database_newer_than_the_code_is_refused_in_one_line(sqlite_url: str, capsys,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    from database.__main__ import main

    migrate(sqlite_url)
    engine = get_engine(sqlite_url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0099_from_the_future'"))
    engine.dispose()
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    assert main(["migrate"]) == 2
    error = capsys.readouterr().err.strip()
    assert "\n" not in error and "0099_from_the_future" in error and "newer code" in error
