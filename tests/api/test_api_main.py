"""The command line: ``python -m api create-key NAME`` (or ``flask --app api create-key NAME``) prints a working
key once."""

import subprocess
import sys
from pathlib import Path

import pytest

from api import create_app

pytestmark = pytest.mark.requirement("EXG-API-09")

REPO = Path(__file__).resolve().parents[2]


#: The two spellings of the command: the package's command line and the Flask app's CLI.
SPELLINGS = {"python -m api": ("-m", "api"), "flask --app api": ("-m", "flask", "--app", "api")}


def run(*args: str, spelling: str = "python -m api") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *SPELLINGS[spelling], *args], cwd=REPO, capture_output=True, text=True,
                          timeout=60)


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_create_key_prints_a_key_the_app_accepts(tmp_path, spelling):
    done = run("create-key", "crm-batch", spelling=spelling)
    assert done.returncode == 0, done.stderr
    lines = [line.strip() for line in done.stdout.splitlines()]
    key = lines[1]
    entry = lines[3]
    assert entry.startswith("crm-batch:") and key not in entry
    app = create_app({"TESTING": True, "API_KEYS": entry, "DATABASE_URL": f"sqlite:///{tmp_path}/x.db",
                      "MODEL_DIR": str(tmp_path)})
    response = app.test_client().get("/api/v1/clients/1/score?lang=xx", headers={"X-API-Key": key})
    assert response.status_code == 400  # past authentication: the key is accepted


def test_two_keys_differ():
    assert run("create-key", "a").stdout != run("create-key", "a").stdout


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_bad_name_is_refused_in_one_line(spelling):
    done = run("create-key", "bad:name", spelling=spelling)
    assert done.returncode == 2
    error = done.stderr.splitlines()[-1]  # flask --app api first logs the app's warning that no key is set yet
    assert error.startswith("error: invalid key name 'bad:name'") and done.stderr.count("error") == 1
    assert spelling != "python -m api" or done.stderr.count("\n") == 1


def test_help():
    done = run("--help")
    assert done.returncode == 0 and "create-key" in done.stdout and "serve" in done.stdout


def test_env_format_for_scripts():
    lines = run("create-key", "demo", "--format", "env").stdout.splitlines()
    assert lines[0].startswith("SCORING_API_KEY=") and lines[1].startswith("SCORING_API_KEYS=demo:")
