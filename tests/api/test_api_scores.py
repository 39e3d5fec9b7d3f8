"""Scores through HTTP: one client, a batch, the same figures as the modeling command line."""

import json
import subprocess
import sys

import pytest

from api.service import parse_client_id

pytestmark = pytest.mark.requirement("EXG-API-01", "EXG-MOD-10")


def test_score_of_a_client_in_french(client, auth, stack):
    client_id = stack.client_ids[0]
    response = client.get(f"/api/v1/clients/{client_id}/score", headers=auth)
    assert response.status_code == 200
    body = response.json
    assert body["client_id"] == client_id
    assert 0 < body["probability"] < 1 and 0 < body["threshold"] < 1
    assert body["decision"] == ("refuse" if body["probability"] >= body["threshold"] else "grant")
    assert body["decision_label"] == {"grant": "Crédit accordé", "refuse": "Crédit refusé"}[body["decision"]]
    assert body["grade"] in "ABCDEF" and isinstance(body["points"], int)
    assert body["lang"] == "fr" and body["reasons"]
    for reason in body["reasons"]:
        assert set(reason) >= {"feature", "label", "value", "display_value", "contribution", "sentence"}
        assert reason["sentence"] and reason["label"]
    assert response.headers["Cache-Control"] == "no-store"


def test_english_changes_the_words_not_the_figures(client, auth, stack):
    client_id = stack.client_ids[1]
    fr = client.get(f"/api/v1/clients/{client_id}/score", headers=auth).json
    en = client.get(f"/api/v1/clients/{client_id}/score?lang=en", headers=auth).json
    assert en["lang"] == "en"
    assert (en["probability"], en["decision"], en["points"]) == (fr["probability"], fr["decision"], fr["points"])
    assert [r["feature"] for r in en["reasons"]] == [r["feature"] for r in fr["reasons"]]
    assert [r["sentence"] for r in en["reasons"]] != [r["sentence"] for r in fr["reasons"]]


def test_unknown_client_is_404(client, auth):
    response = client.get("/api/v1/clients/2147483647/score", headers=auth)
    assert response.status_code == 404
    assert response.json["error"] == {"code": "unknown_client", "message": "No client with ID 2147483647."}


def test_batch_lists_unknown_ids_without_failing(client, auth, stack):
    known = list(stack.client_ids[:3])
    response = client.post("/api/v1/scores", json={"client_ids": [*known, 999, known[0]], "lang": "en"},
                           headers=auth)
    assert response.status_code == 200
    body = response.json
    assert [r["client_id"] for r in body["results"]] == known
    assert body["errors"] == [{"client_id": 999, "code": "unknown_client", "message": "No client with ID 999."}]
    single = client.get(f"/api/v1/clients/{known[2]}/score?lang=en", headers=auth).json
    assert body["results"][2] == single


@pytest.mark.parametrize("body, status, code", [
    ({"client_ids": []}, 400, "empty_batch"),
    ({"client_ids": "100002"}, 400, "invalid_body"),
    ({"ids": [100002]}, 400, "invalid_body"),
    ([100002], 400, "invalid_body"),
    ({"client_ids": [100002, "100003"]}, 400, "invalid_client_id"),
    ({"client_ids": [100002, -4]}, 400, "invalid_client_id"),
    ({"client_ids": [100002, True]}, 400, "invalid_client_id"),
    ({"client_ids": [100002, 2**31]}, 400, "invalid_client_id"),
    ({"client_ids": [100002], "lang": "de"}, 400, "invalid_lang"),
    ({"client_ids": [100002], "lang": None}, 400, "invalid_lang"),
    ({"client_ids": [100002], "language": "en"}, 400, "invalid_body"),
    ({"client_ids": [100002, 100002.5]}, 400, "invalid_client_id"),
    ({"client_ids": list(range(100002, 100103))}, 400, "batch_too_large"),  # maxItems: 400 like any bad field
])
def test_bad_batches(client, auth, body, status, code):
    response = client.post("/api/v1/scores", json=body, headers=auth)
    assert response.status_code == status
    assert response.json["error"]["code"] == code


@pytest.mark.parametrize(("raw", "shown"), [(None, "null"), (1.5, "1.5"), ("x", '"x"'), (True, "true")])
def test_a_bad_id_in_a_batch_is_named_by_its_index_and_value(client, auth, raw, shown):
    response = client.post("/api/v1/scores", json={"client_ids": [100002, raw]}, headers=auth)
    assert response.status_code == 400
    message = response.json["error"]["message"]
    assert message.startswith(f"client_ids[1] is {shown}:")
    assert "NoneType" not in message and "float" not in message and "'str'" not in message


def test_batch_needs_json(client, auth):
    response = client.post("/api/v1/scores", data="client_ids=100002", headers=auth)
    assert response.status_code == 415


def test_batch_needs_a_key(client):
    assert client.post("/api/v1/scores", json={"client_ids": [100002]}).status_code == 401


def test_an_integral_number_is_a_client_id_as_json_schema_says(client, auth, stack):
    known = stack.client_ids[0]
    as_float = client.post("/api/v1/scores", json={"client_ids": [float(known)]}, headers=auth)
    assert as_float.status_code == 200, as_float.json
    assert [r["client_id"] for r in as_float.json["results"]] == [known]


@pytest.mark.parametrize("raw, expected", [("100002", 100002), (7, 7), ("0", 0), ("2147483647", 2**31 - 1)])
def test_valid_ids(raw, expected):
    assert parse_client_id(raw) == expected


@pytest.mark.slow
def test_same_score_as_the_modeling_command_line(client, auth, stack):
    for client_id in stack.client_ids[10:12]:
        done = subprocess.run([sys.executable, "-m", "modeling", "score", str(client_id), "--lang", "fr"],
                              env=stack.env(), capture_output=True, text=True, timeout=120, check=True)
        cli = json.loads(done.stdout)
        api = client.get(f"/api/v1/clients/{client_id}/score", headers=auth).json
        assert api["probability"] == pytest.approx(cli["probability"], abs=1e-12)
        assert (api["decision"], api["grade"], api["model_version"]) == (
            cli["decision"], cli["grade"], cli["model_version"])
        assert api["threshold"] == pytest.approx(cli["threshold"])
        assert [r["sentence"] for r in api["reasons"]] == [r["sentence"] for r in cli["reasons"]]
