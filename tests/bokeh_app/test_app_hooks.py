"""Server hooks: the portfolio is loaded once from the environment; a missing model is explained on the page."""
from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest

from bokeh_app import app_hooks
from tests.bokeh_app.conftest import make_document, model

pytestmark = pytest.mark.requirement("EXG-DSH-01")


def test_server_load_reads_every_client_with_the_model_scores(bank, scorer, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", bank.url)
    monkeypatch.setenv("MODEL_DIR", str(bank.model_dir))
    monkeypatch.delenv("MODEL_PATH", raising=False)
    context = SimpleNamespace()
    app_hooks.on_server_loaded(context)
    clients = context.portfolio.clients
    applications = pd.concat([pd.read_csv(bank.csv / f"application_{k}.csv", usecols=["SK_ID_CURR"])
                              for k in ("train", "test")])
    assert set(clients.index) == set(applications["SK_ID_CURR"])
    some = [int(i) for i in clients.index[:5]]
    for client_id in some:
        assert clients.loc[client_id, "PROBABILITY"] == pytest.approx(scorer.score(client_id).probability, abs=1e-9)
    assert context.portfolio.model_version == scorer.bundle.version


def test_without_a_model_the_page_says_how_to_get_one(tmp_path, monkeypatch, bank):
    monkeypatch.setenv("DATABASE_URL", bank.url)
    monkeypatch.setenv("MODEL_DIR", str(tmp_path))
    monkeypatch.delenv("MODEL_PATH", raising=False)
    context = SimpleNamespace()
    app_hooks.on_server_loaded(context)
    assert context.portfolio is None
    assert "python -m modeling train" in context.portfolio_error
    doc = make_document(None, error=context.portfolio_error)
    assert "python -m modeling train" in model(doc, "app").text
