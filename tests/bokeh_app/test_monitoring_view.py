"""Surveillance tab: the stored monitoring results of the serving model, read by risk managers."""
from __future__ import annotations

import pytest

from database.config import get_engine
from database.loader import load
from modeling import monitor_run
from modeling.artifact import load_bundle
from modeling.scorer import Scorer
from tests.bokeh_app.conftest import make_document, model

pytestmark = pytest.mark.requirement("EXG-MOD-14")


@pytest.fixture(scope="module")
def monitored(bank, tmp_path_factory):
    """A copy of the bank's database with two monitoring results of its model: all clients, then 700."""
    url = f"sqlite:///{tmp_path_factory.mktemp('surveillance') / 'bank.db'}"
    load([bank.csv], url, progress=None)
    engine = get_engine(url)
    scorer = Scorer(load_bundle(bank.folder), engine)
    features = scorer.all_features()
    results = [monitor_run.run(scorer, features=features),
               monitor_run.run(scorer, features=features.iloc[:700])]
    engine.dispose()
    return url, results


def _tab(portfolio, monkeypatch, url, lang=None):
    monkeypatch.setattr(portfolio, "database_url", url)
    doc = make_document(portfolio, lang)
    titles = [panel.title for panel in doc.select_one({"name": "app"}).tabs]
    return doc, titles


def test_the_tab_shows_the_psi_history_and_the_latest_result(portfolio, monitored, monkeypatch):
    url, results = monitored
    doc, titles = _tab(portfolio, monkeypatch, url)
    assert titles[-1] == "Surveillance"
    history = model(doc, "monitoring_history").data
    assert history["psi"] == pytest.approx([r["score_psi"] for r in results])
    summary = model(doc, "monitoring_summary").text
    latest = results[-1]
    assert "700 clients" in summary and f"{latest['score_psi']:.2f}".replace(".", ",") in summary


def test_the_top_drifting_feature_is_shown_side_by_side_and_the_pick_changes_it(portfolio, monitored, monkeypatch):
    url, results = monitored
    doc, _ = _tab(portfolio, monkeypatch, url)
    features = results[-1]["features"]
    bins, pick = model(doc, "monitoring_bins"), model(doc, "monitoring_feature")
    assert pick.value == features[0]["name"]
    assert bins.data["reference"] == pytest.approx([b["reference"] for b in features[0]["bins"]])
    assert bins.data["current"] == pytest.approx([b["current"] for b in features[0]["bins"]])
    pick.value = features[3]["name"]
    assert bins.data["current"] == pytest.approx([b["current"] for b in features[3]["bins"]])
    assert bins.data["label"][-1] == "manquant"  # the missing values' own bin, in French
    assert not any("e+" in label or "." in label for label in bins.data["label"])  # French numbers, no exponent


def test_the_backtesting_table_lists_every_grade_in_french(portfolio, monitored, monkeypatch):
    url, results = monitored
    doc, _ = _tab(portfolio, monkeypatch, url)
    text = model(doc, "monitoring_backtest").text
    for row in results[-1]["backtest"]["rows"]:
        assert f"<td>{row['grade']}</td>" in text
    assert "Taux observé" in text and "\u00a0%" in text


def test_english_and_no_result_yet(portfolio, monkeypatch, tmp_path, bank):
    empty = f"sqlite:///{tmp_path / 'empty.db'}"
    load([bank.csv], empty, tables=["application"], progress=None)
    doc, titles = _tab(portfolio, monkeypatch, empty, "en")
    assert titles[-1] == "Monitoring"
    assert "No monitoring result yet" in model(doc, "monitoring_summary").text
