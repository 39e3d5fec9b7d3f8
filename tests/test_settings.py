"""One settings layer: every yes/no setting takes the words the README states and refuses the others, a wrong
value stops the command in one line naming its variable, and the one-port server hands the API and the dashboard
their settings as objects, never by writing its own environment."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from types import SimpleNamespace

import pytest
from api_server import free_port

from database.config import sign_in_policy
from settings import environment
from tests.stack import REPO


def _dashboard_auth() -> bool:
    from bokeh_app.config import DashboardSettings

    return DashboardSettings.from_env().auth


def _demo_mode() -> bool:
    from webapp.config import WebSettings

    return WebSettings.from_env().demo


def _page_enabled() -> bool:
    from api.config import ApiSettings

    return ApiSettings.from_env().page_enabled


def _batch_scores() -> bool:
    from api.config import ApiSettings

    return ApiSettings.from_env().batch_scores


def _insecure_allowed() -> bool:
    from database.security import insecure_allowed

    return insecure_allowed()


#: Every yes/no setting of the project and the public reader of its value.
FLAGS = {"DASHBOARD_AUTH": _dashboard_auth, "DEMO_MODE": _demo_mode, "SCORING_PAGE_ENABLED": _page_enabled,
         "SCORING_BATCH_SCORES": _batch_scores, "DATABASE_ALLOW_INSECURE": _insecure_allowed}


def _documented_words() -> tuple[list[str], list[str]]:
    """The yes words and the no words of the README's sentence on yes/no settings."""
    readme = " ".join((REPO / "README.md").read_text(encoding="utf-8").split())
    stated = re.search(r"A yes/no setting .*? takes (.+?) for yes and (.+?) for no \(any case\)", readme)
    assert stated, "README.md: no 'A yes/no setting ... takes <words> for yes and <words> for no (any case)'"
    return [re.findall(r"`([^`]+)`", part) for part in stated.groups()]  # type: ignore[return-value]


@pytest.mark.parametrize("variable", FLAGS)
def test_every_yes_no_setting_takes_the_words_the_readme_states_in_any_case(variable, monkeypatch):
    yes, no = _documented_words()
    assert {"1", "true", "yes", "on"} <= set(yes) and {"0", "false", "no", "off"} <= set(no)
    for word, meant in [(w, True) for w in yes] + [(w, False) for w in no]:
        for spelling in (word, word.upper()):
            monkeypatch.setenv(variable, spelling)
            assert FLAGS[variable]() is meant, f"{variable}={spelling}"


@pytest.mark.parametrize("variable", FLAGS)
@pytest.mark.parametrize("word", ["nope", "enabled", "2"])
def test_a_yes_no_setting_refuses_any_other_word_naming_its_variable(variable, word, monkeypatch):
    """Before: DASHBOARD_AUTH=nope kept sign-in on, DEMO_MODE=nope turned the demo off, SCORING_PAGE_ENABLED=nope
    kept the page, each silently."""
    from settings import SettingsError

    monkeypatch.setenv(variable, word)
    with pytest.raises(SettingsError) as refused:
        FLAGS[variable]()
    message = str(refused.value)
    assert message.startswith(f"{variable}={word!r} is not a yes/no word") and "\n" not in message


def test_scoring_page_enabled_no_takes_the_page_away(monkeypatch, tmp_path):
    """Flask's JSON parsing kept 'no' as a string, which is true: the page stayed open."""
    from api import create_app

    monkeypatch.setenv("SCORING_PAGE_ENABLED", "no")
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}", "MODEL_DIR": str(tmp_path)})
    assert app.test_client().get("/").status_code == 404


def test_database_allow_insecure_on_allows_a_local_server_as_yes_does(monkeypatch):
    """'on' was read as no here while DASHBOARD_AUTH and DEMO_MODE read it as yes."""
    from database.security import check_url

    monkeypatch.setenv("DATABASE_ALLOW_INSECURE", "on")
    monkeypatch.delenv("PGSSLMODE", raising=False)
    assert check_url("postgresql://app@localhost/homecredit").host == "localhost"


@pytest.mark.parametrize("variable, value, problem", [
    ("SCORING_MAX_BATCH", "abc", "is not a whole number: correct it, or unset it for the default (100)"),
    ("SCORING_MAX_BATCH", "0", "must be at least 1"),
    ("SCORING_TRUSTED_PROXIES", "-1", "must be at least 0"),
    ("SCORING_RATE_BURST", "1.5", "is not a whole number"),
])
def test_a_wrong_api_setting_stops_create_app_in_one_line_naming_it(variable, value, problem, monkeypatch):
    """SCORING_MAX_BATCH=abc used to start the API and fail each batch request with a traceback."""
    from api import create_app

    monkeypatch.setenv(variable, value)
    with pytest.raises(ValueError) as refused:
        create_app()
    assert str(refused.value).startswith(f"{variable}={value!r} {problem}") and "\n" not in str(refused.value)


