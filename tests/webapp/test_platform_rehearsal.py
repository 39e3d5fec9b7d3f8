"""Platform rehearsal: the release and web commands exactly as the Procfile and the image give them, on an
empty database, with $PORT set, then the dashboard page, the API's health and one score on that one port.

The model stands for the one built into the slug or the image (the session's trained model); the
database is empty, as on a first deployment: once SQLite, once the test PostgreSQL server reached
through the ``postgres://...?sslmode=require`` URL a managed host gives.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shlex
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from api_server import free_port
from sqlalchemy.engine import make_url

from tests.e2e.test_dashboard_browser import _console_errors, _wait_for, driver  # noqa: F401  (fixture)
from webapp.smoke import smoke

pytestmark = [pytest.mark.slow, pytest.mark.requirement("EXG-API-09", "EXG-DSH-04")]
REPO = Path(__file__).resolve().parents[2]
DEMO_CLIENTS = 400  # small: the rehearsal checks the path, not the scale
FIRST_CLIENT = 100_002


def procfile() -> dict[str, str]:
    """The process types of the Procfile: {"release": command, "web": command}."""
    lines = (REPO / "Procfile").read_text().splitlines()
    return dict(re.fullmatch(r"(\w+):\s*(.+)", line).groups() for line in lines if line.strip())


def image() -> tuple[str, dict[str, str]]:
    """The image's start command (ENTRYPOINT + CMD of the runtime stage) and the ENV it sets."""
    text = (REPO / "Dockerfile").read_text().replace("\\\n", " ")
    runtime = text[text.index("AS runtime"):]
    entrypoint = json.loads(re.search(r"^ENTRYPOINT (\[.*\])$", runtime, re.M).group(1))
    cmd = json.loads(re.search(r"^CMD (\[.*\])$", runtime, re.M).group(1))
    env: dict[str, str] = {}
    for line in re.findall(r"^ENV (.+)$", text, re.M):
        env.update(pair.split("=", 1) for pair in shlex.split(line))
    return shlex.join(entrypoint + cmd), env


def test_the_platform_files_are_what_the_rehearsal_runs() -> None:
    assert set(procfile()) == {"release", "web"}
    command, env = image()
    assert command.startswith("python -m webapp") and env["PORT"] and env["DEMO_MODE"] == "1"


def _environment(tmp_path: Path, stack, database_url: str, extra: dict[str, str]) -> dict[str, str]:
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"  # `python` is this interpreter
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DATABASE_", "SCORING_", "PG"))}
    return {**env, **extra, "PATH": path, "DATABASE_URL": database_url, "MODEL_DIR": str(stack.model_dir),
            "DEMO_CLIENTS": str(DEMO_CLIENTS), "PORT": str(free_port()), "DEMO_API_KEY": secrets.token_urlsafe(16),
            "OMP_NUM_THREADS": "1", "HOME": str(tmp_path)}


def _rehearse(release: str | None, web: str, env: dict[str, str], log: Path, while_up=None):
    """Run the release (it must succeed), then the web command until the smoke test (and ``while_up(base, log)``)
    passed."""
    with open(log, "wb") as out:
        if release:
            done = subprocess.run(release, shell=True, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT,
                                  timeout=600, check=False)
            assert done.returncode == 0, log.read_text()[-3000:]
        server = subprocess.Popen(web, shell=True, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT,
                                  start_new_session=True)
        try:
            report = smoke(f"http://127.0.0.1:{env['PORT']}", env["DEMO_API_KEY"], FIRST_CLIENT, timeout=300,
                           say=lambda _line: None)
            if while_up:
                while_up(f"http://localhost:{env['PORT']}", log)
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
    return report, log.read_text()


@pytest.fixture(params=["sqlite", "postgres"])
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database: a new SQLite file, or a new PostgreSQL database by its managed-host URL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'fresh.db'}"
    url = request.getfixturevalue("pg_database")
    return request.getfixturevalue("pg_server").managed_url(make_url(url).database)


