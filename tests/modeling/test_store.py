"""Batch scores: `python -m modeling predict --store` writes what the Scorer would compute, served until the next load."""

from __future__ import annotations

import json
import random
import subprocess
import sys

import pytest

from database.config import get_engine
from database.loader import load
from modeling.serving.artifact import load_bundle
from modeling.serving.scorer import Scorer
from modeling.serving.store import stored_frame
from tests.stack import REPO

pytestmark = pytest.mark.requirement("EXG-MOD-10")


def _predict(stack, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "modeling", "predict", *args], cwd=REPO, env=stack.env(),
                          capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def stored_stack(stack, tmp_path_factory):
    """The shared stack over its own database copy, with the batch scores written by the CLI."""
    url = f"sqlite:///{tmp_path_factory.mktemp('store') / 'bank.db'}"
    load([stack.csv_dir], url, progress=None)
    own = stack.over(url)
    done = _predict(own, "--store")
    assert done.returncode == 0, done.stderr
    return own, done.stdout


@pytest.fixture(scope="module")
def scorer(stored_stack):
    own, _ = stored_stack
    engine = get_engine(own.database_url)
    yield Scorer(load_bundle(own.model_dir / "latest"), engine)
    engine.dispose()


def test_every_client_is_stored_with_a_probability(stored_stack, scorer):
    own, stdout = stored_stack
    frame = stored_frame(scorer.engine, scorer.bundle.version)
    assert sorted(frame["SK_ID_CURR"]) == sorted(own.client_ids)
    assert frame["probability"].between(0, 1).all()
    assert f"{len(own.client_ids)} clients scored and explained by model {scorer.bundle.version}" in stdout


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_stored_scores_equal_the_scores_computed_online(stored_stack, scorer, lang):
    own, _ = stored_stack
    for client_id in random.Random(3).sample(own.client_ids, 15):
        stored = scorer.stored(client_id, lang)
        assert stored is not None, f"client {client_id} has no current batch score"
        kept, online = stored.to_dict(), scorer.score(client_id, lang).to_dict()
        # a batch and a single row may differ in the last bit of a vectorised exp: equal to 1e-12
        assert kept.pop("probability") == pytest.approx(online.pop("probability"), rel=1e-12, abs=1e-15)
        assert kept == online
        assert stored.reasons, "a stored score keeps its reasons"


def test_the_api_serves_the_stored_score_equal_to_the_cli(stored_stack):
    from api import create_app
    from api.auth import digest, new_key

    own, _ = stored_stack
    key = new_key()
    app = create_app({"DATABASE_URL": own.database_url, "MODEL_DIR": str(own.model_dir),
                      "API_KEYS": f"t:{digest(key)}"})
    client_id = own.client_ids[11]
    response = app.test_client().get(f"/api/v1/clients/{client_id}/score?lang=en", headers={"X-API-Key": key})
    assert response.status_code == 200
    cli = subprocess.run([sys.executable, "-m", "modeling", "score", str(client_id), "--lang", "en"], cwd=REPO,
                         env=own.env(), capture_output=True, text=True, timeout=300, check=True)
    expected = json.loads(cli.stdout)
    body = response.get_json()
    assert body["probability"] == pytest.approx(expected["probability"], abs=1e-12)
    assert body["decision"] == expected["decision"]
    assert [r["sentence"] for r in body["reasons"]] == [r["sentence"] for r in expected["reasons"]]


def test_a_new_load_retires_the_stored_scores(stack, tmp_path):
    url = f"sqlite:///{tmp_path / 'bank.db'}"
    load([stack.csv_dir], url, progress=None)
    own = stack.over(url)
    assert _predict(own, "--store").returncode == 0
    engine = get_engine(url)
    try:
        scorer = Scorer(load_bundle(own.model_dir / "latest"), engine)
        client_id = own.client_ids[0]
        assert scorer.stored(client_id) is not None
        load([stack.csv_dir], url, progress=None)  # a later load run (here it adds nothing)
        assert scorer.stored(client_id) is None
        assert len(stored_frame(engine, scorer.bundle.version)) == 0
        # the service then computes the score online
        assert scorer.score(client_id, use_store=True).to_dict() == scorer.score(client_id).to_dict()
    finally:
        engine.dispose()


def test_predict_without_a_destination_says_what_to_give(stack):
    done = _predict(stack)
    assert done.returncode == 1
    assert done.stderr.strip() == "error: nothing to write: give --out FILE.csv, --store or both"


@pytest.mark.requirement("EXG-SEC-23")
def test_the_stored_batch_holds_no_decision_and_a_later_review_is_served_as_the_final_decision(stored_stack, scorer):
    """docs/operations.md: `client_score` keeps the model's output and no decision; whoever serves a stored score
    adds the final decision then, so a review recorded after the batch is what the API says at once."""
    from api import create_app
    from api.auth import digest, new_key
    from database.oversight import record_review
    from database.schema import ClientScore

    own, _ = stored_stack
    assert not [c for c in ClientScore.__table__.columns.keys() if "decision" in c]
    guide = " ".join((REPO / "docs" / "operations.md").read_text(encoding="utf-8").split())
    assert "`client_score` holds the model's output only" in guide and "no decision" in guide
    key = new_key()
    app = create_app({"DATABASE_URL": own.database_url, "MODEL_DIR": str(own.model_dir), "API_KEYS": f"t:{digest(key)}",
                      "RATELIMIT_STORAGE": "memory://"})
    client = app.test_client()
    client_id = own.client_ids[23]
    stored = scorer.stored(client_id, "fr")
    assert stored is not None, "the store is current: the API serves this row"
    overturned = "grant" if stored.decision == "refuse" else "refuse"
    record_review(scorer.engine, stored, "advisor", overturned, "recent_change")
    single = client.get(f"/api/v1/clients/{client_id}/score", headers={"X-API-Key": key}).get_json()
    batch = client.post("/api/v1/scores", json={"client_ids": [client_id, own.client_ids[24]]},
                        headers={"X-API-Key": key}).get_json()["results"]
    for served in (single, batch[0]):
        assert served["probability"] == pytest.approx(stored.probability, abs=1e-12)
        assert served["decision"] == stored.decision  # the model's, from the batch
        assert (served["final_decision"]["decision"], served["final_decision"]["decided_by"]) == (overturned, "advisor")
    assert batch[1]["final_decision"]["decided_by"] == "model"
