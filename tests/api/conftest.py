"""Fixtures of the API tests: apps and clients over the session's synthetic bank and model.

The stack (1,500 synthetic clients loaded into a temporary SQLite file, a model trained with 2 folds and
default parameters into a temporary MODEL_DIR) is the session fixture ``stack`` of tests/conftest.py.
"""

from __future__ import annotations

import os
import secrets
import uuid

import pytest
from sqlalchemy import create_engine, func, select
from stack import Stack, build_stack  # noqa: F401  (tests/stack.py; build_stack kept importable from here)

from api import create_app
from api.auth import digest, new_key
from database.schema import ScoreAudit


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
              "PAGE_RATE_LIMIT": 1000.0, "PAGE_RATE_BURST": 1000, "RATELIMIT_STORAGE": "memory://"}
    config.update(overrides)
    return create_app(config)


SIGN_IN_SECRET = secrets.token_urlsafe(32)


@pytest.fixture(autouse=True)
def _sign_in_secret(monkeypatch):
    """The cookie secret the advisor page checks sign-ins with (BOKEH_COOKIE_SECRET, as in production)."""
    monkeypatch.setenv("BOKEH_COOKIE_SECRET", SIGN_IN_SECRET)


def signed_in_client(app, name: str = "page-advisor", role: str = "advisor"):
    """A test client of ``app`` carrying the cookie of a live session of a user made (if absent) in the app's
    database."""
    from database.config import sign_in_policy
    from database.migrate import migrate
    from database.sessions import open_session
    from database.signin import COOKIE, sign
    from database.users import create_user, find_user

    url = app.config["DATABASE_URL"]
    migrate(url)
    engine = create_engine(url)
    try:
        if find_user(engine, name) is None:
            create_user(engine, name, role, secrets.token_urlsafe(12))
        session_id = open_session(engine, name, sign_in_policy())
    finally:
        engine.dispose()
    client = app.test_client()
    client.set_cookie(COOKIE, sign(session_id, os.environ["BOKEH_COOKIE_SECRET"]))
    return client


def with_csrf(client, data: dict) -> dict:
    """The form ``data`` with the CSRF token a browser would send (read from the form's cookie, got from /login)."""
    from database.signin import CSRF_COOKIE

    if client.get_cookie(CSRF_COOKIE) is None:
        client.get("/login")
    return {**data, "csrf": client.get_cookie(CSRF_COOKIE).value}


@pytest.fixture(scope="session")
def app(stack, api_key):
    """The app over the session stack; its model is loaded once for the whole session."""
    return make_app(stack, api_key)


@pytest.fixture
def client(app):
    """A client of the app, signed in as an advisor (the page at / needs it; the API needs keys)."""
    return signed_in_client(app)


@pytest.fixture
def auth(api_key) -> dict[str, str]:
    """Headers carrying the valid key."""
    return {"X-API-Key": api_key}


@pytest.fixture
def bare_app(tmp_path, api_key):
    """An app with an empty database and no model (for what works without them)."""
    return create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.db'}",
                       "MODEL_DIR": str(tmp_path / "no-models"), "API_KEYS": keys_setting(api_key),
                       "RATELIMIT_STORAGE": f"sqlite:///{tmp_path / 'ratelimit.db'}"})


@pytest.fixture
def bare_client(bare_app):
    return signed_in_client(bare_app)


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
        return make_app(stack.over(database_url), api_key)

    return build


@pytest.fixture(scope="session")
def pg_stack_app(pg_server, stack, api_key):
    """(app, url, client IDs): the session's data loaded into a fresh database of the PostgreSQL test server."""
    from database.loader import load

    name = f"api_{uuid.uuid4().hex[:10]}"
    url = pg_server.create_database(name)
    try:
        load([stack.csv_dir], url, progress=None)
        app = make_app(stack.over(url), api_key)
        yield app, url, stack.client_ids
        app.extensions["scoring"].engine.dispose()
    finally:
        pg_server.drop_database(name)
