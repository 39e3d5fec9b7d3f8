"""Sign-in over real HTTP and in headless Chromium: `python -m bokeh_app serve` with its auth hooks on the test
bank. Without signing in, the page, its websocket and the advisor page at / refuse; a wrong password is refused
and logged; an advisor sees no risk tab, records an override with a reason and reads it back, in the client
view and in GET /api/v1/clients/{id}/score."""
from __future__ import annotations

import secrets
import threading
import time
import uuid

import pytest

from tests.bokeh_app.conftest import bank, portfolio  # noqa: F401  (session fixtures: test bank and model)
from tests.e2e.test_dashboard_browser import (  # noqa: F401
    _console_errors,
    _free_port,
    _wait_for,
    bokeh_server,
    driver,
)
from tests.sign_in_http import post_form, request_once, session_cookie

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.requirement("EXG-SEC-21")]
SECRETS = {"BOKEH_COOKIE_SECRET": secrets.token_urlsafe(32), "BOKEH_SECRET_KEY": secrets.token_urlsafe(32)}


@pytest.fixture(scope="module")
def people(bank) -> dict[str, tuple[str, str]]:  # noqa: F811
    """role -> (name, password) of users made in the test bank's database."""
    from database.config import get_engine
    from database.users import create_user

    engine = get_engine(bank.url)
    made = {}
    for role in ("advisor", "risk_manager"):
        made[role] = (f"{role}-{uuid.uuid4().hex[:6]}", secrets.token_urlsafe(12))
        create_user(engine, made[role][0], role, made[role][1])
    engine.dispose()
    return made


@pytest.fixture(scope="module")
def signed_server(bank):  # noqa: F811
    """(URL, log file) of the dashboard served with sign-in on."""
    import os
    import tempfile

    from tests.e2e.test_dashboard_browser import REPO, TABLE_ROWS

    env = {**os.environ, "DATABASE_URL": bank.url, "MODEL_DIR": str(bank.model_dir), "PYTHONPATH": str(REPO),
           "DASHBOARD_TABLE_ROWS": str(TABLE_ROWS), **SECRETS}
    for name in ("MODEL_PATH", "CURRENCY"):
        env.pop(name, None)
    log = tempfile.TemporaryFile()
    with bokeh_server(env, auth=True, log=log) as url:
        yield url, log


def _first_message(url: str, token: str, cookie: str | None) -> str | None:
    """The first websocket message the server sends on the session of ``token`` (None: it closed instead)."""
    import asyncio

    from tornado.httpclient import HTTPClientError, HTTPRequest
    from tornado.websocket import websocket_connect

    async def talk() -> str | None:
        headers = {"Origin": url.replace("ws://", "http://").split("/bokeh_app")[0]}
        if cookie:
            headers["Cookie"] = cookie
        try:
            connection = await websocket_connect(HTTPRequest(url, headers=headers, follow_redirects=False),
                                                 subprotocols=["bokeh", token])
        except HTTPClientError:
            return None
        try:
            return await asyncio.wait_for(connection.read_message(), 30)
        finally:
            connection.close()

    return asyncio.run(talk())


def _signed_in_page(url: str, name: str, password: str) -> tuple[str, str]:
    """(cookie header, session token) of a browser that signed in and loaded the dashboard's page."""
    import re
    import urllib.request

    base = url.split("/bokeh_app")[0]
    status, headers = post_form(f"{base}/login?next=/bokeh_app", {"name": name, "password": password})
    assert status == 302, status
    cookie = session_cookie(headers)
    with urllib.request.urlopen(urllib.request.Request(url, headers={"Cookie": cookie}), timeout=60) as page:
        html = page.read().decode()
    return cookie, re.search(r'"token":\s*"([^"]+)"', html.replace('\\"', '"')).group(1)


