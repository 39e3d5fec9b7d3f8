"""An advisor signed in to a real browser: opens a refused client, reads the history panels, lowers the requested amount
until the decision changes, and reads the same answer from POST …/simulate over real HTTP; the amount of the
counterfactual sentence, sent to simulate, is granted; the letter opens in French and in English.

The dashboard and the API serve the test bank with its LightGBM model (tests/stack.py: with_lightgbm).
Set DASHBOARD_SCREENSHOTS=<folder> to keep pictures of the letters (docs/img/ holds the published ones).
"""
from __future__ import annotations

import json
import os
import re
import secrets
import threading
import time
import urllib.request
import uuid

import pytest
from test_dashboard_browser import (  # noqa: F401  (the browser fixture and helpers of the dashboard tests)
    DEEP_TEXT,
    REPO,
    _console_errors,
    _free_port,
    _wait_for,
    bokeh_server,
    driver,
)
from whatif_cases import refused_cases

from database.read import client_history
from modeling.wording import catalogue

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.requirement("EXG-CLI-21", "EXG-CLI-22", "EXG-CLI-23")]

#: The <input> of a Bokeh widget whose label reads arguments[0] (each widget lives in its own shadow root).
INPUT_BY_LABEL = """
function* walk(root) {
  for (const el of root.querySelectorAll('*')) { yield el; if (el.shadowRoot) { yield* walk(el.shadowRoot); } }
}
for (const el of walk(document)) {
  if (el.tagName !== 'INPUT') continue;
  const label = el.getRootNode().querySelector('label');
  if (label && label.textContent.trim() === arguments[0]) return el;
}
return null;
"""


@pytest.fixture(scope="module")
def case(lightgbm_stack):
    _, (whatif, counterfactual), _ = refused_cases(lightgbm_stack)
    return whatif, counterfactual


@pytest.fixture(scope="module")
def advisor(lightgbm_stack) -> tuple[str, str]:
    """(name, password) of an advisor made in the test bank's database."""
    from database.config import get_engine
    from database.users import create_user

    name, password = f"advisor-{uuid.uuid4().hex[:6]}", secrets.token_urlsafe(12)
    engine = get_engine(lightgbm_stack.database_url)
    create_user(engine, name, "advisor", password)
    engine.dispose()
    return name, password


@pytest.fixture(scope="module")
def dashboard(lightgbm_stack, advisor):
    """`python -m bokeh_app serve` with sign-in on, over the test bank and its LightGBM model; yields its URL."""
    env = {**lightgbm_stack.env(), "PYTHONPATH": str(REPO), "BOKEH_COOKIE_SECRET": secrets.token_urlsafe(32),
           "BOKEH_SECRET_KEY": secrets.token_urlsafe(32)}
    for name in ("MODEL_PATH", "CURRENCY"):
        env.pop(name, None)
    with bokeh_server(env, auth=True) as url:
        yield url


