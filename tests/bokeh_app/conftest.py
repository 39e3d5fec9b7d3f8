"""Fixtures of the dashboard tests: the shared synthetic bank and model, the dashboard's portfolio
and in-process Bokeh documents built from the directory app with that portfolio in the server context."""
from __future__ import annotations

import weakref
from pathlib import Path
from types import SimpleNamespace

import pytest

REPO = Path(__file__).resolve().parents[2]
APP_DIR = REPO / "bokeh_app"


@pytest.fixture(scope="session")
def bank(stack) -> SimpleNamespace:
    """The session's synthetic bank (tests/stack.py): SQLite clients and a real model trained on them."""
    models = stack.model_dir
    folder = max(p for p in models.iterdir() if (p / "model.pkl").is_file() and not p.is_symlink())
    return SimpleNamespace(url=stack.database_url, model_dir=models, folder=folder, csv=stack.csv_dir)


@pytest.fixture(scope="session")
def portfolio(bank):
    """The shared portfolio the server would load, from the test bank."""
    from bokeh_app.config import DashboardSettings
    from bokeh_app.portfolio import load_portfolio

    config = DashboardSettings(database_url=bank.url, model_path=bank.folder, neighbours=50)
    return load_portfolio(config, say=lambda _message: None)


@pytest.fixture(scope="session")
def scorer(bank):
    """The modeling Scorer on the test bank: the reference the dashboard must agree with."""
    from database.config import get_engine
    from modeling.serving.artifact import load_bundle
    from modeling.serving.scorer import Scorer

    return Scorer(load_bundle(bank.folder), get_engine(bank.url))


@pytest.fixture(autouse=True)
def _no_sign_in(monkeypatch):
    """Documents built here are a local administrator's unless a test turns sign-in on (test_sign_in.py)."""
    monkeypatch.setenv("DASHBOARD_AUTH", "off")


def make_document(portfolio, lang: str | None = None, error: str | None = None, payload: dict | None = None,
                  arguments: dict[str, str] | None = None):
    """A session document of the directory app, with the portfolio in its server context (as on a server);
    ``payload`` is what Bokeh's session token carries (as ``app_hooks.process_request`` fills it), ``arguments``
    the page's query."""
    from bokeh.application import Application
    from bokeh.application.handlers import DirectoryHandler
    from bokeh.document import Document
    from bokeh.server.contexts import ApplicationContext, BokehSessionContext

    from bokeh_app.config import DashboardSettings

    app = Application(DirectoryHandler(filename=str(APP_DIR)))
    context = ApplicationContext(app)
    context.server_context.settings = DashboardSettings.from_env()  # as app_hooks.on_server_loaded reads them
    context.server_context.portfolio = portfolio
    if error is not None:
        context.server_context.portfolio_error = error
    doc = Document()
    session = BokehSessionContext("test-session", context.server_context, doc)
    if lang is not None or payload is not None or arguments is not None:
        query = {name: [value.encode()] for name, value in {**(arguments or {}), **({"lang": lang} if lang else {})}.items()}
        session._request = SimpleNamespace(arguments=query, cookies=(payload or {}).get("cookies", {}), headers={})
    if payload is not None:
        from bokeh.util.token import generate_jwt_token

        session._token = generate_jwt_token("test-session", signed=False, extra_payload=payload)
    doc._session_context = weakref.ref(session)
    app.initialize_document(doc)
    handler = app.handlers[0]
    assert not handler.failed, f"bokeh_app/main.py failed: {handler.error}\n{handler.error_detail}"
    doc._test_keepalive = (app, context, session)  # the session context is held weakly by the document
    return doc


@pytest.fixture
def doc(portfolio):
    """A fresh French session of the dashboard."""
    return make_document(portfolio)


def model(doc, name: str):
    """The document's model with this name (fails clearly when absent)."""
    found = doc.select_one({"name": name})
    assert found is not None, f"no model named {name!r} in the dashboard document"
    return found


@pytest.fixture(scope="session")
def lightgbm_portfolio(lightgbm_stack):
    """The dashboard's portfolio over the test bank with its LightGBM model (what-if questions)."""
    from bokeh_app.config import DashboardSettings
    from bokeh_app.portfolio import load_portfolio

    config = DashboardSettings(database_url=lightgbm_stack.database_url,
                             model_path=(lightgbm_stack.model_dir / "latest").resolve(), neighbours=20)
    return load_portfolio(config, say=lambda _message: None)