def test_without_signing_in_the_page_and_its_websocket_refuse_and_a_wrong_password_is_logged(signed_server,
                                                                                              people):
    from database.signin import COOKIE, sign

    url, log = signed_server
    status, headers = request_once(url)
    assert status == 302 and headers["Location"].startswith("/login?next=")
    name, password = people["advisor"]
    cookie, token = _signed_in_page(url, name, password)
    ws = url.replace("http://", "ws://") + "/ws"
    assert "ACK" in _first_message(ws, token, cookie)  # signed in: the session opens
    _, other_token = _signed_in_page(url, name, password)
    assert _first_message(ws, other_token, None) is None  # the same valid session token without the sign-in
    forged = f"{COOKIE}={sign(cookie.split('=', 1)[1], 'not-the-server-secret-' + 'x' * 20)}"
    _, third_token = _signed_in_page(url, name, password)
    assert _first_message(ws, third_token, forged) is None
    login = url.split("/bokeh_app")[0] + "/login"
    status, headers = post_form(login, {"name": name, "password": password + "-wrong"})
    assert status == 401 and COOKIE not in headers.get("Set-Cookie", "")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        log.seek(0)
        if f"sign-in failed for {name!r}".encode() in log.read():
            break
        time.sleep(0.2)
    else:
        pytest.fail("the failed sign-in is not in the server's log")


def test_the_advisor_page_at_root_refuses_without_signing_in(bank, tmp_path, monkeypatch):  # noqa: F811
    from werkzeug.serving import make_server

    from api import create_app

    monkeypatch.setenv("BOKEH_COOKIE_SECRET", SECRETS["BOKEH_COOKIE_SECRET"])
    app = create_app({"DATABASE_URL": bank.url, "MODEL_DIR": str(bank.model_dir), "RATELIMIT_STORAGE": "memory://"})
    server = make_server("127.0.0.1", _free_port(), app)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        status, headers = request_once(f"http://127.0.0.1:{server.server_port}/?client_id=100002")
        assert status == 302 and headers["Location"].startswith("/login?next=")
        status, _ = request_once(f"http://127.0.0.1:{server.server_port}/login")
        assert status == 200
    finally:
        server.shutdown()


def _sign_in(driver, url: str, name: str, password: str) -> None:  # noqa: F811
    driver.get(url)
    driver.find_element("id", "name").send_keys(name)
    driver.find_element("id", "password").send_keys(password)
    driver.find_element("css selector", "button[type=submit]").click()


TAB_TITLES = """
const out = [];
for (const doc of Bokeh.documents) { for (const m of doc.all_models) { if (m.type === 'TabPanel') out.push(m.title); } }
return out;
"""


@pytest.mark.requirement("EXG-SEC-21", "EXG-SEC-23")
def test_an_advisor_signs_in_sees_no_risk_tab_and_records_an_override(signed_server, people, driver, portfolio,  # noqa: F811
                                                                      bank, tmp_path):  # noqa: F811
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import Select

    from api import create_app
    from api.auth import digest, new_key
    from database.config import get_engine
    from database.oversight import reviews_of
    from modeling.wording import catalogue

    url, _log = signed_server
    driver.delete_all_cookies()
    _sign_in(driver, url, *people["advisor"])
    search = _wait_for(driver, "input[placeholder='100002']")
    titles = driver.execute_script(TAB_TITLES)
    assert catalogue.t("tab_client", "fr") in titles
    assert not {catalogue.t("tab_cohort", "fr"), catalogue.t("tab_threshold", "fr")} & set(titles)
    engine = get_engine(bank.url)
    client_id = next(int(c) for c in portfolio.clients.index[portfolio.clients["DECISION"] == "refuse"][20:]
                     if not reviews_of(engine, int(c)))
    search.send_keys(str(client_id), Keys.ENTER)
    _wait_for(driver, "dl.card", str(client_id))
    _wait_for(driver, "div", "Aucune décision enregistrée pour ce client")
    Select(_wait_for(driver, "select", "Corriger la décision")).select_by_index(1)  # 0: confirm, 1: override
    Select(_wait_for(driver, "select", "choisir un motif")).select_by_visible_text(
        catalogue.t("review_reason_recent_change", "fr"))
    _wait_for(driver, "textarea").send_keys("Nouvel emploi en CDI depuis le mois dernier")
    _wait_for(driver, "button", "Enregistrer la décision").click()
    _wait_for(driver, "p.summary", "Décision enregistrée")
    row = _wait_for(driver, "table.reviews td", "Changement récent de situation")
    assert row is not None
    history = _wait_for(driver, "table.reviews").get_attribute("textContent")
    assert people["advisor"][0] in history and "Nouvel emploi en CDI" in history and "corrigée" in history
    assert _console_errors(driver) == []
    key = new_key()
    api = create_app({"DATABASE_URL": bank.url, "MODEL_DIR": str(bank.model_dir), "API_KEYS": f"t:{digest(key)}",
                      "RATELIMIT_STORAGE": "memory://"}).test_client()
    review = api.get(f"/api/v1/clients/{client_id}/score", headers={"X-API-Key": key}).json["review"]
    assert (review["model_decision"], review["final_decision"], review["reason"]) == ("refuse", "grant",
                                                                                     "recent_change")
    assert review["user"] == people["advisor"][0] and review["comment"].startswith("Nouvel emploi")
    engine.dispose()


