"""The one-port server (`python -m webapp serve`) at its door: a 10 MB body is refused (413) before it is read and
the process does not grow; X-Forwarded-For is ignored with 0 trusted proxies and read through 1; the dashboard
and the sign-in form carry the security headers."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from api_server import free_port
from sqlalchemy import create_engine, text

from tests.sign_in_http import post_form, request_once

pytestmark = [pytest.mark.slow, pytest.mark.requirement("EXG-SEC-21")]
REPO = Path(__file__).resolve().parents[2]
TEN_MB = 10 * 1024 * 1024


@pytest.fixture(scope="module", params=[0, 1], ids=["no-proxy", "one-proxy"])
def one_port(request, stack, tmp_path_factory):
    """(base URL, server pid, trusted proxies) of `python -m webapp serve` over the session's bank."""
    log = tmp_path_factory.mktemp("web") / "web.log"
    port = free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith(("SCORING_", "DATABASE_"))}
    env.update(stack.env(), PORT=str(port), WEB_HOST="127.0.0.1", SCORING_TRUSTED_PROXIES=str(request.param),
               BOKEH_COOKIE_SECRET=secrets.token_urlsafe(32), BOKEH_SECRET_KEY=secrets.token_urlsafe(32),
               PYTHONPATH=str(REPO))
    with open(log, "wb") as out:
        server = subprocess.Popen([sys.executable, "-m", "webapp", "serve"], cwd=REPO, env=env, stdout=out,
                                  stderr=subprocess.STDOUT, start_new_session=True)
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 300
        try:
            while True:
                assert server.poll() is None, log.read_text()[-3000:]
                try:
                    with urllib.request.urlopen(f"{base}/login", timeout=5) as answer:
                        if answer.status == 200:
                            break
                except OSError:
                    pass
                assert time.monotonic() < deadline, "the one-port server did not answer within 300 s"
                time.sleep(0.5)
            yield base, server.pid, request.param
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)


def _rss_kib(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:")))


def _big_post(base: str, send_body: bool) -> bytes:
    """POST 10 MB to /login (only announced, or sent); the first bytes of the answer."""
    port = int(base.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=20) as sock:
        sock.sendall(f"POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded"
                     f"\r\nContent-Length: {TEN_MB}\r\n\r\n".encode())
        if send_body:
            try:
                for _ in range(TEN_MB // 65536):
                    sock.sendall(b"x" * 65536)
            except OSError:  # the server closed the connection after its answer: nothing more is read
                pass
        try:
            return sock.recv(200)
        except OSError:
            return b""


def test_a_ten_megabyte_body_is_refused_before_it_is_read(one_port):
    base, pid, _proxies = one_port  # the door is the same whatever the proxies: checked behind each
    assert _big_post(base, send_body=False).startswith(b"HTTP/1.1 413")  # answered before any byte of the body
    before = _rss_kib(pid)
    answers = [_big_post(base, send_body=True) for _ in range(4)]
    assert all(a.startswith(b"HTTP/1.1 413") or a == b"" for a in answers)
    assert _rss_kib(pid) - before < 8 * 1024, "the server grew by more than 8 MiB for 40 MB it should not read"
    assert request_once(f"{base}/login")[0] == 200


def test_forwarded_addresses_are_trusted_only_through_the_configured_proxies(one_port, stack):
    base, _pid, proxies = one_port
    name = f"nobody-{secrets.token_hex(4)}"
    status, _ = post_form(f"{base}/login", {"name": name, "password": "wrong-password"},
                           headers={"X-Forwarded-For": "198.51.100.1, 203.0.113.7", "X-Real-IP": "192.0.2.99"})
    assert status == 401
    engine = create_engine(stack.database_url)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT address FROM sign_in_failure WHERE account IS NULL "
                                       "ORDER BY id DESC LIMIT 1")).scalars().all()
    engine.dispose()
    assert rows == (["203.0.113.7"] if proxies else ["127.0.0.1"])


def test_the_dashboard_and_the_sign_in_form_carry_the_security_headers(one_port):
    base, _pid, _proxies = one_port  # the same headers whatever the proxies: checked behind each
    for path in ("/", "/login"):
        _status, headers = request_once(base + path)
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"], path
        assert headers["X-Content-Type-Options"] == "nosniff" and headers["Cache-Control"] == "no-store", path
