"""In headless Chromium, signed in as an advisor: overriding the model's refusal to "grant" turns the client card
and the printable letter to the advisor's decision at once, and they still say it after the client is reopened."""
from __future__ import annotations

import time

import pytest

from tests.bokeh_app.conftest import bank, portfolio  # noqa: F401  (session fixtures: test bank and model)
from tests.e2e.test_dashboard_browser import _console_errors, _wait_for, driver  # noqa: F401
from tests.e2e.test_sign_in_browser import _sign_in, people, signed_server  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.requirement("EXG-SEC-23", "EXG-CLI-23")]
#: Clients below this ID are left to other tests (the what-if cases are among the first refused clients).
FIRST_ID = 100_400


def _letter_text(driver, lang: str) -> str:  # noqa: F811
    """The text of the letter the advisor opens from the client's file (a new window, closed afterwards)."""
    from modeling.wording import catalogue

    main = driver.current_window_handle
    _wait_for(driver, "button", catalogue.t("letter_button", lang)).click()
    deadline = time.monotonic() + 20
    while len(driver.window_handles) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    driver.switch_to.window(next(h for h in driver.window_handles if h != main))
    try:
        _wait_for(driver, "h1", catalogue.t("letter_title", lang))
        return driver.execute_script("return document.body.innerText")
    finally:
        driver.close()
        driver.switch_to.window(main)


def _open(driver, client_id: int) -> str:  # noqa: F811
    """Type the client's ID in the search box; the card's text once it shows this client."""
    from selenium.webdriver.common.keys import Keys

    search = _wait_for(driver, "input[placeholder='100002']")
    search.clear()
    search.send_keys(str(client_id), Keys.ENTER)
    _wait_for(driver, "dl.card", str(client_id))
    return _wait_for(driver, "p.verdict").get_attribute("textContent")


def test_an_advisor_overrides_a_refusal_and_the_card_and_letter_say_granted(signed_server, people, driver,  # noqa: F811
                                                                           portfolio, bank):  # noqa: F811
    from selenium.webdriver.support.ui import Select

    from database.config import get_engine
    from database.oversight import reviews_of
    from modeling.wording import catalogue

    url, _log = signed_server
    engine = get_engine(bank.url)
    client_id = next(int(c) for c in portfolio.clients.index[portfolio.clients["DECISION"] == "refuse"]
                     if int(c) >= FIRST_ID and not reviews_of(engine, int(c)))
    engine.dispose()
    amount = catalogue.money(float(portfolio.clients.loc[client_id, "AMT_CREDIT"]), "fr")
    granted, refused = (catalogue.t(f"letter_{d}", "fr", amount=amount) for d in ("grant", "refuse"))
    driver.delete_all_cookies()
    _sign_in(driver, url, *people["advisor"])
    assert catalogue.decision_label("refuse", "fr") in _open(driver, client_id)
    assert refused in _letter_text(driver, "fr")
    Select(_wait_for(driver, "select", "Corriger la décision")).select_by_index(1)  # 0: confirm, 1: override
    reason = catalogue.t("review_reason_guarantee_offered", "fr")
    Select(_wait_for(driver, "select", "choisir un motif")).select_by_visible_text(reason)
    _wait_for(driver, "button", "Enregistrer la décision").click()
    _wait_for(driver, "p.summary", "Décision enregistrée")
    card = _wait_for(driver, "p.verdict.grant").get_attribute("textContent")
    assert catalogue.decision_label("grant", "fr") in card
    assert reason in _wait_for(driver, "p.decided-by").get_attribute("textContent")
    letter = _letter_text(driver, "fr")
    assert granted in letter and refused not in letter
    assert "examinée par un conseiller" in letter and reason in letter
    assert catalogue.t("letter_review_how", "fr", id=client_id) in letter
    other = next(int(c) for c in portfolio.clients.index if int(c) != client_id)
    _open(driver, other)
    assert catalogue.decision_label("grant", "fr") in _open(driver, client_id)  # reopened: still the advisor's
    letter = _letter_text(driver, "fr")
    assert granted in letter and refused not in letter
    assert _console_errors(driver) == []
