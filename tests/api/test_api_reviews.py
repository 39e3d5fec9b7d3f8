"""Reviews through the API: a write-scoped key records an advisor's override, the score then returns it;
bad input gets a one-line JSON error; the page at / needs the dashboard's sign-in and logs each file opened."""

from __future__ import annotations

import logging
import secrets

import pytest
from sqlalchemy import create_engine, text

from api.auth import digest, new_key
from database.signin import COOKIE
from database.users import create_user
from tests.api.conftest import make_app, with_csrf

pytestmark = pytest.mark.requirement("EXG-SEC-23")
WRITER = new_key()


@pytest.fixture(scope="module")
def writer_app(stack, api_key):
    """The app with the session's read-only key and a second key with the write scope."""
    return make_app(stack, api_key, API_KEYS=f"tester:{digest(api_key)},desk:{digest(WRITER)}:write")


def _unreviewed_refused_client(stack, client) -> int:
    for client_id in stack.client_ids[200:]:
        body = client.get(f"/api/v1/clients/{client_id}/score", headers={"X-API-Key": WRITER}).json
        if body["decision"] == "refuse" and body["review"] is None:
            return client_id
    pytest.fail("no refused client without a review in the test bank")


def test_a_write_key_records_an_override_and_the_score_returns_it(writer_app, stack, api_key):
    client = writer_app.test_client()
    client_id = _unreviewed_refused_client(stack, client)
    body = {"final_decision": "grant", "reason": "income_verified", "comment": "Bulletins de salaire vus",
            "user": "advisor-7"}
    refused = client.post(f"/api/v1/clients/{client_id}/review", json=body, headers={"X-API-Key": api_key})
    assert refused.status_code == 403 and refused.json["error"]["code"] == "read_only_key"
    created = client.post(f"/api/v1/clients/{client_id}/review", json=body, headers={"X-API-Key": WRITER})
    assert created.status_code == 201
    score = client.get(f"/api/v1/clients/{client_id}/score", headers={"X-API-Key": api_key}).json
    review = score["review"]
    assert review == created.json
    assert (review["model_decision"], review["final_decision"], review["overridden"]) == ("refuse", "grant", True)
    assert review["model_probability"] == pytest.approx(score["probability"])
    assert review["reason"] == "income_verified" and review["user"] == "api:desk/advisor-7"


@pytest.mark.parametrize(("body", "code", "named"), [
    ({"final_decision": "grant", "reason": "because", "user": "a"}, "invalid_reason", "because"),
    ({"final_decision": "maybe", "reason": "other", "user": "a"}, "invalid_final_decision", "maybe"),
    ({"final_decision": "grant", "reason": "other"}, "invalid_user", "user"),
    ({"final_decision": "grant", "reason": "other", "user": "a", "comment": 5}, "invalid_comment", "comment"),
    (["grant"], "invalid_body", "JSON object"),
])
def test_bad_reviews_get_a_one_line_json_error_and_store_nothing(writer_app, stack, body, code, named):
    client = writer_app.test_client()
    client_id = stack.client_ids[3]
    engine = create_engine(stack.database_url)
    count = "SELECT count(*) FROM decision_review"
    with engine.connect() as connection:
        before = connection.execute(text(count)).scalar()
    response = client.post(f"/api/v1/clients/{client_id}/review", json=body, headers={"X-API-Key": WRITER})
    assert response.status_code == 400 and response.json["error"]["code"] == code
    message = response.json["error"]["message"]
    assert named in message and "\n" not in message
    with engine.connect() as connection:
        assert connection.execute(text(count)).scalar() == before
    engine.dispose()
    assert client.post("/api/v1/clients/999/review", json={"final_decision": "grant", "reason": "other", "user": "a"},
                       headers={"X-API-Key": WRITER}).status_code == 404
    assert client.post(f"/api/v1/clients/{client_id}/review", data="x",
                       headers={"X-API-Key": WRITER}).status_code == 415


@pytest.mark.requirement("EXG-SEC-21", "EXG-SEC-22")
def test_the_page_needs_a_sign_in_refuses_a_wrong_password_and_logs_each_file(tmp_path, stack, api_key, caplog):
    app = make_app(stack, api_key, RATELIMIT_STORAGE="memory://")
    engine = create_engine(stack.database_url)
    name, password = f"page-{secrets.token_hex(3)}", secrets.token_urlsafe(12)
    create_user(engine, name, "advisor", password)
    client = app.test_client()
    client_id = stack.client_ids[11]
    anonymous = client.get(f"/?client_id={client_id}")
    assert anonymous.status_code == 302 and anonymous.headers["Location"].startswith("/login?next=")
    with caplog.at_level(logging.WARNING):
        wrong = client.post("/login?next=/", data=with_csrf(client, {"name": name, "password": password + "x"}))
    assert wrong.status_code == 401 and "Identifiant ou mot de passe incorrect" in wrong.get_data(as_text=True)
    assert f"sign-in failed for {name!r}" in caplog.text
    assert COOKIE not in wrong.headers.get("Set-Cookie", "")
    signed = client.post(f"/login?next=/%3Fclient_id%3D{client_id}",
                         data=with_csrf(client, {"name": name, "password": password}))
    assert signed.status_code == 302 and signed.headers["Location"] == f"/?client_id={client_id}"
    page = client.get(signed.headers["Location"])
    assert page.status_code == 200 and 'class="result"' in page.get_data(as_text=True)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT sk_id_curr, channel FROM access_log WHERE user_name = :u"),
                                  {"u": name}).all()
    assert [tuple(r) for r in rows] == [(client_id, "page")]
    for _ in range(5):  # five more failures: the name is locked out, even with the right password
        client.post("/login", data=with_csrf(client, {"name": name, "password": "wrong-password"}))
    assert client.post("/login", data=with_csrf(client, {"name": name, "password": password})).status_code == 429
    engine.dispose()


@pytest.mark.parametrize(("user", "shown"), [
    ("advisor\x00-7", "U+0000"), ("advisor-7\nadmin", "U+000A"), ("\u202eadvisor-7", "U+202E"),
    ("advisor\u200b7", "U+200B"), ("advisor\x1b[31m", "U+001B")])
def test_the_advisor_name_cannot_hide_control_or_bidi_characters(tmp_path, user, shown):
    from api import create_app

    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.db'}", "RATELIMIT_STORAGE":
                      "memory://", "MODEL_DIR": str(tmp_path / "none"), "API_KEYS": f"desk:{digest(WRITER)}:write"})
    answer = app.test_client().post("/api/v1/clients/100002/review", headers={"X-API-Key": WRITER}, json={
        "final_decision": "grant", "reason": "income_verified", "user": user})
    assert answer.status_code == 400, answer.json
    error = answer.json["error"]
    assert error["code"] == "invalid_user" and error["message"].startswith("user holds the character " + shown)
    assert "\n" not in error["message"] and user not in error["message"]