@pytest.fixture(scope="module")
def api(lightgbm_stack, api_key):
    """The scoring API over the same bank and model on a loopback port (real HTTP); yields (base URL, key)."""
    from werkzeug.serving import make_server

    from tests.api.conftest import make_app

    server = make_server("127.0.0.1", _free_port(), make_app(lightgbm_stack, api_key), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", api_key
    finally:
        server.shutdown()


@pytest.fixture(scope="module")
def api_key():
    from api.auth import new_key

    return new_key()


def simulate(api, client_id: int, changes: dict) -> dict:
    base, key = api
    request = urllib.request.Request(f"{base}/api/v1/clients/{client_id}/simulate", data=json.dumps(changes).encode(),
                                     headers={"Content-Type": "application/json", "X-API-Key": key}, method="POST")
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def _open_client(driver, url: str, client_id: int, advisor: tuple[str, str], lang: str = "fr") -> None:  # noqa: F811
    """Open the dashboard (signing in as the advisor when the server asks), then the client's file."""
    from selenium.webdriver.common.keys import Keys

    driver.get(url + ("?lang=en" if lang == "en" else ""))
    if "/login" in driver.current_url:
        driver.find_element("id", "name").send_keys(advisor[0])
        driver.find_element("id", "password").send_keys(advisor[1])
        driver.find_element("css selector", "button[type=submit]").click()
    _wait_for(driver, "input[placeholder='100002']").send_keys(str(client_id), Keys.ENTER)
    _wait_for(driver, "dl.card", str(client_id))
    _wait_for(driver, "p.cf")  # the counterfactual search has run for this client


def _simulate_in_page(driver, amount: float, lang: str = "fr") -> str:  # noqa: F811
    """Type the amount, press Simulate, wait for the answer about that amount; return the panel's text."""
    from selenium.webdriver.common.keys import Keys

    field = driver.execute_script(INPUT_BY_LABEL, catalogue.t("whatif_amount", lang))
    field.clear()
    field.send_keys(str(int(amount)), Keys.TAB)
    _wait_for(driver, "button", catalogue.t("whatif_run", lang)).click()
    terms = catalogue.money(amount, lang)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        text = driver.execute_script(WHATIF_ANSWER)
        if text and f" {terms} " in text:
            return text
        time.sleep(0.25)
    pytest.fail(f"the what-if panel did not answer for {terms} within 30 s")


#: The text of the what-if answer (the Div whose verdict follows the simulated terms).
WHATIF_ANSWER = """
function* walk(root) {
  for (const el of root.querySelectorAll('*')) { yield el; if (el.shadowRoot) { yield* walk(el.shadowRoot); } }
}
for (const el of walk(document)) {
  if (el.tagName === 'P' && el.classList.contains('verdict') && el.parentNode.querySelector('p.note')) {
    return el.parentNode.textContent;
  }
}
return null;
"""


def test_advisor_lowers_the_amount_until_granted_and_the_api_agrees(dashboard, advisor, driver, api, case,  # noqa: F811
                                                                     lightgbm_stack):
    whatif, counterfactual = case
    driver.delete_all_cookies()  # a new browser: the dashboard asks the advisor to sign in
    _open_client(driver, dashboard, whatif.client_id, advisor)
    refused = catalogue.decision_label("refuse", "fr")
    assert refused in _wait_for(driver, "p.verdict").get_attribute("textContent")  # the card: a refused client
    # the history panels, their sentences counting the client's rows
    rows = client_history(_engine(lightgbm_stack), whatif.client_id)
    page = driver.execute_script(DEEP_TEXT)
    for title in ("prev_title", "bureau_title"):
        assert catalogue.t(title, "fr") in page
    previous = rows["previous_application"]
    if len(previous):
        assert f"Demandes précédentes : {len(previous)} " in page
    assert (f"Mensualités payées : {len(rows['installments_payments'].dropna(subset=['DAYS_ENTRY_PAYMENT']))} "
            in page) or catalogue.t("instal_none", "fr") in page
    # lower the amount step by step until the decision changes
    base = whatif.base.amount
    granted_at = None
    for share in (0.95, 0.9, 0.85, 0.8, 0.75, 0.7, 0.65, 0.6, 0.55, 0.5, 0.45, 0.4, 0.35, 0.3, 0.25, 0.2):
        amount = float(int(base * share // 1000 * 1000))
        text = _simulate_in_page(driver, amount)
        if catalogue.decision_label("grant", "fr") in text:
            granted_at, shown = amount, text
            break
    assert granted_at is not None, f"no amount down to 20 % of {base:,.0f} was granted in the page"
    answer = simulate(api, whatif.client_id, {"amount": granted_at})
    assert answer["decision"] == "grant" and answer["basis"] == whatif.scorer.bundle.basis(whatif.client_id)
    assert catalogue.percent(answer["probability"], "fr") in shown
    # the counterfactual sentence's amount, sent to simulate, is granted
    sentence = _wait_for(driver, "p.cf", "serait accordé").get_attribute("textContent")
    amount = int(re.search(r"Un crédit de ([\d\u202f\u00a0 ]+) au lieu de", sentence).group(1).replace("\u202f", "")
                 .replace("\u00a0", "").replace(" ", ""))
    assert amount == counterfactual.amount
    assert simulate(api, whatif.client_id, {"amount": amount})["decision"] == "grant"
    assert _console_errors(driver) == []
    folder = os.environ.get("DASHBOARD_SCREENSHOTS")
    if folder:  # the history and what-if panels, from their heading down
        driver.execute_script("arguments[0].scrollIntoView()", _wait_for(driver, "h2", catalogue.t("history_title", "fr")))
        time.sleep(1.5)
        driver.save_screenshot(os.path.join(folder, "dashboard-history-whatif.png"))


def _engine(stack):
    from database.config import get_engine

    return get_engine(stack.database_url)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_letter_opens_printable_in_the_client_language(dashboard, advisor, driver, case, lang):  # noqa: F811
    whatif, _ = case
    _open_client(driver, dashboard, whatif.client_id, advisor, lang)
    main = driver.current_window_handle
    _wait_for(driver, "button", catalogue.t("letter_button", lang)).click()
    deadline = time.monotonic() + 20
    while len(driver.window_handles) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    letter = next(h for h in driver.window_handles if h != main)
    driver.switch_to.window(letter)
    try:
        _wait_for(driver, "h1", catalogue.t("letter_title", lang))
        assert driver.execute_script("return document.documentElement.lang") == lang
        text = driver.execute_script("return document.body.innerText")
        assert catalogue.t("letter_review_title", lang) in text
        assert catalogue.t("letter_change", lang) in text
        folder = os.environ.get("DASHBOARD_SCREENSHOTS")
        if folder:
            driver.set_window_size(900, 1300)
            height = driver.execute_script("return document.documentElement.scrollHeight")
            driver.set_window_size(900, height + 40)
            driver.save_screenshot(os.path.join(folder, f"letter-{lang}.png"))
    finally:
        driver.close()
        driver.switch_to.window(main)
        driver.set_window_size(1400, 2300)
