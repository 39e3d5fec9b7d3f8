"""Review requests through the API (CCD2 Art. 18): a write key records the client's statement, the request enters
the advisors' queue, is taken and answered by a review that the score and the request then show; bad input gets a
one-line JSON error naming the field and stores nothing; reading the requests is logged."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from api.auth import digest, new_key
from api.openapi import build_spec
from database.review_requests import all_requests, answer_request, take_request
from tests.api.conftest import make_app

pytestmark = pytest.mark.requirement("EXG-SEC-23")
WRITER = new_key()
PATH = "/api/v1/clients/{}/review-requests"


@pytest.fixture(scope="module")
def writer_app(stack, api_key):
    """The app with the session's read-only key and a second key with the write scope."""
    return make_app(stack, api_key, API_KEYS=f"tester:{digest(api_key)},desk:{digest(WRITER)}:write")


def _rows(database_url: str, sql: str, **values) -> list:
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return connection.execute(text(sql), values).all()
    finally:
        engine.dispose()


def test_a_request_from_the_api_is_queued_taken_answered_and_read_back(writer_app, stack, api_key):
    client = writer_app.test_client()
    client_id = stack.client_ids[400]
    statement = "J'ai retrouvé un emploi en CDI depuis mars.\nJe peux fournir mes fiches de paie."
    refused = client.post(PATH.format(client_id), json={"statement": statement}, headers={"X-API-Key": api_key})
    assert refused.status_code == 403 and refused.json["error"]["code"] == "read_only_key"
    created = client.post(PATH.format(client_id), json={"statement": statement, "contact": "email"},
                          headers={"X-API-Key": WRITER})
    assert created.status_code == 201
    body = created.json
    assert (body["client_id"], body["statement"], body["contact"], body["channel"], body["recorded_by"],
            body["state"], body["answer"]) == (client_id, statement, "email", "api", "api:desk", "open", None)

    service = writer_app.extensions["scoring"]
    queued = [r for r in all_requests(service.engine) if r.id == body["id"]]
    assert [r.state for r in queued] == ["open"]
    take_request(service.engine, body["id"], "advisor")
    result = service.score(client_id, "fr")
    overturned = "grant" if result.decision == "refuse" else "refuse"
    answer_request(service.engine, body["id"], result, "advisor", overturned, "recent_change", "Nouveau contrat")

    listed = client.get(PATH.format(client_id), headers={"X-API-Key": api_key})
    assert listed.status_code == 200 and listed.json["client_id"] == client_id
    mine = [r for r in listed.json["requests"] if r["id"] == body["id"]][0]
    assert (mine["state"], mine["taken_by"], [s["step"] for s in mine["steps"]]) == (
        "answered", "advisor", ["taken", "answered"])
    assert (mine["answer"]["final_decision"], mine["answer"]["reason"], mine["answer"]["user"]) == (
        overturned, "recent_change", "advisor")
    review = client.get(f"/api/v1/clients/{client_id}/score", headers={"X-API-Key": api_key}).json["review"]
    assert (review["final_decision"], review["reason"], review["user"]) == (overturned, "recent_change", "advisor")
    assert _rows(stack.database_url, "SELECT final_decision FROM decision_review WHERE id = :id",
                 id=mine["answer"]["review_id"]) == [(overturned,)]
    assert ("api:tester", "api") in _rows(stack.database_url, "SELECT user_name, channel FROM access_log "
                                                              "WHERE sk_id_curr = :c", c=client_id)


@pytest.mark.parametrize(("body", "code", "named"), [
    ({}, "invalid_statement", "statement is missing"),
    ({"statement": "   "}, "invalid_statement", "statement is empty"),
    ({"statement": "x" * 2001}, "invalid_statement", "2001 characters: at most 2000"),
    ({"statement": "fin\u0000"}, "invalid_statement", "U+0000"),
    ({"statement": "\u202egnp.exe"}, "invalid_statement", "U+202E"),
    ({"statement": ["a"]}, "invalid_statement", "statement must be text"),
    ({"statement": "Mon avis", "contact": "fax"}, "invalid_contact", "'fax'"),
    ({"statement": "Mon avis", "user": "x"}, "invalid_body", '"user" is not known'),
    (["Mon avis"], "invalid_body", "JSON object"),
])
def test_a_bad_request_gets_a_one_line_error_naming_the_field_and_stores_nothing(writer_app, stack, body, code,
                                                                                 named):
    client = writer_app.test_client()
    count = "SELECT count(*) FROM review_request"
    before = _rows(stack.database_url, count)
    response = client.post(PATH.format(stack.client_ids[5]), json=body, headers={"X-API-Key": WRITER})
    assert response.status_code == 400 and response.json["error"]["code"] == code
    message = response.json["error"]["message"]
    assert named in message and "\n" not in message
    assert _rows(stack.database_url, count) == before


def test_an_unknown_client_is_404_and_a_body_that_is_not_json_is_415(writer_app, api_key):
    client = writer_app.test_client()
    missing = client.post(PATH.format(999), json={"statement": "Mon avis"}, headers={"X-API-Key": WRITER})
    assert missing.status_code == 404 and missing.json["error"] == {"code": "unknown_client",
                                                                     "message": "No client with ID 999."}
    assert client.get(PATH.format(999), headers={"X-API-Key": api_key}).status_code == 404
    assert client.post(PATH.format(100002), data="Mon avis", headers={"X-API-Key": WRITER}).status_code == 415
    assert client.get(PATH.format("12a"), headers={"X-API-Key": api_key}).json["error"]["code"] == "invalid_client_id"


def test_the_document_describes_both_operations(bare_app):
    operations = build_spec(bare_app)["paths"]["/api/v1/clients/{client_id}/review-requests"]
    assert set(operations) == {"get", "post"}
    assert operations["post"]["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/HumanReviewRequestBody"}
    assert set(operations["post"]["responses"]) >= {"201", "400", "403", "404", "415"}
