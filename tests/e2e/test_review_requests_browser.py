"""The review-request queue in headless Chromium: an advisor signs in, finds a client's request in the
"Demandes de revue" tab, takes it, opens the client's file and answers it; the answer is the client's review."""
from __future__ import annotations

import uuid

import pytest

from tests.bokeh_app.conftest import bank, portfolio  # noqa: F401  (session fixtures: test bank and model)
from tests.e2e.test_dashboard_browser import _console_errors, _wait_for, driver  # noqa: F401
from tests.e2e.test_sign_in_browser import _sign_in, people, signed_server  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.requirement("EXG-SEC-23")]

#: The visible form field (select or textarea) under the label ``arguments[0]``, through every shadow root.
FIELD = """
function* walk(root) {
  for (const el of root.querySelectorAll('*')) { yield el; if (el.shadowRoot) { yield* walk(el.shadowRoot); } }
}
for (const el of walk(document)) {
  if (el.tagName !== 'LABEL' || el.textContent.trim() !== arguments[0]) continue;
  const field = el.parentNode.querySelector('select, textarea');
  if (field && field.getClientRects().length && getComputedStyle(field).visibility !== 'hidden') return field;
}
return null;
"""


def _field(driver, label: str):  # noqa: F811
    import time

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        found = driver.execute_script(FIELD, label)
        if found is not None:
            return found
        time.sleep(0.25)
    pytest.fail(f"no visible field labelled {label!r}")


def test_an_advisor_takes_and_answers_a_request_in_the_browser(signed_server, people, driver, portfolio,  # noqa: F811
                                                               bank):  # noqa: F811
    from selenium.webdriver.support.ui import Select

    from database.config import get_engine
    from database.oversight import reviews_of
    from database.review_requests import get_request, record_request
    from modeling.wording import catalogue

    url, _log = signed_server
    engine = get_engine(bank.url)
    client_id = next(int(c) for c in portfolio.clients.index[portfolio.clients["DECISION"] == "refuse"][60:]
                     if not reviews_of(engine, int(c)))
    statement = f"Dossier {uuid.uuid4().hex[:8]} : j'ai signé un CDI le mois dernier, voici mon contrat."
    request = record_request(engine, client_id, statement, "api", "api:web")
    name = people["advisor"][0]
    driver.delete_all_cookies()
    _sign_in(driver, url, *people["advisor"])
    _wait_for(driver, "input[placeholder='100002']")
    _wait_for(driver, ".bk-tab", catalogue.t("tab_requests", "fr")).click()
    _wait_for(driver, ".slick-cell", statement).click()
    _wait_for(driver, "blockquote", "voici mon contrat")
    _wait_for(driver, "button", catalogue.t("requests_take", "fr")).click()
    _wait_for(driver, "p.summary", f"prise en charge par {name}")
    assert get_request(engine, request.id).taken.user_name == name

    _wait_for(driver, ".slick-cell", statement).click()
    _wait_for(driver, "button", catalogue.t("requests_open", "fr")).click()
    _wait_for(driver, "dl.card", str(client_id))
    _wait_for(driver, ".bk-tab", catalogue.t("tab_requests", "fr")).click()
    _wait_for(driver, ".slick-cell", statement).click()
    _wait_for(driver, "blockquote", "voici mon contrat")
    Select(_field(driver, catalogue.t("requests_decision", "fr"))).select_by_visible_text(
        catalogue.decision_label("grant", "fr"))
    Select(_field(driver, catalogue.t("review_reason", "fr"))).select_by_visible_text(
        catalogue.t("review_reason_recent_change", "fr"))
    _wait_for(driver, "button", catalogue.t("requests_answer", "fr")).click()
    _wait_for(driver, "p.summary", "traitée")
    answered = get_request(engine, request.id)
    review = reviews_of(engine, client_id)[0]
    assert (answered.state, answered.answer.final_decision, answered.answer.user_name) == ("answered", "grant", name)
    assert (review.final_decision, review.reason, review.user_name) == ("grant", "recent_change", name)
    assert _console_errors(driver) == []
    engine.dispose()
