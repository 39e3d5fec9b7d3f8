"""The "Demandes de revue" tab: a request received through the API or at the branch is in the advisor's queue,
is taken, its client opened, and answered by a review linked to it; risk managers see counts and delays."""
from __future__ import annotations

import pytest
from bokeh.events import ButtonClick
from sqlalchemy import text

from bokeh_app.views.review_requests import figures_html
from database.config import get_engine
from database.oversight import reviews_of
from database.review_requests import QueueFigures, get_request, record_request
from modeling.wording import catalogue
from tests.bokeh_app.conftest import make_document, model
from tests.bokeh_app.test_final_decision import amount, text_of
from tests.bokeh_app.test_sign_in_views import people, sign_in_on, signed_in  # noqa: F401  (fixtures)

pytestmark = pytest.mark.requirement("EXG-SEC-23")


def _click(doc, name: str) -> None:
    button = model(doc, name)
    button._trigger_event(ButtonClick(button))


def _select(doc, request_id: int) -> None:
    rows = model(doc, "request_rows")
    rows.selected.indices = [list(rows.data["id"]).index(request_id)]


@pytest.fixture
def engine(bank):
    engine = get_engine(bank.url)
    yield engine
    engine.dispose()


def test_requests_from_the_api_and_the_branch_are_taken_opened_and_answered(portfolio, people, sign_in_on,  # noqa: F811
                                                                            engine, signed_in):  # noqa: F811
    name = people["advisor"]
    refused = [int(c) for c in portfolio.clients.index[portfolio.clients["DECISION"] == "refuse"]]
    client_id = next(c for c in refused[40:] if not reviews_of(engine, c))
    by_api = record_request(engine, client_id, "Mon salaire a augmenté.\nVoir mes fiches.", "api", "api:web")
    at_branch = record_request(engine, refused[41], "Je conteste le refus.", "branch", "advisor-desk")
    doc = signed_in(portfolio, name)
    assert catalogue.t("tab_requests", "fr") in {p.title for p in model(doc, "app").tabs}
    rows = model(doc, "request_rows").data
    assert {by_api.id, at_branch.id} <= set(rows["id"])
    position = list(rows["id"]).index(at_branch.id)
    assert (rows["channel"][position], rows["state"][position]) == ("agence", "En attente")

    _click(doc, "request_answer")  # nothing selected yet
    assert "Sélectionnez une demande" in model(doc, "request_status").text
    _select(doc, by_api.id)
    selected = model(doc, "request_selected").text
    expected = portfolio.explain(client_id, "fr")
    assert "Mon salaire a augmenté.\nVoir mes fiches." in selected and f"client {client_id}" in selected
    assert catalogue.percent(expected.probability, "fr") in selected and "Crédit refusé" in selected

    _click(doc, "request_take")
    assert f"Demande n°\u00a0{by_api.id} prise en charge par {name}" in model(doc, "request_status").text
    rows = model(doc, "request_rows").data
    assert rows["state"][list(rows["id"]).index(by_api.id)] == f"Prise en charge par {name}"
    assert get_request(engine, by_api.id).taken.user_name == name

    _select(doc, by_api.id)
    _click(doc, "request_open")
    assert model(doc, "app").active == 0
    with engine.connect() as connection:
        opened = connection.execute(text("SELECT sk_id_curr, channel FROM access_log WHERE user_name = :u "
                                         "ORDER BY id DESC LIMIT 1"), {"u": name}).one()
    assert tuple(opened) == (client_id, "dashboard")

    model(doc, "request_decision").value = "grant"
    _click(doc, "request_answer")
    assert "Choisissez un motif" in model(doc, "request_status").text
    assert get_request(engine, by_api.id).state == "taken"
    model(doc, "request_reason").value = "income_verified"
    model(doc, "request_comment").value = "Fiches de paie de mars vues"
    _click(doc, "request_answer")
    assert f"Demande n°\u00a0{by_api.id} traitée\u00a0: Crédit accordé" in model(doc, "request_status").text
    assert by_api.id not in model(doc, "request_rows").data["id"]
    history = model(doc, "review_history").text  # the Client tab, showing this client, reads the answer
    assert "Fiches de paie de mars vues" in history and "Revenus vérifiés sur justificatifs" in history
    answered = get_request(engine, by_api.id)
    review = reviews_of(engine, client_id)[0]
    # the answer is the bank's decision: the card and a new letter say granted, naming the human review
    letter, card = text_of(model(doc, "letter_html").text), text_of(model(doc, "verdict").text)
    reason, day = catalogue.t("review_reason_income_verified", "fr"), catalogue.day(review.reviewed_at, "fr")
    assert catalogue.t("letter_grant", "fr", amount=amount(portfolio, client_id, "fr")) in letter
    assert catalogue.t("letter_refuse", "fr", amount=amount(portfolio, client_id, "fr")) not in letter
    assert catalogue.t("letter_reviewed_grant", "fr", date=day, reason=reason) in letter
    assert card.startswith(catalogue.decision_word("grant", "fr")) and name in card
    assert (answered.state, answered.answer.final_decision, answered.answer.user_name) == ("answered", "grant", name)
    assert (review.final_decision, review.reason, review.comment, review.user_name) == (
        "grant", "income_verified", "Fiches de paie de mars vues", name)
    with engine.connect() as connection:
        linked = connection.execute(text("SELECT r.sk_id_curr FROM review_request_step s JOIN decision_review r "
                                         "ON r.id = s.review_id WHERE s.request_id = :id"), {"id": by_api.id}).all()
    assert linked == [(client_id,)]


def test_the_risk_manager_sees_counts_by_state_and_the_advisor_does_not(portfolio, people, sign_in_on,  # noqa: F811
                                                                        engine, signed_in):  # noqa: F811
    record_request(engine, int(portfolio.clients.index[3]), "Point de vue", "api", "api:web")
    with engine.connect() as connection:
        answered = connection.execute(text("SELECT count(DISTINCT request_id) FROM review_request_step "
                                           "WHERE step = 'answered'")).scalar_one()
        received = connection.execute(text("SELECT count(*) FROM review_request")).scalar_one()
    figures = model(signed_in(portfolio, people["risk_manager"]), "request_figures").text
    assert f"<th scope='row'>Traitées</th><td>{catalogue.number(answered, 'fr')}</td>" in figures
    open_and_taken = sum(int(cell.split("</td>")[0]) for cell in
                         (figures.split(f"<th scope='row'>{word}</th><td>")[1] for word in ("En attente",
                                                                                           "Prises en charge")))
    assert open_and_taken == received - answered
    assert signed_in(portfolio, people["advisor"]).select_one({"name": "request_figures"}) is None


def test_delays_read_in_french_and_english_days():
    figures = QueueFigures({"open": 1, "taken": 0, "answered": 1234}, 2.0, 6.5, 1.0)
    french = figures_html(figures, "fr")
    assert "<td>2,0 jours</td>" in french and "<td>6,5 jours</td>" in french and "<td>1,0 jour</td>" in french
    assert "<td>1\u202f234</td>" in french
    english = figures_html(QueueFigures({"open": 0, "taken": 0, "answered": 0}, None, None, None), "en")
    assert "Median time from request to answer</th><td>—</td>" in english


def test_the_tab_speaks_english_in_an_english_session(portfolio):
    doc = make_document(portfolio, lang="en")
    assert "Review requests" in {p.title for p in model(doc, "app").tabs}
    assert model(doc, "request_answer").label == "Answer the client"
