"""Managed PostgreSQL: the ``postgres://`` URL of a hosting platform works, TLS without verification only on request."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from database.config import database_url, get_engine
from database.migrate import migrate
from database.security import InsecureDatabaseURL, driver_url

pytestmark = pytest.mark.requirement("EXG-SEC-01", "EXG-DB-04")
SECRET = "S3cr3t-pw"


def test_a_managed_url_is_read_with_the_driver_scheme(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", f"postgres://app:{SECRET}@db.example.com:5432/d1?sslmode=require")
    url = make_url(database_url())
    assert (url.drivername, url.host, url.database, url.password) == \
        ("postgresql+psycopg2", "db.example.com", "d1", SECRET)
    assert driver_url("sqlite:///x.db") == "sqlite:///x.db"


def test_a_managed_url_without_tls_setting_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PGSSLMODE", raising=False)
    with pytest.raises(InsecureDatabaseURL, match="sslmode=prefer") as caught:
        get_engine(f"postgres://app:{SECRET}@db.example.com:5432/d1")
    assert SECRET not in str(caught.value) and "\n" not in str(caught.value)


def test_pgsslmode_require_is_the_explicit_setting_and_is_logged(monkeypatch: pytest.MonkeyPatch,
                                                                 caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setenv("PGSSLMODE", "require")
    with caplog.at_level(logging.WARNING, logger="database.security"):
        engine = get_engine(f"postgres://app:{SECRET}@db.example.com:5432/d1")
    assert engine.url.drivername == "postgresql+psycopg2"
    assert "without certificate verification (sslmode=require set by PGSSLMODE)" in caplog.text
    assert SECRET not in caplog.text


def test_the_test_server_through_a_managed_url(pg_server, pg_database: str, caplog: pytest.LogCaptureFixture) -> None:
    managed = pg_server.managed_url(make_url(pg_database).database)
    with caplog.at_level(logging.WARNING, logger="database.security"):
        migrate(managed)
        engine = get_engine(managed)
    try:
        with engine.connect() as connection:
            encrypted = connection.execute(text("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()"))
            assert encrypted.scalar_one() is True
            assert connection.execute(text("SELECT count(*) FROM application")).scalar_one() == 0
    finally:
        engine.dispose()
    assert "sslmode=require set by DATABASE_URL" in caplog.text


def test_pool_size_follows_the_plan(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PGSSLMODE", "require")
    monkeypatch.setenv("DATABASE_POOL_SIZE", "2")
    monkeypatch.setenv("DATABASE_MAX_OVERFLOW", "1")
    engine = get_engine("postgres://app@db.example.com/d1")
    assert (engine.pool.size(), engine.pool._max_overflow) == (2, 1)
