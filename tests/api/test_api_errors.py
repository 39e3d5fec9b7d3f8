"""Every error is one-line JSON with a stable code; no stack trace ever reaches the caller."""

import pytest
from sqlalchemy.exc import OperationalError

from api import create_app

pytestmark = pytest.mark.requirement("EXG-API-04")


@pytest.mark.parametrize("raw", ["abc", "-1", "2147483648", "99999999999", "1;DROP TABLE application",
                                 "1 OR 1=1", "1.5", "%20", "0x10", "100002%0A", "100002%0D%0A", "%EF%BC%91%EF%BC%92"])
def test_malformed_client_id_is_400(bare_client, auth, raw):
    response = bare_client.get(f"/api/v1/clients/{raw}/score", headers=auth)
    assert response.status_code == 400
    assert response.json["error"]["code"] == "invalid_client_id"
    assert "\n" not in response.json["error"]["message"]


@pytest.mark.parametrize(("method", "path", "body"), [
    ("post", "/api/v1/scores", '{"client_ids": %s}'),
    ("post", "/api/v1/clients/100002/simulate", '{"amount": %s}'),
    ("post", "/api/v1/clients/100002/review", '{"user": %s}'),
])
def test_a_deeply_nested_body_is_a_400_naming_the_problem(tmp_path, api_key, auth, method, path, body):
    from api.auth import digest

    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.db'}",  # a key that may write
                      "MODEL_DIR": str(tmp_path / "none"), "API_KEYS": f"tester:{digest(api_key)}:write",
                      "RATELIMIT_STORAGE": "memory://"})
    nested = body % ("[" * 5000 + "]" * 5000)
    response = getattr(app.test_client(), method)(path, data=nested, content_type="application/json", headers=auth)
    assert response.status_code == 400, response.get_data(as_text=True)[:200]
    error = response.json["error"]
    assert error["code"] == "invalid_body" and "nested too deeply" in error["message"] and "\n" not in error["message"]


def test_unknown_language_is_400(bare_client, auth):
    response = bare_client.get("/api/v1/clients/100002/score?lang=de", headers=auth)
    assert response.status_code == 400
    assert response.json["error"]["code"] == "invalid_lang"


def test_unknown_route_is_404_json(bare_client):
    response = bare_client.get("/api/v1/nothing")
    assert response.status_code == 404
    assert response.json == {"error": {"code": "not_found",
                                       "message": "No such resource; see /api/v1/docs for the endpoints."}}


def test_wrong_method_is_405_with_allow(bare_client, auth):
    response = bare_client.delete("/api/v1/clients/100002/score", headers=auth)
    assert response.status_code == 405
    assert response.json["error"]["code"] == "method_not_allowed"
    assert "GET" in response.headers["Allow"]
    assert bare_client.get("/api/v1/scores", headers=auth).status_code == 405


def test_body_too_large_is_413(bare_client, auth):
    body = '{"client_ids": [' + ",".join(["100002"] * 5000) + "]}"
    response = bare_client.post("/api/v1/scores", data=body, headers={**auth, "Content-Type": "application/json"})
    assert response.status_code == 413
    assert response.json["error"]["code"] == "payload_too_large"


def test_missing_model_is_503(bare_client, auth):
    response = bare_client.get("/api/v1/clients/100002/score", headers=auth)
    assert response.status_code == 503
    assert response.json["error"]["code"] == "model_unavailable"


def _failing_app(tmp_path, error: Exception):
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path}/x.db"})

    @app.get("/boom")
    def boom():
        raise error

    return app


def test_database_error_is_503_without_details(tmp_path):
    error = OperationalError("SELECT secret_column FROM t", {}, Exception("connection refused by 10.0.0.7"))
    response = _failing_app(tmp_path, error).test_client().get("/boom")
    assert response.status_code == 503
    assert response.json["error"]["code"] == "database_unavailable"
    assert "10.0.0.7" not in response.get_data(as_text=True)
    assert "secret_column" not in response.get_data(as_text=True)


def test_unexpected_error_is_500_generic_and_logged(tmp_path, caplog):
    response = _failing_app(tmp_path, KeyError("internal detail")).test_client().get("/boom")
    assert response.status_code == 500
    assert response.json == {"error": {"code": "internal_error", "message": "Internal error; it has been logged."}}
    assert "Traceback" not in response.get_data(as_text=True)
    assert "internal detail" in caplog.text


@pytest.mark.parametrize("url", [
    "postgresql+psycopg2://nobody:secret@127.0.0.1:1/none?connect_timeout=2",  # refused by the TLS policy
    "postgresql+psycopg2://nobody:secret@127.0.0.1:1/none?connect_timeout=2&sslmode=verify-full"
    "&sslrootcert=/nonexistent/ca.pem",  # accepted, but nothing answers
])
def test_database_down_while_scoring_is_503(stack, api_key, keys, url):
    app = create_app({"TESTING": True, "MODEL_DIR": str(stack.model_dir), "API_KEYS": keys(api_key),
                      "DATABASE_URL": url})
    client = app.test_client()
    response = client.get(f"/api/v1/clients/{stack.client_ids[0]}/score", headers={"X-API-Key": api_key})
    assert response.status_code == 503
    assert response.json["error"]["code"] == "database_unavailable"
    assert "secret" not in response.get_data(as_text=True)
    assert client.get("/api/v1/health").json["checks"]["database"] == "failed"