@pytest.mark.parametrize("variable, value, problem", [
    ("DATABASE_POOL_SIZE", "five", "is not a whole number: correct it, or unset it for the default (5)"),
    ("SESSION_IDLE_MINUTES", "0", "must be at least 1"),
])
def test_a_wrong_database_setting_is_one_line_naming_it(variable, value, problem, monkeypatch):
    from database.config import postgres_engine_options, sign_in_policy

    monkeypatch.setenv(variable, value)
    for read in (postgres_engine_options, sign_in_policy):
        with pytest.raises(ValueError) as refused:
            read()
        assert str(refused.value).startswith(f"{variable}={value!r} {problem}") and "\n" not in str(refused.value)


@pytest.mark.parametrize("command, variable, value", [
    (["webapp", "release"], "DEMO_MODE", "maybe"),
    (["webapp", "release"], "WEB_API_THREADS", "four"),
    (["webapp", "serve"], "PORT", "abc"),
    (["api", "serve"], "SCORING_MAX_BATCH", "abc"),
    (["bokeh_app", "serve", "--no-auth"], "DASHBOARD_NEIGHBOURS", "many"),
])
def test_a_wrong_setting_stops_the_command_with_one_line_and_writes_nothing(command, variable, value, tmp_path):
    database = tmp_path / "bank.db"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "MODEL_DIR": str(tmp_path), variable: value,
           "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-m", *command], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stderr.startswith(f"error: {variable}={value!r} ") and done.stderr.count("\n") == 1, done.stderr
    assert not database.exists()  # refused before the database was touched


def test_the_dashboard_page_says_which_setting_is_wrong(monkeypatch):
    from bokeh_app import app_hooks

    monkeypatch.setenv("DASHBOARD_TABLE_ROWS", "lots")
    context = SimpleNamespace()
    app_hooks.on_server_loaded(context)
    assert context.portfolio is None
    assert context.portfolio_error.startswith("DASHBOARD_TABLE_ROWS='lots' is not a whole number")


def test_the_one_port_server_hands_its_settings_over_as_objects_not_through_its_environment(monkeypatch, tmp_path):
    """The server used to write DASHBOARD_AUTH=on and rely on the dashboard reading it back from os.environ; now
    nothing it builds changes the environment, and the dashboard requires sign-in whatever DASHBOARD_AUTH says."""
    from api.auth import digest, identify
    from webapp.config import WebSettings
    from webapp.server import build_server

    crm, demo = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
    for name, value in {"DASHBOARD_AUTH": "off", "SCORING_API_KEYS": f"crm:{digest(crm)}",
                        "DATABASE_URL": f"sqlite:///{tmp_path / 'bank.db'}", "MODEL_DIR": str(tmp_path),
                        "BOKEH_COOKIE_SECRET": secrets.token_urlsafe(32),
                        "BOKEH_SECRET_KEY": secrets.token_urlsafe(32)}.items():
        monkeypatch.setenv(name, value)
    config = WebSettings.from_env(web_host="127.0.0.1", platform_port=free_port(), demo_api_key=demo)
    before = dict(os.environ)
    server, flask_app, executor = build_server(config)
    try:
        assert dict(os.environ) == before
        keys = flask_app.extensions["api_keys"]
        assert identify(crm, keys) == "crm" and identify(demo, keys) == "demo"
        server_context = SimpleNamespace()
        server._tornado._applications["/"].application.on_server_loaded(server_context)  # as server.start() does
        assert server_context.settings.auth is True
        assert dict(os.environ) == before
    finally:
        server.stop()
        executor.shutdown(wait=False)


def test_the_env_file_is_read_once_per_process_not_at_every_sign_in_check(tmp_path, monkeypatch):
    """The sign-in policy is read at every request: its settings must not reread .env each time."""
    (tmp_path / ".env").write_text("SESSION_IDLE_MINUTES=17\n", encoding="utf-8")
    monkeypatch.setattr(environment, "ENV_FILE", tmp_path / ".env")
    monkeypatch.delenv("SESSION_IDLE_MINUTES", raising=False)
    reads = []
    monkeypatch.setattr(environment, "read_env_file", lambda path: reads.append(path) or {"SESSION_IDLE_MINUTES": "17"})
    policies = [sign_in_policy() for _ in range(3)]
    assert all(p.idle.total_seconds() == 17 * 60 for p in policies)
    assert reads == [tmp_path / ".env"]
