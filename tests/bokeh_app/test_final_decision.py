"""The dashboard states the bank's final decision: after an advisor's review the card and the printable letter
(French and English) say what the advisor decided, naming the human review; without a review they say the
model's decision and that it was an automated assessment. Every letter tells how to ask for a human review."""
from __future__ import annotations

import html
import re

import pytest
from bokeh.events import ButtonClick

from database.config import get_engine
from database.oversight import record_review, reviews_of
from modeling.wording import catalogue
from tests.bokeh_app.conftest import make_document, model

pytestmark = pytest.mark.requirement("EXG-CLI-23", "EXG-SEC-23")
ADVISOR = "advisor-final"
#: Clients below this ID are left to other tests (the what-if cases are among the first refused clients).
FIRST_ID = 100_400


def text_of(page: str) -> str:
    """What a reader sees of an HTML fragment or page (tags and styles removed)."""
    return re.sub(r"[ \t\r\n]+", " ", html.unescape(re.sub(r"<style>.*?</style>|<[^>]+>", " ", page, flags=re.S))).strip()


def unreviewed(portfolio, engine, decision: str, scorer=None) -> int:
    """A client the model decides ``decision`` for, that nobody reviewed (the bank is shared by the tests);
    with ``scorer``, one with a reason raising the risk to cite."""
    for client_id in portfolio.clients.index[portfolio.clients["DECISION"] == decision]:
        client_id = int(client_id)
        if client_id < FIRST_ID or reviews_of(engine, client_id):
            continue
        if scorer is None or any(r.direction == "raises" for r in scorer.score(client_id).reasons):
            return client_id
    pytest.fail(f"no unreviewed client with the model's decision {decision!r} in the test bank")


def opened(portfolio, client_id: int, lang: str):
    """A fresh dashboard session in ``lang`` with the client opened from the search box."""
    doc = make_document(portfolio, lang)
    model(doc, "client_search").value = str(client_id)
    assert str(client_id) in model(doc, "identity").text
    return doc


def letter_and_card(doc) -> tuple[str, str]:
    return text_of(model(doc, "letter_html").text), text_of(model(doc, "verdict").text)


def assert_recourse(letter: str, client_id: int, lang: str) -> None:
    """The right to a human review: what it is, how to ask, what follows."""
    assert catalogue.t("letter_review_title", lang) in letter
    assert catalogue.t("letter_review", lang) in letter
    assert catalogue.t("letter_review_how", lang, id=client_id) in letter
    assert catalogue.t("letter_review_next", lang) in letter


def amount(portfolio, client_id: int, lang: str) -> str:
    return catalogue.money(float(portfolio.clients.loc[client_id, "AMT_CREDIT"]), lang)


