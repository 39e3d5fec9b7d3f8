"""Health: 200 when database and model work, 503 naming the part that failed."""

import pytest

from api import create_app

pytestmark = pytest.mark.requirement("EXG-API-08")


def test_healthy(client, stack):
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    assert response.json["checks"] == {"process": "ok", "database": "ok", "model": "ok"}
    assert response.json["model_version"]


def test_model_missing(bare_client):
    response = bare_client.get("/api/v1/health")
    assert response.status_code == 503
    assert response.json["checks"] == {"process": "ok", "database": "ok", "model": "failed"}


def test_database_unreachable(stack, tmp_path):
    app = create_app({"TESTING": True, "MODEL_DIR": str(stack.model_dir),
                      "DATABASE_URL": "postgresql+psycopg2://nobody:secret@127.0.0.1:1/none?connect_timeout=2"})
    response = app.test_client().get("/api/v1/health")
    assert response.status_code == 503
    assert response.json["checks"]["database"] == "failed"
    assert "secret" not in response.get_data(as_text=True)
