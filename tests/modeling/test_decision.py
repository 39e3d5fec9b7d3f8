"""The bank's final decision: the latest advisor review when there is one, else the model's; and the batch CSV
of `python -m modeling predict --out` states it for every client next to the model's own decision."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from database.config import get_engine
from database.oversight import latest_reviews, record_review, reviews_of
from modeling.__main__ import main
from modeling.serving.artifact import load_bundle
from modeling.serving.decision import final_decision
from modeling.serving.scorer import Scorer

pytestmark = pytest.mark.requirement("EXG-SEC-23")


@pytest.fixture(scope="module")
def scorer(stack):
    engine = get_engine(stack.database_url)
    yield Scorer(load_bundle(stack.model_dir / "latest"), engine)
    engine.dispose()


def unreviewed(stack, scorer, decision: str) -> int:
    """A client the model decides ``decision`` for, that nobody reviewed yet (the test bank is shared)."""
    for client_id in stack.client_ids[1000:]:
        if not reviews_of(scorer.engine, client_id) and scorer.score(client_id).decision == decision:
            return client_id
    pytest.fail(f"no unreviewed client with the model's decision {decision!r} in the test bank")


def test_the_final_decision_is_the_latest_review_else_the_model(stack, scorer):
    client_id = unreviewed(stack, scorer, "refuse")
    result = scorer.score(client_id)
    model = final_decision(scorer.engine, result)
    assert (model.decision, model.decided_by, model.user_name, model.decided_at, model.reason) == \
        ("refuse", "model", None, None, None)
    assert not model.reviewed and not model.overridden
    granted = record_review(scorer.engine, result, "advisor-a", "grant", "income_verified", "Fiches de paie")
    final = final_decision(scorer.engine, result)
    assert (final.decision, final.decided_by, final.user_name, final.decided_at, final.reason, final.comment) == \
        ("grant", "advisor", "advisor-a", granted.reviewed_at, "income_verified", "Fiches de paie")
    assert final.reviewed and final.overridden
    assert (final.model_decision, final.model_probability, final.model_version) == \
        ("refuse", pytest.approx(result.probability), result.model_version)
    record_review(scorer.engine, result, "advisor-b", "refuse", "model_agrees")
    latest = final_decision(scorer.engine, result)
    assert (latest.decision, latest.user_name, latest.reason, latest.overridden) == \
        ("refuse", "advisor-b", "model_agrees", False)
    with pytest.raises(dataclasses.FrozenInstanceError):
        latest.decision = "grant"


def test_the_batch_csv_states_each_client_final_decision(stack, scorer, tmp_path, monkeypatch):
    overridden = unreviewed(stack, scorer, "refuse")
    review = record_review(scorer.engine, scorer.score(overridden), "advisor-c", "grant", "guarantee_offered")
    refused = unreviewed(stack, scorer, "grant")
    record_review(scorer.engine, scorer.score(refused), "advisor-c", "refuse", "fraud_suspected")
    monkeypatch.setenv("DATABASE_URL", stack.database_url)
    out = tmp_path / "scores.csv"
    assert main(["predict", "--out", str(out), "--model", str(stack.model_dir / "latest")]) == 0
    frame = pd.read_csv(out).set_index("SK_ID_CURR")
    row = frame.loc[overridden]
    assert (row["decision"], row["final_decision"], row["decided_by"], row["reviewer"], row["review_reason"]) == \
        ("refuse", "grant", "advisor", "advisor-c", "guarantee_offered")
    assert row["reviewed_at"] == review.reviewed_at.isoformat()
    assert (frame.loc[refused, "decision"], frame.loc[refused, "final_decision"]) == ("grant", "refuse")
    never = frame[frame["decided_by"] == "model"]
    assert len(never) > 1000 and (never["final_decision"] == never["decision"]).all()
    assert never["reviewer"].isna().all() and never["review_reason"].isna().all()
    reviewed = {int(c) for c in frame.index[frame["decided_by"] == "advisor"]}
    assert reviewed == set(latest_reviews(scorer.engine, list(stack.client_ids)))
