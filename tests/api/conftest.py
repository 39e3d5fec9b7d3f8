"""Fixtures of the API tests: a real synthetic bank (SQLite), a tiny real model, apps and clients.

The stack (1,500 synthetic clients loaded into a temporary SQLite file, a model trained with 2 folds and
default parameters into a temporary MODEL_DIR) is built once per test session.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select

from api import create_app
from api.auth import digest, new_key
from database.schema import ScoreAudit

REPO = Path(__file__).resolve().parents[2]
N_CLIENTS = 1500
SEED = 7
FIRST_CLIENT_ID = 100_002  # database.synthetic numbers clients from here


@dataclass(frozen=True)
class Stack:
    """A loaded database and a trained model."""

    database_url: str
    model_dir: Path
    csv_dir: Path
    client_ids: tuple[int, ...]

    def env(self) -> dict[str, str]:
        """Environment for subprocesses using this stack."""
        return {**os.environ, "DATABASE_URL": self.database_url, "MODEL_DIR": str(self.model_dir),
                "OMP_NUM_THREADS": "1"}


def build_stack(root: Path, database_url: str | None = None) -> Stack:
    """Generate, load and train (train only when the model folder is empty)."""
    from database.loader import load
    from database.synthetic.generate import generate

    csv_dir, model_dir = root / "csv", root / "models"
    if not (csv_dir / "application_train.csv").exists():
        generate(N_CLIENTS, SEED, csv_dir, progress=None)
    url = database_url or f"sqlite:///{root / 'bank.db'}"
    if database_url or not (root / "bank.db").exists():
        load([csv_dir], url, progress=None)
    stack = Stack(url, model_dir, csv_dir, tuple(range(FIRST_CLIENT_ID, FIRST_CLIENT_ID + N_CLIENTS)))
    if not (model_dir / "latest").exists():
        subprocess.run(
            [sys.executable, "-m", "modeling", "train", "--folds", "2", "--max-evals", "0",
             "--sample", "1000", "--strategies", "none", "--no-baselines", "--compare-rows", "1000"],
            cwd=REPO, env=stack.env(), check=True, capture_output=True, timeout=600,
        )
    return stack


@pytest.fixture(scope="session")
def stack(tmp_path_factory) -> Stack:
    """The session's synthetic bank on SQLite with its trained model.

    API_TESTS_STACK_DIR names a folder to build it in once and reuse across runs (local iterations only).
    """
    reuse = os.environ.get("API_TESTS_STACK_DIR")
    return build_stack(Path(reuse) if reuse else tmp_path_factory.mktemp("bank"))


@pytest.fixture(scope="session")
def api_key() -> str:
    """A key accepted by the apps below (caller name: tester)."""
    return new_key()


def keys_setting(key: str, name: str = "tester") -> str:
    """SCORING_API_KEYS holding ``key`` under ``name`` and an unrelated second key."""
    return f"{name}:{digest(key)},other:{digest(new_key())}"


def make_app(stack: Stack, key: str, **overrides):
    """An app over ``stack`` with generous rate limits unless overridden."""
    config = {"TESTING": True, "DATABASE_URL": stack.database_url, "MODEL_DIR": str(stack.model_dir),
              "API_KEYS": keys_setting(key), "RATE_LIMIT": 1000.0, "RATE_BURST": 1000,
              "PAGE_RATE_LIMIT": 1000.0, "PAGE_RATE_BURST": 1000}
    config.update(overrides)
    return create_app(config)


@pytest.fixture(scope="session")
def app(stack, api_key):
    """The app over the session stack; its model is loaded once for the whole session."""
    return make_app(stack, api_key)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def auth(api_key) -> dict[str, str]:
    """Headers carrying the valid key."""
    return {"X-API-Key": api_key}


@pytest.fixture
def bare_app(tmp_path, api_key):
    """An app with an empty database and no model (for what works without them)."""
    return create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.db'}",
                       "MODEL_DIR": str(tmp_path / "no-models"), "API_KEYS": keys_setting(api_key)})


@pytest.fixture
def bare_client(bare_app):
    return bare_app.test_client()


@pytest.fixture(scope="session")
def keys():
    """Builds a SCORING_API_KEYS value: ``keys(key, name="tester")``."""
    return keys_setting


@pytest.fixture(scope="session")
def audit_rows():
    """Counts score_audit rows: ``audit_rows(database_url, caller="tester", ...)``."""
    return audit_count


def audit_count(database_url: str, **where) -> int:
    """Rows of score_audit matching ``where`` (column=value)."""
    engine = create_engine(database_url)
    try:
        query = select(func.count()).select_from(ScoreAudit)
        for column, value in where.items():
            query = query.where(getattr(ScoreAudit, column) == value)
        with engine.connect() as connection:
            return connection.execute(query).scalar_one()
    finally:
        engine.dispose()


def known_client(stack: Stack, offset: int = 0) -> int:
    """A client ID present in the stack's database."""
    return stack.client_ids[offset]


@pytest.fixture
def make_app_over(stack, api_key):
    """Builds an app over another database with the session's model: ``make_app_over(database_url)``."""

    def build(database_url: str):
        return make_app(Stack(database_url, stack.model_dir, stack.csv_dir, stack.client_ids), api_key)

    return build


@pytest.fixture(scope="session")
def pg_stack_app(pg_server, stack, api_key):
    """(app, url, client IDs): the session's data loaded into a fresh database of the PostgreSQL test server."""
    from database.loader import load

    name = f"api_{uuid.uuid4().hex[:10]}"
    url = pg_server.create_database(name)
    try:
        load([stack.csv_dir], url, progress=None)
        app = make_app(Stack(url, stack.model_dir, stack.csv_dir, stack.client_ids), api_key)
        yield app, url, stack.client_ids
        app.extensions["scoring"].engine.dispose()
    finally:
        pg_server.drop_database(name)
