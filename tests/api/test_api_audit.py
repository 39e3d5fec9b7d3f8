"""The audit trail: one row per decision served (API and page), none for errors, 503 if it cannot be written."""

import sqlite3

import pytest
from sqlalchemy import create_engine, select

from database.schema import ScoreAudit
from tests.api.conftest import signed_in_client

pytestmark = pytest.mark.requirement("EXG-API-03")


def _last_rows(database_url: str, n: int) -> list:
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return connection.execute(select(ScoreAudit).order_by(ScoreAudit.id.desc()).limit(n)).all()
    finally:
        engine.dispose()


def test_each_score_writes_one_row_with_what_was_decided(client, auth, stack, audit_rows):
    client_id = stack.client_ids[20]
    before = audit_rows(stack.database_url)
    body = client.get(f"/api/v1/clients/{client_id}/score", headers=auth).json
    assert audit_rows(stack.database_url) == before + 1
    row = _last_rows(stack.database_url, 1)[0]
    assert (row.sk_id_curr, row.caller, row.model_version, row.decision) == (
        client_id, "tester", body["model_version"], body["decision"])
    assert row.probability == pytest.approx(body["probability"])
    assert row.threshold == pytest.approx(body["threshold"])
    assert row.scored_at is not None


def test_batch_writes_one_row_per_known_client(client, auth, stack, audit_rows):
    ids = list(stack.client_ids[30:34])
    before = audit_rows(stack.database_url)
    response = client.post("/api/v1/scores", json={"client_ids": [*ids, 5]}, headers=auth)
    assert response.status_code == 200
    assert audit_rows(stack.database_url) == before + 4
    assert sorted(r.sk_id_curr for r in _last_rows(stack.database_url, 4)) == ids


def test_page_scores_are_audited_as_web_page(client, stack, audit_rows):
    before = audit_rows(stack.database_url, caller="web-page")
    response = client.get(f"/?client_id={stack.client_ids[40]}")
    assert response.status_code == 200
    assert audit_rows(stack.database_url, caller="web-page") == before + 1


@pytest.mark.parametrize("path", ["/api/v1/clients/abc/score", "/api/v1/clients/999/score",
                                  "/api/v1/clients/100002/score?lang=xx", "/?client_id=999", "/?client_id=x1"])
def test_errors_write_nothing(client, auth, stack, audit_rows, path):
    before = audit_rows(stack.database_url)
    assert client.get(path, headers=auth).status_code >= 400
    assert client.get(path).status_code >= 400
    assert audit_rows(stack.database_url) == before


def test_no_decision_without_its_trace(stack, tmp_path, api_key, keys, make_app_over):
    """A database that refuses audit rows (here a trigger) gets 503 audit_unavailable, not a decision."""
    copy = tmp_path / "bank.db"
    source = sqlite3.connect(stack.database_url.removeprefix("sqlite:///"))
    target = sqlite3.connect(copy)
    source.backup(target)
    target.execute("CREATE TRIGGER refuse_audit BEFORE INSERT ON score_audit "
                   "BEGIN SELECT RAISE(ABORT, 'audit storage full'); END")
    target.commit()
    source.close()
    target.close()
    client = signed_in_client(make_app_over(f"sqlite:///{copy}"))
    client_id = stack.client_ids[0]
    response = client.get(f"/api/v1/clients/{client_id}/score", headers={"X-API-Key": api_key})
    assert response.status_code == 503
    assert response.json == {"error": {"code": "audit_unavailable", "message":
                             "The decision could not be recorded, so it is not given; retry later."}}
    batch = client.post("/api/v1/scores", json={"client_ids": [client_id]}, headers={"X-API-Key": api_key})
    assert batch.status_code == 503 and "results" not in batch.json
    page = client.get(f"/?client_id={client_id}")
    assert page.status_code == 503 and 'class="result"' not in page.get_data(as_text=True)


@pytest.mark.postgres
def test_audit_on_postgresql(pg_stack_app, api_key, audit_rows):
    app, url, ids = pg_stack_app
    client = signed_in_client(app)
    before = audit_rows(url)
    assert client.get(f"/api/v1/clients/{ids[0]}/score", headers={"X-API-Key": api_key}).status_code == 200
    response = client.post("/api/v1/scores", json={"client_ids": [ids[1], ids[2], 7]},
                           headers={"X-API-Key": api_key})
    assert response.status_code == 200 and len(response.json["results"]) == 2
    assert client.get("/api/v1/clients/7/score", headers={"X-API-Key": api_key}).status_code == 404
    assert client.get(f"/?client_id={ids[3]}").status_code == 200
    assert audit_rows(url) == before + 4
    assert audit_rows(url, caller="web-page") >= 1
