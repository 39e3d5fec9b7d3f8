"""A client's request for a human review, end to end over real HTTP: one request sent to the API with a write key,
one typed by a signed-in advisor on the advisor page (with the form's token); both reach the dashboard's "Demandes de
revue" queue, where an advisor takes and answers them in headless Chromium; each client's letter then states the
answer and the human review, the API serves it as the final decision, and the audit rows refuse any change."""
from __future__ import annotations

import json
import re
import urllib.parse
import uuid

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from api.auth import digest, new_key
from tests.api_server import gunicorn_api
from tests.bokeh_app.conftest import bank, portfolio  # noqa: F401  (session fixtures: test bank and model)
from tests.e2e.test_dashboard_browser import _console_errors, _wait_for, driver  # noqa: F401
from tests.e2e.test_final_decision_browser import _letter_text, _open
from tests.e2e.test_review_requests_browser import _field
from tests.e2e.test_sign_in_browser import SECRETS, _sign_in, people, signed_server  # noqa: F401
from tests.sign_in_http import exchange, post_form, session_cookie

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.requirement("EXG-SEC-23", "EXG-CLI-23")]
WRITER = new_key()
#: A column of each audit table the test tries to forge.
FORGED = {"review_request": "statement", "review_request_step": "user_name", "decision_review": "user_name"}


@pytest.fixture(scope="module")
def api(stack, bank):  # noqa: F811
    """The API and the advisor page under gunicorn (2 workers) over the dashboard's bank, with a write key."""
    import tempfile
    from pathlib import Path

    env = {**stack.env(), "WEB_CONCURRENCY": "2", "SCORING_API_KEYS": f"desk:{digest(WRITER)}:write", **SECRETS}
    with tempfile.TemporaryDirectory() as folder, gunicorn_api(env, Path(folder) / "gunicorn.log") as base:
        yield base


def _untouched(portfolio, engine, decision: str) -> int:  # noqa: F811
    """A client the model gives ``decision`` to, with no review and no request yet (taken from the end of the list,
    away from the clients of the other browser tests)."""
    from database.oversight import reviews_of
    from database.review_requests import requests_of

    ids = portfolio.clients.index[portfolio.clients["DECISION"] == decision][::-1]
    return next(int(c) for c in ids if not reviews_of(engine, int(c)) and not requests_of(engine, int(c)))


def _from_the_api(api: str, client_id: int, statement: str) -> int:
    """The request's ID, sent as another system does: POST …/review-requests with a write key."""
    status, _, body = exchange(f"{api}/api/v1/clients/{client_id}/review-requests", "POST",
                            json.dumps({"statement": statement, "contact": "email"}),
                            {"X-API-Key": WRITER, "Content-Type": "application/json"})
    assert status == 201, body
    assert (json.loads(body)["channel"], json.loads(body)["state"]) == ("api", "open")
    return json.loads(body)["id"]


def _from_the_page(api: str, client_id: int, statement: str, advisor: tuple[str, str]) -> int:
    """The request's ID, typed at the branch: sign in on /login, open the client's page, post its form."""
    status, headers = post_form(f"{api}/login?next=/", {"name": advisor[0], "password": advisor[1]})
    assert status == 302
    cookie = {"Cookie": session_cookie(headers)}
    status, _, page = exchange(f"{api}/?client_id={client_id}", headers=cookie)
    assert status == 200
    token = re.search(r'action="[^"]*/review-requests".*?name="csrf" value="([0-9a-f]{64})"', page, re.S).group(1)
    form = urllib.parse.urlencode({"csrf": token, "lang": "fr", "client_id": client_id, "statement": statement,
                                   "contact": "letter"})
    status, headers, _ = exchange(f"{api}/review-requests", "POST", form,
                               {**cookie, "Content-Type": "application/x-www-form-urlencoded"})
    assert status == 302, headers
    return int(re.search(r"request_saved=(\d+)", headers["Location"]).group(1))


def _take_and_answer(driver, statement: str, decision: str, reason: str, name: str) -> None:  # noqa: F811
    """In the queue: pick the request by its statement, take it, answer it with ``decision`` and ``reason``."""
    from selenium.webdriver.support.ui import Select

    from modeling.wording import catalogue

    _wait_for(driver, ".bk-tab", catalogue.t("tab_requests", "fr")).click()
    _wait_for(driver, ".slick-cell", statement).click()
    _wait_for(driver, "blockquote", statement.split(" : ")[1])
    _wait_for(driver, "button", catalogue.t("requests_take", "fr")).click()
    _wait_for(driver, "p.summary", f"prise en charge par {name}")
    _wait_for(driver, ".slick-cell", statement).click()
    Select(_field(driver, catalogue.t("requests_decision", "fr"))).select_by_visible_text(
        catalogue.decision_label(decision, "fr"))
    Select(_field(driver, catalogue.t("review_reason", "fr"))).select_by_visible_text(
        catalogue.t(f"review_reason_{reason}", "fr"))
    _wait_for(driver, "button", catalogue.t("requests_answer", "fr")).click()
    _wait_for(driver, "p.summary", "traitée")


