"""Fixtures shared by every test folder: the ephemeral PostgreSQL server, the real data sample, the synthetic stack."""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pg_server import PgServer, PgUnavailable, start_server  # noqa: E402
from stack import SIGNING_ENV, Stack, build_stack, with_lightgbm  # noqa: E402

SAMPLE_DIR = Path(__file__).resolve().parent / "fixtures" / "homecredit-sample"


@pytest.fixture(scope="session", autouse=True)
def model_signing_key() -> Iterator[str]:
    """The test suite's model-signing key, in this process's environment (so in every process it starts) for the
    whole session: the stack's models are signed with it and every loader verifies with it."""
    with pytest.MonkeyPatch.context() as patch:
        for name, value in SIGNING_ENV.items():
            patch.setenv(name, value)
        yield SIGNING_ENV["MODEL_SIGNING_KEY"]


@pytest.fixture(scope="session")
def sample_dir() -> Path:
    """The folder of real Home Credit rows (see its SOURCES.md)."""
    return SAMPLE_DIR


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Stack:
    """The session's synthetic bank: CSV files, loaded into SQLite, and its trained model (built once).

    STACK_DIR (or API_TESTS_STACK_DIR) names a folder to build it in once and reuse across runs (local
    iterations only).
    """
    reuse = os.environ.get("STACK_DIR") or os.environ.get("API_TESTS_STACK_DIR")
    return build_stack(Path(reuse) if reuse else tmp_path_factory.mktemp("bank"))


@pytest.fixture(scope="session")
def lightgbm_stack(stack: Stack) -> Stack:
    """The session's bank with a LightGBM model, whose decisions move with the loan terms (what-if tests)."""
    return with_lightgbm(stack)


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
