"""GET /api/v1/model/monitoring: the latest monitoring result stored for the serving model."""

from __future__ import annotations

import pytest

from database.config import get_engine
from database.loader import load
from modeling.monitoring import run as monitor_run
from modeling.serving.artifact import load_bundle
from modeling.serving.scorer import Scorer

pytestmark = pytest.mark.requirement("EXG-MOD-14")


@pytest.fixture(scope="module")
def monitored(stack, tmp_path_factory):
    """A copy of the stack's database and the scorer of the stack's model over it."""
    url = f"sqlite:///{tmp_path_factory.mktemp('monitored') / 'bank.db'}"
    load([stack.csv_dir], url, progress=None)
    engine = get_engine(url)
    yield url, Scorer(load_bundle(stack.model_dir / "latest"), engine)
    engine.dispose()


def test_no_result_yet_is_a_404_saying_what_to_run(monitored, make_app_over, auth):
    url, _ = monitored
    response = make_app_over(url).test_client().get("/api/v1/model/monitoring", headers=auth)
    assert response.status_code == 404
    assert response.json["error"]["code"] == "no_monitoring_result"
    assert "python -m modeling monitor" in response.json["error"]["message"]


def test_the_latest_result_of_the_serving_model_is_returned(monitored, make_app_over, auth):
    url, scorer = monitored
    first = monitor_run.run(scorer)
    second = monitor_run.run(scorer, features=scorer.all_features().iloc[:600])
    other = {**second, "model_version": "another-model", "computed_at": "2099-01-01T00:00:00+00:00"}
    monitor_run.save(scorer.engine, other)  # a later result of another model is not the serving model's
    response = make_app_over(url).test_client().get("/api/v1/model/monitoring", headers=auth)
    assert response.status_code == 200
    body = response.json
    assert body["model_version"] == scorer.bundle.version and body["clients"] == 600 != first["clients"]
    assert body["score_psi"] == pytest.approx(second["score_psi"]) and body["level"] == second["level"]
    assert [f["name"] for f in body["features"]] == [f["name"] for f in second["features"]]


def test_monitoring_needs_a_key(client):
    response = client.get("/api/v1/model/monitoring")
    assert response.status_code == 401 and response.json["error"]["code"] == "missing_api_key"