def after_review(portfolio, client_id: int, review, lang: str) -> tuple[str, str]:
    """(letter, card) of a reviewed client, once checked that both state the advisor's decision, day and reason."""
    letter, card = letter_and_card(opened(portfolio, client_id, lang))
    final, other = review.final_decision, {"grant": "refuse", "refuse": "grant"}[review.final_decision]
    assert catalogue.t(f"letter_{final}", lang, amount=amount(portfolio, client_id, lang)) in letter
    assert catalogue.t(f"letter_{other}", lang, amount=amount(portfolio, client_id, lang)) not in letter
    reason, day = catalogue.t(f"review_reason_{review.reason}", lang), catalogue.day(review.reviewed_at, lang)
    assert catalogue.t(f"letter_reviewed_{final}", lang, date=day, reason=reason) in letter
    assert catalogue.t("letter_automated", lang) not in letter
    assert_recourse(letter, client_id, lang)
    assert card.startswith(catalogue.decision_word(final, lang))
    assert ADVISOR in card and reason in card and day in card
    return letter, card


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_an_override_to_grant_makes_the_card_and_the_letter_say_granted_after_human_review(portfolio, scorer, bank,
                                                                                            lang):
    engine = get_engine(bank.url)
    client_id = unreviewed(portfolio, engine, "refuse")
    review = record_review(engine, scorer.score(client_id), ADVISOR, "grant", "guarantee_offered", "Caution")
    letter, card = after_review(portfolio, client_id, review, lang)
    assert "Caution" not in letter  # the advisor's comment is internal
    assert catalogue.decision_label("refuse", lang) in card  # the model's proposal stays in sight
    engine.dispose()


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_an_override_to_refuse_makes_them_say_refused_with_the_advisor_and_the_model_reasons(portfolio, scorer, bank,
                                                                                             lang):
    engine = get_engine(bank.url)
    client_id = unreviewed(portfolio, engine, "grant", scorer)
    result = scorer.score(client_id, lang=lang)
    review = record_review(engine, result, ADVISOR, "refuse", "documents_missing")
    letter, _ = after_review(portfolio, client_id, review, lang)
    assert catalogue.t("letter_reasons_refuse_reviewed", lang) in letter
    raising = max((r for r in result.reasons if r.direction == "raises"), key=lambda r: abs(r.contribution))
    assert raising.group_label in letter  # the model's reasons against, next to the advisor's
    assert catalogue.t("letter_change", lang) not in letter  # nothing the client changes overturns this refusal
    engine.dispose()


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_without_a_review_they_say_the_model_decision_was_an_automated_assessment(portfolio, bank, lang):
    engine = get_engine(bank.url)
    for decision in ("refuse", "grant"):
        client_id = unreviewed(portfolio, engine, decision)
        letter, card = letter_and_card(opened(portfolio, client_id, lang))
        assert catalogue.t(f"letter_{decision}", lang, amount=amount(portfolio, client_id, lang)) in letter
        assert catalogue.t("letter_automated", lang) in letter
        assert_recourse(letter, client_id, lang)
        assert card.startswith(catalogue.decision_word(decision, lang))
        assert catalogue.t("final_by_model", lang) in card
    engine.dispose()


def test_recording_an_override_in_the_panel_turns_the_card_and_the_letter_at_once(portfolio, bank):
    engine = get_engine(bank.url)
    client_id = unreviewed(portfolio, engine, "refuse")
    doc = opened(portfolio, client_id, "fr")
    refused = catalogue.t("letter_refuse", "fr", amount=amount(portfolio, client_id, "fr"))
    assert refused in letter_and_card(doc)[0]
    model(doc, "review_action").value = "override"
    model(doc, "review_reason").value = "income_verified"
    save = model(doc, "review_save")
    save._trigger_event(ButtonClick(save))
    assert "Décision enregistrée" in model(doc, "review_status").text
    letter, card = letter_and_card(doc)
    assert catalogue.t("letter_grant", "fr", amount=amount(portfolio, client_id, "fr")) in letter
    assert refused not in letter
    assert card.startswith(catalogue.decision_word("grant", "fr"))
    assert catalogue.t("review_reason_income_verified", "fr") in card
    engine.dispose()


@pytest.mark.parametrize(("lang", "title"), [("fr", "Décision du modèle"), ("en", "Model's decision")])
def test_the_client_list_says_its_decision_is_the_model_s_when_an_advisor_decided_otherwise(portfolio, scorer, bank,
                                                                                           lang, title):
    """The list reads the batch's decision (docs/operations.md); a reviewed client's row must not pass it off as the
    bank's decision, which the card gives."""
    engine = get_engine(bank.url)
    client_id = unreviewed(portfolio, engine, "refuse")
    record_review(engine, scorer.score(client_id), ADVISOR, "grant", "income_verified")
    doc = opened(portfolio, client_id, lang)
    columns = {c.field: c.title for c in model(doc, "client_table").columns}
    assert columns["decision"] == title and model(doc, "filter_decision").title == title
    model(doc, "client_search").value = ""
    model(doc, "filter_decision").value = "refuse"
    rows = model(doc, "client_rows").data
    shown = dict(zip(rows["SK_ID_CURR"], rows["decision"], strict=True))
    assert shown[client_id] == catalogue.decision_word("refuse", lang)  # the model's, under a title saying so
    assert catalogue.decision_word("grant", lang) in text_of(model(doc, "verdict").text)
    engine.dispose()
