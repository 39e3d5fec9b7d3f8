"""The production server: gunicorn with api/gunicorn.conf.py answers real HTTP on a loopback port."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest
from api_server import REPO, gunicorn_api

pytestmark = pytest.mark.requirement("EXG-API-09")


def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.fixture
def server(stack, api_key, keys, tmp_path):
    """gunicorn (2 workers) over the session stack; yields its base URL, stops it afterwards."""
    env = {**stack.env(), "WEB_CONCURRENCY": "2", "SCORING_API_KEYS": keys(api_key)}
    env.pop("OMP_NUM_THREADS")  # the config file must set it itself
    with gunicorn_api(env, tmp_path / "gunicorn.log", timeout=60) as base:
        yield base


@pytest.mark.slow
def test_gunicorn_serves_scores_over_http(server, stack, api_key):
    client_id = stack.client_ids[3]
    # Several requests so that both workers (each with its own model load after the fork) answer.
    bodies = []
    for _ in range(6):
        status, headers, body = get(f"{server}/api/v1/clients/{client_id}/score?lang=en",
                                    {"X-API-Key": api_key})
        assert status == 200, body
        assert headers["X-Content-Type-Options"] == "nosniff"
        bodies.append(json.loads(body))
    assert all(b == bodies[0] for b in bodies)
    assert bodies[0]["client_id"] == client_id and bodies[0]["decision"] in ("grant", "refuse")
    status, _, body = get(f"{server}/api/v1/clients/{client_id}/score")
    assert status == 401 and json.loads(body)["error"]["code"] == "missing_api_key"
    status, _, body = get(f"{server}/")
    assert status == 200 and b'lang="fr"' in body


def _raw_request(base: str, request: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send bytes as they are (urllib refuses some of them) and read the whole answer."""
    import socket
    from urllib.parse import urlsplit

    address = urlsplit(base)
    with socket.create_connection((address.hostname, address.port), timeout=30) as sock:
        sock.sendall(request)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    return int(lines[0].split()[1]), headers, body


@pytest.mark.slow
def test_gunicorn_refusals_are_json_like_every_api_error(server, api_key):
    long_url = "/api/v1/clients/" + "1" * 10_000 + "/score"
    status, headers, body = _raw_request(server, f"GET {long_url} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    assert status == 414 and headers["Content-Type"] == "application/json"
    assert json.loads(body)["error"]["code"] == "uri_too_long"
    huge = "a" * 100_000
    status, headers, body = _raw_request(
        server, f"GET /api/v1/health HTTP/1.1\r\nHost: x\r\nX-Padding: {huge}\r\n\r\n".encode())
    assert status == 431 and headers["Content-Type"] == "application/json"
    assert json.loads(body)["error"]["code"] == "headers_too_large"
    # a client ID of 3 000 digits fits gunicorn's limit and is refused by the API, in JSON too
    status, _, body = get(f"{server}/api/v1/clients/{'9' * 3000}/score", {"X-API-Key": api_key})
    assert status == 400 and json.loads(body)["error"]["code"] == "invalid_client_id"


@pytest.mark.slow
@pytest.mark.requirement("EXG-SEC-21")
def test_five_wrong_passwords_lock_one_account_in_every_worker_not_another_of_the_same_address(server, stack):
    """The advisor page's sign-in under 2 workers: the lock is counted in the database, so every worker refuses
    the locked account, another account signs in from the same address, and a reset clears the lock."""
    import secrets
    import subprocess
    import sys

    from sqlalchemy import create_engine

    from database.users import create_user
    from tests.sign_in_http import post_form

    engine = create_engine(stack.database_url)
    suffix = secrets.token_hex(3)
    (lockme, locked_password), (advisor, password) = people = [
        (f"lockme-{suffix}", secrets.token_urlsafe(12)), (f"advisor-{suffix}", secrets.token_urlsafe(12))]
    for name, secret in people:
        create_user(engine, name, "advisor", secret)
    engine.dispose()
    login = f"{server}/login"
    assert [post_form(login, {"name": lockme, "password": "wrong-password"})[0] for _ in range(5)] == [401] * 5
    assert [post_form(login, {"name": lockme, "password": locked_password})[0] for _ in range(4)] == [429] * 4
    status, headers = post_form(f"{login}?next=/", {"name": advisor, "password": password})
    assert status == 302 and headers["Location"] == "/"
    subprocess.run([sys.executable, "-m", "bokeh_app", "reset-password", lockme], input=locked_password + "\n",
                   env={**stack.env(), "DASHBOARD_USER_PASSWORD": ""}, cwd=REPO, text=True, check=True, capture_output=True,
                   timeout=120)
    assert post_form(login, {"name": lockme, "password": locked_password})[0] == 302


@pytest.mark.slow
@pytest.mark.requirement("EXG-SEC-21")
def test_a_flood_of_unknown_names_from_one_address_is_refused_but_an_account_s_password_still_signs_in(
        stack, api_key, keys, tmp_path):
    """Guesses of names from one address, spread over 2 workers: past SIGNIN_ADDRESS_LIMIT failures counted by both
    workers together, unknown names get 429 with Retry-After; an advisor behind the same address signs in."""
    import secrets
    from concurrent.futures import ThreadPoolExecutor

    from sqlalchemy import create_engine, delete

    from database.schema import SignInFailure
    from database.users import create_user
    from tests.sign_in_http import post_form, session_cookie

    limit, bank = 8, stack.copied_to(tmp_path / "bank.db")  # a bank of its own,
    advisor, password = f"advisor-{secrets.token_hex(3)}", secrets.token_urlsafe(12)
    engine = create_engine(bank.database_url)
    with engine.begin() as connection:  # without the failed sign-ins that earlier tests left from this address
        connection.execute(delete(SignInFailure))
    create_user(engine, advisor, "advisor", password)
    engine.dispose()
    env = {**bank.env(), "WEB_CONCURRENCY": "2", "SCORING_API_KEYS": keys(api_key),
           "SIGNIN_ADDRESS_LIMIT": str(limit)}
    with gunicorn_api(env, tmp_path / "gunicorn.log", timeout=60) as base:
        login = f"{base}/login"

        def guess(i: int) -> tuple[int, dict]:
            return post_form(login, {"name": f"nobody-{i}-{secrets.token_hex(2)}", "password": "guess-guess"})

        with ThreadPoolExecutor(max_workers=2) as pool:  # two at a time: both workers answer
            flood = list(pool.map(guess, range(3 * limit)))
        statuses = [status for status, _ in flood]
        later = [guess(i)[0] for i in range(4)]
        signed_in = [post_form(f"{login}?next=/", {"name": advisor, "password": password}) for _ in range(4)]
        wrong = post_form(login, {"name": advisor, "password": "wrong-password"})[0]
        log = (tmp_path / "gunicorn.log").read_text()
    # counted per worker, each would answer about `limit` guesses before refusing: 2 × limit in all
    assert set(statuses) == {401, 429} and limit - 1 <= statuses.count(401) <= limit, statuses
    assert all(int(headers["Retry-After"]) >= 1 for status, headers in flood if status == 429)
    assert later == [429] * 4
    assert all(status == 302 and headers["Location"] == "/" and session_cookie(headers) for status, headers in signed_in)
    assert wrong == 429  # a wrong password of that account gets the same answer as an unknown name
    assert log.count("Booting worker") == 2
