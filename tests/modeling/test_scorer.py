"""Scoring clients from the database: one client, several, every client; and the CLI."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from database.config import get_engine
from modeling.__main__ import main
from modeling.serving.scorer import Scorer, UnknownClient

pytestmark = pytest.mark.requirement("EXG-MOD-09")


@pytest.fixture(scope="module")
def setup(trained_model, training_db_url):
    engine = get_engine(training_db_url)
    yield trained_model, training_db_url, Scorer(trained_model.artifact.bundle, engine)
    engine.dispose()


@pytest.fixture(scope="module")
def client_ids(setup):
    result, url, scorer = setup
    return [int(i) for i in result.artifact.bundle.background.index[:3]]


def test_score_one_client(setup, client_ids):
    result, _, scorer = setup
    res = scorer.score(client_ids[0], lang="en")
    assert 0 < res.probability < 1
    assert res.decision == ("refuse" if res.probability >= res.threshold else "grant")
    assert res.decision_label in ("Loan granted", "Loan refused")
    assert res.grade in "ABCDEF" and res.model_version == result.folder.name
    assert 300 < res.points < 900
    assert 1 <= len(res.reasons) <= 8 and all(r.sentence for r in res.reasons)
    assert json.loads(json.dumps(res.to_dict()))["client_id"] == client_ids[0]
    assert scorer.score(client_ids[0]).decision_label.startswith("Crédit")  # French by default


def test_single_client_equals_batch(setup, client_ids):
    _, _, scorer = setup
    # the serving read (each client's rows as column arrays) gives the rows of the whole-table build
    everyone = scorer.all_features()
    for client_id in client_ids:
        pd.testing.assert_frame_equal(scorer.features([client_id]), everyone.loc[[client_id]],
                                      check_exact=False, rtol=1e-12, atol=0)
    batch = scorer.score_frame(everyone.loc[client_ids]).set_index("SK_ID_CURR")
    for res in scorer.score_many(client_ids):
        assert res.probability == pytest.approx(batch.loc[res.client_id, "probability"], abs=1e-12)
        assert res.grade == batch.loc[res.client_id, "grade"]


def test_unknown_client(setup):
    _, _, scorer = setup
    with pytest.raises(UnknownClient, match="SK_ID_CURR=999999999"):
        scorer.score(999999999)


def test_cli_score_and_predict(setup, client_ids, tmp_path, monkeypatch, capsys):
    result, url, _ = setup
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("MODEL_DIR", str(result.folder.parent))
    assert main(["score", str(client_ids[0]), "--lang", "en"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["client_id"] == client_ids[0] and printed["reasons"]
    assert main(["score", "999999999"]) == 1
    assert "unknown client SK_ID_CURR=999999999" in capsys.readouterr().err
    out = tmp_path / "scores.csv"
    assert main(["predict", "--out", str(out)]) == 0
    frame = pd.read_csv(out)
    assert list(frame.columns) == ["SK_ID_CURR", "probability", "decision", "points", "grade", "final_decision",
                                   "decided_by", "reviewer", "reviewed_at", "review_reason"]
    assert len(frame) == 1500 and frame["SK_ID_CURR"].is_unique  # train and test applicants
    assert set(frame["decision"]) <= {"grant", "refuse"}
