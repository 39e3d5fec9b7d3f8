"""Settings: defaults, then the environment, then explicit overrides."""

import pytest

from api import create_app

pytestmark = pytest.mark.requirement("EXG-API-09")


def test_defaults(monkeypatch):
    for name in ("DATABASE_URL", "MODEL_DIR", "SCORING_API_KEYS", "SCORING_MAX_BATCH"):
        monkeypatch.delenv(name, raising=False)
    app = create_app()
    assert app.config["MAX_BATCH"] == 100
    assert app.config["DATABASE_URL"] is None and app.config["MODEL_DIR"] is None
    assert app.extensions["api_keys"] == {}


def test_environment_is_read(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/env.db")
    monkeypatch.setenv("MODEL_DIR", str(tmp_path))
    monkeypatch.setenv("SCORING_MAX_BATCH", "7")
    monkeypatch.setenv("SCORING_PAGE_ENABLED", "false")
    app = create_app()
    assert app.config["DATABASE_URL"].endswith("env.db")
    assert app.config["MODEL_DIR"] == str(tmp_path)
    assert app.config["MAX_BATCH"] == 7
    assert app.test_client().get("/").status_code == 404  # page turned off


def test_overrides_win_over_environment(monkeypatch):
    monkeypatch.setenv("SCORING_MAX_BATCH", "7")
    assert create_app({"MAX_BATCH": 3}).config["MAX_BATCH"] == 3


def test_creating_the_app_connects_to_nothing(tmp_path):
    database = tmp_path / "never.db"
    create_app({"DATABASE_URL": f"sqlite:///{database}", "MODEL_DIR": str(tmp_path / "none")})
    assert not database.exists()


def test_api_keys_written_only_in_dot_env_are_honoured(monkeypatch, tmp_path):
    from api.auth import digest, identify
    from settings import environment

    key = "dotenv-key-" + "x" * 24
    (tmp_path / ".env").write_text(f"# test repository root\nSCORING_API_KEYS=dotenv:{digest(key)}\n")
    monkeypatch.setattr(environment, "ENV_FILE", tmp_path / ".env")
    monkeypatch.setenv("SCORING_API_KEYS", "")  # recorded, so the value .env puts in os.environ is undone
    monkeypatch.delenv("SCORING_API_KEYS")
    app = create_app()
    assert identify(key, app.extensions["api_keys"]) == "dotenv"
