"""The model card endpoint."""
import pytest

pytestmark = pytest.mark.requirement("EXG-API-08")


def test_model_card(client, auth, stack):
    response = client.get("/api/v1/model", headers=auth)
    assert response.status_code == 200
    body = response.json
    latest = (stack.model_dir / "latest").resolve().name
    assert body["model_version"] == latest or latest.startswith(body["model_version"])
    assert 0 < body["threshold"] < 1
    assert body["card"]
    score = client.get(f"/api/v1/clients/{stack.client_ids[0]}/score", headers=auth).json
    assert score["model_version"] == body["model_version"] and score["threshold"] == body["threshold"]


def test_model_card_needs_a_key(client):
    assert client.get("/api/v1/model").status_code == 401
