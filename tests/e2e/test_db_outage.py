"""PostgreSQL goes down under a running gunicorn API: callers get a quick 503, service resumes by itself.

The API runs as the least-privileged application role over TLS, on its own throw-away server (stopping the
suite's shared server would disturb other tests). No response is a 500, none waits past the configured
timeouts, and every successful score has its audit row.
"""

from __future__ import annotations

import json
import os
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from api_server import gunicorn_api
from pg_server import PgServer, PgUnavailable, start_server

from database.roles import init_roles, role_url

pytestmark = [pytest.mark.postgres, pytest.mark.slow, pytest.mark.requirement("EXG-SEC-04")]

REPO = Path(__file__).resolve().parents[2]
PASSWORDS = {role: f"pw-{uuid.uuid4().hex[:12]}" for role in
             ("homecredit_owner", "homecredit_loader", "homecredit_app", "homecredit_analyst")}
CONNECT_TIMEOUT = 2  # seconds, DATABASE_CONNECT_TIMEOUT of the API
SLOWEST_ANSWER = 10  # no answer may take longer, outage or not
API_KEY = "outage-test-key-" + uuid.uuid4().hex


@dataclass
class Bank:
    """A throw-away server holding a loaded bank, its role URLs, and the model folder."""

    server: PgServer
    urls: dict[str, str]
    model_dir: Path
    client_ids: list[int] = field(default_factory=list)


@pytest.fixture(scope="module")
def bank(stack) -> Iterator[Bank]:
    """Own PostgreSQL server; roles; the session stack's CSV files loaded by the loader; the stack's model."""
    from database.loader import load

    try:
        # a crash must not lose committed audit rows: the suite's speed setting (off) would allow it
        server = start_server({"synchronous_commit": "on"})
    except PgUnavailable as error:
        pytest.skip(str(error))
    try:
        admin_url = server.create_database("bank")
        init_roles(admin_url, passwords=PASSWORDS)
        urls = {role: role_url(admin_url, role, pw) for role, pw in PASSWORDS.items()}
        load([stack.csv_dir], urls["homecredit_loader"], progress=None)
        yield Bank(server, urls, stack.model_dir, list(stack.client_ids[:20]))
    finally:
        server.destroy()


def _get(url: str, key: str | None = None) -> tuple[int, dict, float]:
    """Status, JSON body and duration of one GET (a 599 status for a connection failure)."""
    request = urllib.request.Request(url, headers={"X-API-Key": key} if key else {})
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=SLOWEST_ANSWER + 20) as response:
            status, body = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, body = error.code, error.read()
    except OSError:
        return 599, {}, time.perf_counter() - started
    try:
        payload = json.loads(body)
    except ValueError:
        payload = {"raw": body[:200].decode(errors="replace")}
    return status, payload, time.perf_counter() - started


@pytest.fixture(scope="module")
def api(bank, tmp_path_factory) -> Iterator[str]:
    """gunicorn (2 workers) serving the API as homecredit_app over verify-full TLS; its base URL."""
    from api.auth import digest

    env = {**os.environ, "DATABASE_URL": bank.urls["homecredit_app"], "MODEL_DIR": str(bank.model_dir),
           "WEB_CONCURRENCY": "2", "SCORING_API_KEYS": f"tester:{digest(API_KEY)}", "SCORING_RATE_LIMIT": "1000",
           "SCORING_RATE_BURST": "1000", "DATABASE_CONNECT_TIMEOUT": str(CONNECT_TIMEOUT)}
    env.pop("DATABASE_ALLOW_INSECURE", None)
    with gunicorn_api(env, tmp_path_factory.mktemp("gunicorn") / "gunicorn.log") as base:
        yield base


def _database_check(base: str) -> tuple[str, float]:
    status, body, seconds = _get(f"{base}/api/v1/health")
    assert status in (200, 503), body
    return body["checks"]["database"], seconds


def test_health_follows_the_database_without_restarting_the_api(bank, api):
    assert _database_check(api)[0] == "ok"
    bank.server.stop("fast")
    try:
        for _ in range(4):  # each worker, each pooled connection: all notice, none hangs
            state, seconds = _database_check(api)
            assert state == "failed"
            assert seconds < SLOWEST_ANSWER
    finally:
        bank.server.start()
    states = [_database_check(api)[0] for _ in range(4)]
    assert states == ["ok"] * 4  # the pool reconnected by itself


def _audit_rows(bank: Bank) -> int:
    from sqlalchemy import text

    from database.config import get_engine

    engine = get_engine(bank.urls["homecredit_owner"])
    try:
        with engine.connect() as connection:
            return connection.execute(text("SELECT count(*) FROM score_audit WHERE caller = 'tester'")).scalar()
    finally:
        engine.dispose()


def test_scores_get_503_during_an_outage_and_every_success_is_audited(bank, api):
    before = _audit_rows(bank)
    answers: list[tuple[int, dict, float]] = []
    stop = threading.Event()

    def hammer() -> None:
        i = 0
        while not stop.is_set():
            client = bank.client_ids[i % len(bank.client_ids)]
            answers.append(_get(f"{api}/api/v1/clients/{client}/score", API_KEY))
            i += 1

    first = _get(f"{api}/api/v1/clients/{bank.client_ids[0]}/score", API_KEY)
    assert first[0] == 200, first[1]
    thread = threading.Thread(target=hammer)
    thread.start()
    try:
        time.sleep(1)
        bank.server.stop("immediate")  # a crash, not a polite shutdown
        time.sleep(3)
        during = _get(f"{api}/api/v1/clients/{bank.client_ids[1]}/score", API_KEY)
        bank.server.start()
        time.sleep(2)
    finally:
        stop.set()
        thread.join(timeout=60)
    after = [_get(f"{api}/api/v1/clients/{c}/score", API_KEY) for c in bank.client_ids[:4]]

    assert during[0] == 503, during[1]
    assert during[1]["error"]["code"] in {"database_unavailable", "audit_unavailable"}
    assert [a[0] for a in after] == [200] * 4, [a[1] for a in after]
    statuses = [a[0] for a in [first, *answers, during, *after]]
    assert set(statuses) <= {200, 503}, sorted(set(statuses))
    assert max(a[2] for a in [*answers, during]) < SLOWEST_ANSWER
    assert 503 in statuses and statuses.count(200) > 5
    assert _audit_rows(bank) - before == statuses.count(200)  # no decision served without its audit row
