"""Fixtures shared by every test folder: the ephemeral PostgreSQL server and the real data sample."""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pg_server import PgServer, PgUnavailable, start_server  # noqa: E402

SAMPLE_DIR = Path(__file__).resolve().parent / "fixtures" / "homecredit-sample"


@pytest.fixture(scope="session")
def sample_dir() -> Path:
    """The folder of real Home Credit rows (see its SOURCES.md)."""
    return SAMPLE_DIR


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """A real PostgreSQL server (TLS only, SCRAM passwords) for the whole session, deleted at the end."""
    try:
        server = start_server()
    except PgUnavailable as error:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is required on CI: {error}")
        pytest.skip(str(error))
    try:
        yield server
    finally:
        server.destroy()


@pytest.fixture(scope="session")
def pg_url(pg_server: PgServer) -> str:
    """SQLAlchemy URL of the server's maintenance database (verify-full TLS to localhost)."""
    return pg_server.url()


@pytest.fixture
def pg_database(pg_server: PgServer) -> Iterator[str]:
    """URL of a fresh, empty PostgreSQL database for one test, dropped afterwards."""
    name = f"test_{uuid.uuid4().hex[:12]}"
    url = pg_server.create_database(name)
    try:
        yield url
    finally:
        pg_server.drop_database(name)
