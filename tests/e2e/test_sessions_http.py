"""Sessions that end, over real HTTP against `python -m bokeh_app serve` with its auth hooks: after sign-out, a
password reset or an administrator's revoke the old cookie gets the sign-in page on every route and its websocket
opens no session; the session token in the page carries no cookie and attaches to no other sign-in; the forms
need their CSRF token; no target after sign-in leaves the site; every answer carries the security headers; five
wrong passwords lock one account, not the others of the same address, and a reset clears the lock."""
from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import uuid

import pytest

from tests.bokeh_app.conftest import bank, portfolio  # noqa: F401  (session fixtures: test bank and model)
from tests.e2e.test_dashboard_browser import REPO
from tests.e2e.test_sign_in_browser import (  # noqa: F401  (the module's server, on the same secrets)
    SECRETS,
    _first_message,
    _signed_in_page,
    people,
    signed_server,
)
from tests.sign_in_http import post_form, request_once, session_cookie

pytestmark = [pytest.mark.slow, pytest.mark.requirement("EXG-SEC-21")]


@pytest.fixture
def user(bank):  # noqa: F811
    """(name, password) of a new advisor in the test bank."""
    from database.config import get_engine
    from database.users import create_user

    name, password = f"adv-{uuid.uuid4().hex[:6]}", secrets.token_urlsafe(12)
    engine = get_engine(bank.url)
    create_user(engine, name, "advisor", password)
    engine.dispose()
    return name, password


def _cli(bank, *args: str, stdin: str = "") -> subprocess.CompletedProcess:  # noqa: F811
    env = {**os.environ, "DATABASE_URL": bank.url, "PYTHONPATH": str(REPO)}
    env.pop("DASHBOARD_USER_PASSWORD", None)
    return subprocess.run([sys.executable, "-m", "bokeh_app", *args], cwd=REPO, env=env, input=stdin,
                          capture_output=True, text=True, timeout=120, check=True)


def _sign_out(base: str, cookie: str, token: str | None) -> tuple[int, dict]:
    """POST /logout with the sign-out token the page would hold (computed as the page does)."""
    from bokeh.util.token import get_token_payload

    from bokeh_app.session_user import PAYLOAD_KEY
    from database.signin import signout_token

    fields = {"csrf": signout_token(get_token_payload(token)[PAYLOAD_KEY], SECRETS["BOKEH_COOKIE_SECRET"])} \
        if token else {}
    import urllib.parse

    return request_once(f"{base}/logout?lang=en", "POST", urllib.parse.urlencode(fields),
                    {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})


def _refused_everywhere(url: str, cookie: str, token: str) -> None:
    """The old cookie is sent to the sign-in form on every route, and the websocket opens no session."""
    base = url.split("/bokeh_app")[0]
    for path in ("/bokeh_app", "/bokeh_app?lang=en", "/bokeh_app/autoload.js?bokeh-autoload-element=x"):
        status, headers = request_once(base + path, headers={"Cookie": cookie})
        assert status == 302 and headers["Location"].startswith("/login"), (path, status, headers)
    assert _first_message(url.replace("http://", "ws://") + "/ws", token, cookie) is None


def test_sign_out_reset_and_revoke_end_the_session_on_every_route_and_websocket(signed_server, user, bank):  # noqa: F811
    url, _log = signed_server
    base = url.split("/bokeh_app")[0]
    ws = url.replace("http://", "ws://") + "/ws"
    name, password = user

    cookie, token = _signed_in_page(url, name, password)
    assert request_once(f"{base}/logout", headers={"Cookie": cookie})[0] == 405  # a link cannot sign anyone out
    assert _sign_out(base, cookie, None)[0] == 403  # nor a form without the page's token
    assert request_once(url, headers={"Cookie": cookie})[0] == 200
    status, headers = _sign_out(base, cookie, token)
    assert status == 302 and headers["Location"] == "/login?lang=en"  # the English UI lands on the English form
    _refused_everywhere(url, cookie, token)

    cookie, token = _signed_in_page(url, name, password)
    assert "ACK" in _first_message(ws, token, cookie)
    password = secrets.token_urlsafe(12)
    assert "1 session(s) ended" in _cli(bank, "reset-password", name, stdin=password + "\n").stdout
    _refused_everywhere(url, cookie, token)

    cookie, token = _signed_in_page(url, name, password)
    listed = _cli(bank, "sessions", name).stdout
    assert listed.count("live") == 1 and listed.count("revoked") == 2
    _cli(bank, "sessions", name, "--revoke-all")
    _refused_everywhere(url, cookie, token)