def test_a_risk_manager_sees_the_risk_tabs_and_the_override_rates(signed_server, people, driver):  # noqa: F811
    from modeling.wording import catalogue

    url, _log = signed_server
    driver.delete_all_cookies()
    _sign_in(driver, url, *people["risk_manager"])
    _wait_for(driver, "input[placeholder='100002']")
    titles = set(driver.execute_script(TAB_TITLES))
    assert {catalogue.t("tab_cohort", "fr"), catalogue.t("tab_threshold", "fr"),
            catalogue.t("tab_reviews", "fr")} <= titles
    _wait_for(driver, ".bk-tab", catalogue.t("tab_reviews", "fr")).click()
    _wait_for(driver, "table.overrides")
    assert _console_errors(driver) == []


def test_signing_out_in_english_ends_the_session_and_a_revoke_sends_the_browser_back(signed_server, people, driver,  # noqa: F811
                                                                                    bank):  # noqa: F811
    """In Chromium, under the dashboard's Content-Security-Policy: the page works (no console error), the English
    sign-out button lands on the English form and the old session is gone; an administrator's revoke sends the
    open browser to the form at its next load."""
    import os
    import subprocess
    import sys

    from modeling.wording import catalogue
    from tests.e2e.test_dashboard_browser import REPO

    url, _log = signed_server
    base = url.split("/bokeh_app")[0]
    name, password = people["advisor"]
    driver.delete_all_cookies()
    _sign_in(driver, f"{base}/login?lang=en&next=/bokeh_app%3Flang%3Den", name, password)
    _wait_for(driver, "input[placeholder='100002']")
    assert _console_errors(driver) == []
    driver.find_element("css selector", "button.signout").click()
    _wait_for(driver, "button[type=submit]", catalogue.t("signin_submit", "en"))
    assert driver.find_element("tag name", "html").get_attribute("lang") == "en"
    driver.get(url)
    _wait_for(driver, "button[type=submit]", catalogue.t("signin_submit", "fr"))  # signed out: the form again

    _sign_in(driver, f"{base}/login?next=/bokeh_app", name, password)
    _wait_for(driver, "input[placeholder='100002']")
    subprocess.run([sys.executable, "-m", "bokeh_app", "sessions", name, "--revoke-all"], cwd=REPO, check=True,
                   env={**os.environ, "DATABASE_URL": bank.url}, capture_output=True, timeout=120)
    driver.get(url)
    _wait_for(driver, "button[type=submit]", catalogue.t("signin_submit", "fr"))
    assert "/login" in driver.current_url
