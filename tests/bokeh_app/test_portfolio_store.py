"""The dashboard's portfolio comes from the batch score store when it holds every client: the same portfolio
as the one built by scoring every client, without building a single feature at server start."""
from __future__ import annotations

import pandas as pd
import pytest

from bokeh_app.config import DashboardSettings
from bokeh_app.portfolio import KEPT_APPLICATION, by_scoring, load_portfolio
from database.config import get_engine
from database.loader import load
from database.read import read_some_columns
from modeling.serving.artifact import load_bundle
from modeling.serving.scorer import Scorer
from modeling.serving.store import snapshot, stored_portfolio, write_scores

pytestmark = pytest.mark.requirement("EXG-PERF-23")


@pytest.fixture(scope="module")
def stored_bank(bank, tmp_path_factory):
    """The test bank over its own database, its batch scores stored as `predict --store` stores them."""
    url = f"sqlite:///{tmp_path_factory.mktemp('portfolio-store') / 'bank.db'}"
    load([bank.csv], url, progress=None)
    engine = get_engine(url)
    scorer = Scorer(load_bundle(bank.folder), engine)
    run_id, features = snapshot(scorer)
    write_scores(scorer, features, run_id)
    yield DashboardSettings(database_url=url, model_path=bank.folder, neighbours=50), scorer
    engine.dispose()


def test_the_portfolio_from_the_store_equals_the_portfolio_built_by_scoring(stored_bank, monkeypatch):
    config, scorer = stored_bank
    built = by_scoring(config.model_path, scorer.bundle, scorer.engine, config)
    said = []
    # the store path must not build features: a FeatureBuilder.transform call would fail the start
    monkeypatch.setattr(type(scorer.bundle.features), "transform",
                        lambda *_: pytest.fail("the dashboard rebuilt features at start"))
    loaded = load_portfolio(config, say=said.append)
    assert "read with their batch scores" in said[0]
    pd.testing.assert_frame_equal(loaded.clients.drop(columns="PROBABILITY"), built.clients.drop(columns="PROBABILITY"))
    assert loaded.clients["PROBABILITY"].to_numpy() == pytest.approx(built.clients["PROBABILITY"].to_numpy(),
                                                                      rel=1e-12, abs=1e-15)
    pd.testing.assert_frame_equal(loaded.features, built.features)
    pd.testing.assert_frame_equal(loaded.oof, built.oof)
    assert (loaded.threshold, loaded.model_version, loaded.f1_threshold) == (
        built.threshold, built.model_version, built.f1_threshold)
    some = loaded.clients.index[7]
    assert list(loaded.similar(some)) == list(built.similar(some)), "the same similar clients"


def test_a_store_missing_clients_makes_the_dashboard_score_them(bank):
    said = []
    config = DashboardSettings(database_url=f"sqlite:///{bank.csv.parent / 'none.db'}", model_path=bank.folder)
    load([bank.csv], config.database_url, progress=None)  # loaded, never batch-scored
    portfolio = load_portfolio(config, say=said.append)
    assert "the score store holds 0 of 1500 clients" in said[0]
    assert portfolio.clients["PROBABILITY"].notna().all()


def test_postgresql_reads_the_stored_features_sqlite_reads(stored_bank, bank, pg_database):
    """The dashboard's two reads give on PostgreSQL (COPY for the application) the frames they give on SQLite:
    the store's features and the application's descriptive columns."""
    config, scorer = stored_bank
    load([bank.csv], pg_database, progress=None)
    engine = get_engine(pg_database)
    try:
        on_postgres = Scorer(load_bundle(bank.folder), engine)
        run_id, features = snapshot(on_postgres)
        write_scores(on_postgres, features, run_id)
        read = stored_portfolio(engine, scorer.bundle.version).sort_index()
        application = read_some_columns(engine, "application", list(KEPT_APPLICATION))
    finally:
        engine.dispose()
    expected = stored_portfolio(scorer.engine, scorer.bundle.version).sort_index()
    assert len(read) == 1500 and read.notna().any().all()
    pd.testing.assert_frame_equal(read, expected, check_exact=False, rtol=1e-12)
    on_sqlite = read_some_columns(scorer.engine, "application", list(KEPT_APPLICATION))
    assert list(application.columns) == list(KEPT_APPLICATION) and len(application) == 1500
    pd.testing.assert_frame_equal(application.sort_values("SK_ID_CURR", ignore_index=True),
                                  on_sqlite.sort_values("SK_ID_CURR", ignore_index=True), check_exact=True)
