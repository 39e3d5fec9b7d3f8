"""The dashboard never unpickles a model folder its key did not sign: the page says why, and no code of it runs."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from bokeh_app import app_hooks
from tests.bokeh_app.conftest import make_document, model
from tests.tampering import replaced_model

pytestmark = pytest.mark.requirement("EXG-DSH-01")


def test_a_replaced_model_and_card_are_refused_before_unpickling(bank, tmp_path, monkeypatch):
    model_dir, folder, marker = replaced_model(bank.model_dir / "latest", tmp_path)
    monkeypatch.setenv("DATABASE_URL", bank.url)
    monkeypatch.setenv("MODEL_DIR", str(model_dir))
    monkeypatch.delenv("MODEL_PATH", raising=False)
    context = SimpleNamespace()
    app_hooks.on_server_loaded(context)
    assert not marker.exists(), "the replaced pickle's code ran inside the dashboard"
    assert context.portfolio is None
    assert f"refusing to unpickle {folder.name}" in context.portfolio_error
    assert "python -m modeling sign" in model(make_document(None, error=context.portfolio_error), "app").text