def test_the_session_token_carries_no_cookie_and_attaches_to_no_other_sign_in(signed_server, user, people):  # noqa: F811
    from bokeh.util.token import get_token_payload

    url, _log = signed_server
    cookie, token = _signed_in_page(url, *user)
    payload = json.dumps(get_token_payload(token))
    assert cookie.split("=", 1)[1] not in payload and "homecredit" not in payload and "Cookie" not in payload
    other_cookie, _ = _signed_in_page(url, *people["risk_manager"])
    ws = url.replace("http://", "ws://") + "/ws"
    assert _first_message(ws, token, other_cookie) is None  # the advisor's token with another user's cookie
    assert "ACK" in _first_message(ws, token, cookie)


def test_the_forms_need_their_csrf_token_and_targets_stay_on_the_site(signed_server, user):  # noqa: F811
    url, _log = signed_server
    base = url.split("/bokeh_app")[0]
    fields = {"name": user[0], "password": user[1]}
    status, headers = post_form(f"{base}/login?next=/bokeh_app", fields, csrf=False)
    assert status == 403 and "homecredit_session" not in headers.get("Set-Cookie", "")
    for target in ("/\\evil.com", "/\\/evil.com", "//evil.com", "https://evil.com", "/\t/evil.com"):
        from urllib.parse import quote

        status, headers = post_form(f"{base}/login?next={quote(target, safe='')}", fields)
        assert status == 302 and headers["Location"] == "/", (target, headers["Location"])


def test_every_answer_carries_the_security_headers(signed_server, user):  # noqa: F811
    url, _log = signed_server
    base = url.split("/bokeh_app")[0]
    cookie, _ = _signed_in_page(url, *user)
    answers = {"page": request_once(url, headers={"Cookie": cookie}), "page unsigned": request_once(url),
               "login": request_once(f"{base}/login"), "login post": post_form(f"{base}/login", {"name": "x"}),
               "logout": request_once(f"{base}/logout", "POST", "", {"Cookie": cookie})}
    assert {what: status for what, (status, _) in answers.items()} == {
        "page": 200, "page unsigned": 302, "login": 200, "login post": 401, "logout": 403}
    for what, (_, headers) in answers.items():
        assert "frame-ancestors 'none'" in headers.get("Content-Security-Policy", ""), what
        assert headers["X-Content-Type-Options"] == "nosniff", what
        assert headers["Cache-Control"] == "no-store", what
        assert headers["Referrer-Policy"] == "no-referrer", what


def test_five_wrong_passwords_lock_one_account_not_the_others_and_a_reset_clears_it(signed_server, user, bank):  # noqa: F811
    from database.config import get_engine
    from database.users import create_user

    url, _log = signed_server
    base = url.split("/bokeh_app")[0]
    lockme, password = f"lockme-{uuid.uuid4().hex[:6]}", secrets.token_urlsafe(12)
    engine = get_engine(bank.url)
    create_user(engine, lockme, "advisor", password)
    engine.dispose()
    statuses = [post_form(f"{base}/login", {"name": lockme, "password": "wrong-password"})[0] for _ in range(5)]
    assert statuses == [401] * 5
    status, headers = post_form(f"{base}/login", {"name": lockme, "password": password})
    assert status == 429 and int(headers["Retry-After"]) > 0
    status, headers = post_form(f"{base}/login?next=/bokeh_app", {"name": user[0], "password": user[1]})
    assert status == 302 and session_cookie(headers)  # the same address, another account: signed in
    _cli(bank, "reset-password", lockme, stdin=password + "\n")
    assert post_form(f"{base}/login", {"name": lockme, "password": password})[0] == 302
