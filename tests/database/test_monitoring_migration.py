"""The Alembic revision of monitoring_result creates exactly the table of database/schema.py, and drops it."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from alembic.migration import MigrationContext
from alembic.operations import Operations
from sqlalchemy import create_engine, inspect

from database.schema import Base, LoadRun, MonitoringResult

pytestmark = pytest.mark.requirement("EXG-MOD-14")

REVISION = Path(__file__).resolve().parents[2] / "database" / "migrations" / "versions" / "0002_monitoring_result.py"


def _revision():
    spec = importlib.util.spec_from_file_location("revision_0002", REVISION)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _shape(engine, name: str) -> dict:
    found = inspect(engine)
    return {"columns": {c["name"]: (str(c["type"]), c["nullable"]) for c in found.get_columns(name)},
            "indexes": sorted(i["name"] for i in found.get_indexes(name)),
            "foreign_keys": sorted((tuple(f["constrained_columns"]), f["referred_table"])
                                   for f in found.get_foreign_keys(name))}


@pytest.mark.postgres
def test_the_revision_builds_the_table_of_the_schema_and_downgrade_removes_it(pg_database):
    revision = _revision()
    assert (revision.revision, revision.down_revision) == ("0002_monitoring_result", "0001_baseline")
    engine = create_engine(pg_database)
    try:
        Base.metadata.create_all(engine, tables=[LoadRun.__table__, MonitoringResult.__table__])
        expected = _shape(engine, "monitoring_result")  # as create_all makes it on PostgreSQL
        MonitoringResult.__table__.drop(engine)
        with engine.begin() as connection, Operations.context(MigrationContext.configure(connection)):
            revision.upgrade()
        assert _shape(engine, "monitoring_result") == expected
        with engine.begin() as connection, Operations.context(MigrationContext.configure(connection)):
            revision.downgrade()
        assert "monitoring_result" not in inspect(engine).get_table_names()
    finally:
        engine.dispose()
