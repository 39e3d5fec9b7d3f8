"""The API never unpickles a model folder its key did not sign: a replaced model.pkl and card give 503, no code."""

import logging

import pytest

from api import create_app
from tests.tampering import replaced_model

pytestmark = pytest.mark.requirement("EXG-API-08")


def test_a_replaced_model_and_card_are_refused_before_unpickling(stack, tmp_path, api_key, caplog):
    from tests.api.conftest import keys_setting

    model_dir, folder, marker = replaced_model(stack.model_dir / "latest", tmp_path)
    app = create_app({"TESTING": True, "DATABASE_URL": stack.database_url, "MODEL_DIR": str(model_dir),
                      "API_KEYS": keys_setting(api_key), "RATELIMIT_STORAGE": "memory://"})
    client = app.test_client()
    with caplog.at_level(logging.ERROR):
        health = client.get("/api/v1/health")
        score = client.get(f"/api/v1/clients/{stack.client_ids[0]}/score", headers={"X-API-Key": api_key})
    assert health.status_code == 503 and health.json["checks"]["model"] == "failed"
    assert score.status_code == 503 and score.json["error"]["code"] == "model_unavailable"
    assert not marker.exists(), "the replaced pickle's code ran inside the API"
    logged = [r.getMessage() for r in caplog.records if "model unavailable" in r.getMessage()]
    assert logged and f"refusing to unpickle {folder.name}" in logged[0] and "python -m modeling sign" in logged[0]
