"""The advisor page records a review request made at the branch: the client's statement under the signed-in
advisor's name, with a form token; the request is listed with its state, enters the queue and is answered."""

from __future__ import annotations

import re

import pytest
from markupsafe import escape
from sqlalchemy import create_engine, text

from database.review_requests import all_requests, answer_request, get_request, take_request
from modeling.wording import catalogue
from tests.api.conftest import signed_in_client

pytestmark = pytest.mark.requirement("EXG-SEC-23")
STATEMENT = "Je suis en CDI depuis janvier ;\nmon ancien crédit est soldé."


def _token(page: str) -> str:
    """The review-request form's token (the page's sign-out form carries a token of its own)."""
    return re.search(r'action="[^"]*/review-requests".*?name="csrf" value="([0-9a-f]{64})"', page, re.S).group(1)


def _count(database_url: str) -> int:
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return connection.execute(text("SELECT count(*) FROM review_request")).scalar_one()
    finally:
        engine.dispose()


def test_a_request_recorded_on_the_page_is_listed_queued_and_answered(app, stack):
    client = signed_in_client(app, "branch-advisor")
    client_id = stack.client_ids[410]
    page = client.get(f"/?client_id={client_id}").get_data(as_text=True)
    assert catalogue.t("page_request_title", "fr") in page and "<textarea" in page
    posted = client.post("/review-requests", data={"csrf": _token(page), "lang": "fr", "client_id": client_id,
                                                   "statement": STATEMENT, "contact": "phone"})
    assert posted.status_code == 302
    request_id = int(re.search(r"request_saved=(\d+)", posted.location).group(1))
    shown = client.get(posted.location).get_data(as_text=True)
    assert escape(catalogue.t("page_request_saved", "fr", id=request_id)) in shown
    assert escape(STATEMENT) in shown and catalogue.t("request_state_open", "fr") in shown

    engine = app.extensions["scoring"].engine
    queued = [r for r in all_requests(engine) if r.id == request_id][0]
    assert (queued.state, queued.channel, queued.contact, queued.recorded_by, queued.statement) == (
        "open", "branch", "phone", "branch-advisor", STATEMENT)
    take_request(engine, request_id, "advisor-2")
    assert "Prise en charge par advisor-2" in client.get(f"/?client_id={client_id}").get_data(as_text=True)
    result = app.extensions["scoring"].score(client_id, "en")
    answer_request(engine, request_id, result, "advisor-2", "grant", "income_verified")
    english = client.get(f"/?client_id={client_id}&lang=en").get_data(as_text=True)
    answered_on = catalogue.day(get_request(engine, request_id).answer.stepped_at, "en")
    assert f"Answered on {answered_on}: {catalogue.decision_label('grant', 'en')}" in english


def test_a_form_without_this_sign_in_s_token_is_refused_and_stores_nothing(app, stack):
    client_id = stack.client_ids[411]
    before = _count(stack.database_url)
    other = signed_in_client(app, "other-advisor")
    foreign_token = _token(other.get(f"/?client_id={client_id}").get_data(as_text=True))
    client = signed_in_client(app, "branch-advisor")
    for token in ("", "0" * 64, foreign_token):
        refused = client.post("/review-requests", data={"csrf": token, "client_id": client_id, "statement": "x"})
        assert refused.status_code == 403
        assert catalogue.t("page_request_error_csrf", "fr").split(" ")[0] in refused.get_data(as_text=True)
    anonymous = app.test_client().post("/review-requests", data={"client_id": client_id, "statement": "x"})
    assert anonymous.status_code == 302 and "/login" in anonymous.location
    assert _count(stack.database_url) == before


def test_a_bad_statement_is_explained_on_the_page_and_stores_nothing(app, stack):
    client = signed_in_client(app, "branch-advisor")
    client_id = stack.client_ids[412]
    token = _token(client.get(f"/?client_id={client_id}").get_data(as_text=True))
    before = _count(stack.database_url)
    for statement in ("  ", "avant\u0007après", "x" * 2001):
        posted = client.post("/review-requests", data={"csrf": token, "lang": "en", "client_id": client_id,
                                                       "statement": statement})
        assert "request_error=statement" in posted.location
        page = client.get(posted.location).get_data(as_text=True)
        assert escape(catalogue.t("page_request_error_statement", "en")) in page
    assert _count(stack.database_url) == before