def test_heroku_procfile_on_an_empty_database(stack, empty_database: str, tmp_path: Path) -> None:
    processes = procfile()
    env = _environment(tmp_path, stack, empty_database, {"DEMO_MODE": "1"})
    report, log = _rehearse(processes["release"], processes["web"], env, tmp_path / "heroku.log")
    assert report.model_version == (stack.model_dir / "latest").resolve().name
    assert f"{DEMO_CLIENTS} clients scored and explained" in log
    if empty_database.startswith("postgres://"):
        assert "without certificate verification (sslmode=require set by DATABASE_URL)" in log


def _in_a_browser(request: pytest.FixtureRequest):
    """A check that an advisor's browser gets the dashboard's client table through the one port (websocket)."""
    browser = request.getfixturevalue("driver")

    def check(base: str, log: Path) -> None:
        # the demo's release printed one user per role and its password once, in the log
        password = re.search(r"demo user advisor \(advisor\): password (\S+)", log.read_text()).group(1)
        browser.get(f"{base}/")
        browser.find_element("id", "name").send_keys("advisor")
        browser.find_element("id", "password").send_keys(password)
        browser.find_element("css selector", "button[type=submit]").click()
        row = _wait_for(browser, ".slick-cell", str(FIRST_CLIENT))
        assert str(FIRST_CLIENT) in row.text
        assert not _console_errors(browser)

    return check


def test_image_entrypoint_on_an_empty_database(stack, empty_database: str, tmp_path: Path,
                                               request: pytest.FixtureRequest) -> None:
    command, image_env = image()
    # the stack's model (MODEL_DIR) is signed with the suite's key, not with the key an image build makes
    kept = {k: v for k, v in image_env.items() if k not in ("MODEL_DIR", "MODEL_SIGNING_KEY_FILE")}
    env = _environment(tmp_path, stack, empty_database, kept)
    browser = _in_a_browser(request) if empty_database.startswith("sqlite") else None
    report, log = _rehearse(None, command, env, tmp_path / "image.log", while_up=browser)
    assert report.model_version == (stack.model_dir / "latest").resolve().name
    assert "schema of" in log and "upgraded from empty to" in log


def _websocket_status(url: str, origin: str) -> int:
    """The HTTP status of a websocket handshake to ``url`` from a page of ``origin`` (101: accepted)."""
    import asyncio

    from tornado.httpclient import HTTPClientError, HTTPRequest
    from tornado.websocket import websocket_connect

    async def handshake() -> int:
        try:
            connection = await websocket_connect(HTTPRequest(url, headers={"Origin": origin}),
                                                 subprotocols=["bokeh", "not-a-token"])
        except HTTPClientError as error:
            return error.code
        connection.close()
        return 101

    return asyncio.run(handshake())


def test_the_dashboard_accepts_browsers_from_the_platform_host_only(stack, tmp_path: Path) -> None:
    env = _environment(tmp_path, stack, stack.database_url, {  # not the demo: sign-in needs its secrets
        "SPACE_HOST": "owner-homecredit.hf.space", "BOKEH_COOKIE_SECRET": secrets.token_urlsafe(32),
        "BOKEH_SECRET_KEY": secrets.token_urlsafe(32)})
    with open(tmp_path / "web.log", "wb") as out:
        server = subprocess.Popen(procfile()["web"], shell=True, cwd=REPO, env=env, stdout=out,
                                  stderr=subprocess.STDOUT, start_new_session=True)
        try:
            smoke(f"http://127.0.0.1:{env['PORT']}", env["DEMO_API_KEY"], FIRST_CLIENT, timeout=300,
                  say=lambda _line: None)
            ws = f"ws://127.0.0.1:{env['PORT']}/ws"
            assert _websocket_status(ws, "https://owner-homecredit.hf.space") == 101
            assert _websocket_status(ws, "https://elsewhere.example.com") == 403
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
