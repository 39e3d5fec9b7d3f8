"""API keys: parsing SCORING_API_KEYS, matching a presented key, 401/403/429 through HTTP."""

import pytest

from api import create_app
from api.auth import digest, entry, identify, new_key, parse_keys

pytestmark = pytest.mark.requirement("EXG-API-02")


def test_parse_and_identify():
    key = new_key()
    keys = parse_keys(f" crm:{digest(key)} , batch:{digest(new_key())},")
    assert set(keys) == {"crm", "batch"}
    assert identify(key, keys) == "crm"
    assert identify(key + "x", keys) is None
    assert identify("", keys) is None


def test_entry_is_what_parse_reads():
    key = new_key()
    assert identify(key, parse_keys(entry("risk-team", key))) == "risk-team"


@pytest.mark.parametrize("setting", ["crm", "crm:abc", "bad name:" + "0" * 64, ":" + "0" * 64])
def test_malformed_entries_fail_at_start_naming_the_variable(setting):
    with pytest.raises(ValueError, match="SCORING_API_KEYS entry 1"):
        parse_keys(setting)


def test_app_refuses_to_start_with_a_malformed_key_setting(tmp_path):
    with pytest.raises(ValueError, match="python -m api create-key"):
        create_app({"API_KEYS": "crm:nothex", "DATABASE_URL": f"sqlite:///{tmp_path}/x.db"})


def test_keys_are_random_and_long():
    keys = {new_key() for _ in range(50)}
    assert len(keys) == 50 and all(len(k) >= 43 for k in keys)


def test_missing_key_is_401(bare_client):
    response = bare_client.get("/api/v1/clients/100002/score")
    assert response.status_code == 401
    assert response.json["error"]["code"] == "missing_api_key"
    assert "X-API-Key" in response.headers["WWW-Authenticate"]


def test_wrong_key_is_403(bare_client):
    response = bare_client.get("/api/v1/model", headers={"X-API-Key": new_key()})
    assert response.status_code == 403
    assert response.json["error"]["code"] == "invalid_api_key"


def test_non_ascii_key_is_403_not_500(bare_client):
    response = bare_client.get("/api/v1/model", headers={"X-API-Key": "clé-é"})
    assert response.status_code == 403


def test_rate_limit_gives_429_with_retry_after(tmp_path, api_key, keys):
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path}/x.db",
                      "MODEL_DIR": str(tmp_path / "none"), "API_KEYS": keys(api_key),
                      "RATE_LIMIT": "2 per minute", "RATELIMIT_STORAGE": f"sqlite:///{tmp_path / 'limits.db'}"})
    client = app.test_client()
    statuses = [client.get("/api/v1/clients/1/score?lang=xx", headers={"X-API-Key": api_key}).status_code
                for _ in range(3)]
    assert statuses == [400, 400, 429]
    response = client.get("/api/v1/clients/1/score", headers={"X-API-Key": api_key})
    assert response.json["error"]["code"] == "rate_limited"
    assert int(response.headers["Retry-After"]) >= 1