def _letter_of(driver, client_id: int) -> str:  # noqa: F811
    """The letter of the client, opened from the Client tab."""
    from modeling.wording import catalogue

    _wait_for(driver, ".bk-tab", catalogue.t("tab_client", "fr")).click()
    _open(driver, client_id)
    return _letter_text(driver, "fr")


def _cannot_change(engine, table: str, row_id: int) -> None:
    """UPDATE and DELETE of one audit row are refused and leave it as it was."""
    with engine.connect() as connection:
        before = connection.execute(text(f"SELECT * FROM {table} WHERE id = :id"), {"id": row_id}).one()
    for sql in (f"UPDATE {table} SET {FORGED[table]} = 'forged' WHERE id = :id", f"DELETE FROM {table} WHERE id = :id"):
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
            connection.execute(text(sql), {"id": row_id})
    with engine.connect() as connection:
        assert connection.execute(text(f"SELECT * FROM {table} WHERE id = :id"), {"id": row_id}).one() == before


def test_requests_from_the_api_and_the_page_are_answered_in_the_queue_and_the_letters_follow(
        api, signed_server, people, driver, portfolio, bank):  # noqa: F811
    from database.config import get_engine
    from modeling.wording import catalogue

    url, _log = signed_server
    engine = get_engine(bank.url)
    refused, granted = _untouched(portfolio, engine, "refuse"), _untouched(portfolio, engine, "grant")
    mark = uuid.uuid4().hex[:8]
    statements = {refused: f"Dossier {mark} : j'ai signé un CDI le mois dernier, voici mon contrat.",
                  granted: f"Dossier {mark} : je veux qu'un conseiller relise ma demande avant de signer."}
    requests = {refused: _from_the_api(api, refused, statements[refused]),
                granted: _from_the_page(api, granted, statements[granted], people["advisor"])}
    answers = {refused: ("grant", "recent_change"), granted: ("refuse", "documents_missing")}

    name = people["advisor"][0]
    driver.delete_all_cookies()
    _sign_in(driver, url, *people["advisor"])
    _wait_for(driver, "input[placeholder='100002']")
    letters = {}
    for client_id, (decision, reason) in answers.items():
        _take_and_answer(driver, statements[client_id], decision, reason, name)
        letters[client_id] = _letter_of(driver, client_id)
    assert _console_errors(driver) == []

    for client_id, (decision, reason) in answers.items():
        amount = catalogue.money(float(portfolio.clients.loc[client_id, "AMT_CREDIT"]), "fr")
        other = "refuse" if decision == "grant" else "grant"
        letter, label = letters[client_id], catalogue.t(f"review_reason_{reason}", "fr")
        assert catalogue.t(f"letter_{decision}", "fr", amount=amount) in letter, letter
        assert catalogue.t(f"letter_{other}", "fr", amount=amount) not in letter
        assert "examinée par un conseiller" in letter and label in letter
        assert catalogue.t("letter_automated", "fr") not in letter
        status, _, body = exchange(f"{api}/api/v1/clients/{client_id}/score", headers={"X-API-Key": WRITER})
        final = json.loads(body)["final_decision"]
        assert status == 200 and (final["decision"], final["decided_by"], final["user"], final["reason"]) == (
            decision, "advisor", name, reason)
        status, _, body = exchange(f"{api}/api/v1/clients/{client_id}/review-requests", headers={"X-API-Key": WRITER})
        mine = next(r for r in json.loads(body)["requests"] if r["id"] == requests[client_id])
        assert (mine["state"], mine["taken_by"], [s["step"] for s in mine["steps"]]) == (
            "answered", name, ["taken", "answered"])
        assert (mine["answer"]["final_decision"], mine["answer"]["user"]) == (decision, name)

        with engine.connect() as connection:
            row = connection.execute(text("SELECT channel, recorded_by, statement FROM review_request WHERE id = :id"),
                                     {"id": requests[client_id]}).one()
            steps = connection.execute(text("SELECT id, step, user_name, review_id FROM review_request_step "
                                            "WHERE request_id = :id ORDER BY id"), {"id": requests[client_id]}).all()
        assert tuple(row) == (("api", "api:desk") if client_id == refused else ("branch", name)) + (
            statements[client_id],)
        assert [(s.step, s.user_name) for s in steps] == [("taken", name), ("answered", name)]
        _cannot_change(engine, "review_request", requests[client_id])
        for step in steps:
            _cannot_change(engine, "review_request_step", step.id)
        _cannot_change(engine, "decision_review", steps[-1].review_id)
    engine.dispose()
