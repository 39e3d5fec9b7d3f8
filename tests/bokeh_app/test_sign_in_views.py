"""Signed-in sessions of the dashboard: the role decides the tabs, every opened file is logged, and the
advisor's review is recorded and read back (documents built in process over the test bank's database)."""
from __future__ import annotations

import secrets
import uuid

import pytest
from bokeh.models import Tabs
from sqlalchemy import text

from bokeh_app.session_user import PAYLOAD_KEY
from database.config import get_engine, sign_in_policy
from database.sessions import open_session, reference, revoke_reference
from database.signin import COOKIE, sign
from database.users import create_user
from modeling.wording import catalogue
from tests.bokeh_app.conftest import make_document, model

pytestmark = pytest.mark.requirement("EXG-SEC-21")
SECRET = secrets.token_urlsafe(32)
RISK_TABS = {catalogue.t("tab_cohort", "fr"), catalogue.t("tab_threshold", "fr"), catalogue.t("tab_reviews", "fr")}


@pytest.fixture
def sign_in_on(monkeypatch):
    monkeypatch.setenv("DASHBOARD_AUTH", "on")
    monkeypatch.setenv("BOKEH_COOKIE_SECRET", SECRET)


@pytest.fixture(scope="module")
def people(bank) -> dict[str, str]:
    """An advisor and a risk manager in the test bank's database: role -> user name."""
    engine = get_engine(bank.url)
    names = {role: f"{role}-{uuid.uuid4().hex[:6]}" for role in ("advisor", "risk_manager")}
    for role, name in names.items():
        create_user(engine, name, role, secrets.token_urlsafe(12))
    engine.dispose()
    return names


def live_reference(bank, name: str) -> str:
    """The public reference of a new session of ``name`` in the test bank."""
    engine = get_engine(bank.url)
    ref = reference(open_session(engine, name, sign_in_policy()))
    engine.dispose()
    return ref


@pytest.fixture
def signed_in(bank):
    def document(portfolio, name: str, lang: str = "fr"):
        return make_document(portfolio, lang=lang, payload={PAYLOAD_KEY: live_reference(bank, name)})

    return document


def tab_titles(doc) -> set[str]:
    return {panel.title for panel in doc.select_one({"type": Tabs}).tabs}


def test_without_a_live_session_the_document_shows_no_client(portfolio, sign_in_on, people, bank):
    """No reference, an unknown one, a revoked session, or a sign-in cookie in the token (as Bokeh put it there
    before the token was filtered): nothing is shown."""
    revoked = live_reference(bank, people["advisor"])
    engine = get_engine(bank.url)
    revoke_reference(engine, revoked, "sign-out")
    engine.dispose()
    session_id = secrets.token_urlsafe(32)
    for payload in ({}, {PAYLOAD_KEY: "0" * 64}, {PAYLOAD_KEY: revoked},
                    {"cookies": {COOKIE: sign(session_id, SECRET)}}):
        doc = make_document(portfolio, lang="fr", payload=payload)
        assert doc.select_one({"type": Tabs}) is None
        assert "Connexion requise" in model(doc, "app").text
        assert doc.select_one({"name": "client_rows"}) is None


def test_an_advisor_sees_the_client_view_but_not_the_risk_tabs(portfolio, people, sign_in_on, signed_in):
    doc = signed_in(portfolio, people["advisor"])
    titles = tab_titles(doc)
    assert catalogue.t("tab_client", "fr") in titles and not titles & RISK_TABS
    assert people["advisor"] in doc.template_variables["user"] and "conseiller" in doc.template_variables["user"]
    manager = tab_titles(signed_in(portfolio, people["risk_manager"]))
    assert RISK_TABS <= manager


def _access_rows(bank, user: str) -> list[tuple]:
    engine = get_engine(bank.url)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT sk_id_curr, channel FROM access_log WHERE user_name = :u ORDER BY id"),
                                  {"u": user}).all()
    engine.dispose()
    return [tuple(r) for r in rows]


@pytest.mark.requirement("EXG-SEC-22")
def test_every_opening_of_a_client_file_leaves_an_access_row(portfolio, people, sign_in_on, signed_in, bank):
    name = people["advisor"]
    before = _access_rows(bank, name)
    doc = signed_in(portfolio, name)
    first = int(model(doc, "client_rows").data["SK_ID_CURR"][0])  # the page opens on the list's first client
    chosen = [int(portfolio.clients.index[5]), int(portfolio.clients.index[9]), int(portfolio.clients.index[5])]
    for client_id in chosen:
        model(doc, "client_search").value = str(client_id)
        model(doc, "client_search").value = ""
    assert _access_rows(bank, name)[len(before):] == [(cid, "dashboard") for cid in [first, *chosen]]


@pytest.mark.requirement("EXG-SEC-23")
def test_an_override_needs_a_reason_and_appears_in_the_history_and_the_manager_rates(portfolio, people,
                                                                                     sign_in_on, scorer, bank,
                                                                                     signed_in):
    from database.oversight import reviews_of

    name = people["advisor"]
    doc = signed_in(portfolio, name)
    engine = get_engine(bank.url)
    client_id = next(int(c) for c in portfolio.clients.index[portfolio.clients["DECISION"] == "refuse"]
                     if not reviews_of(engine, int(c)))  # the bank is shared: a client nobody reviewed yet
    engine.dispose()
    model(doc, "client_search").value = str(client_id)
    history = model(doc, "review_history")
    assert "Aucune décision" in history.text
    model(doc, "review_action").value = "override"
    save = model(doc, "review_save")
    from bokeh.events import ButtonClick

    save._trigger_event(ButtonClick(save))
    assert "Choisissez un motif" in model(doc, "review_status").text and "Aucune décision" in history.text
    model(doc, "review_reason").value = "guarantee_offered"
    model(doc, "review_comment").value = "Caution du conjoint"
    save._trigger_event(ButtonClick(save))
    assert "Décision enregistrée" in model(doc, "review_status").text
    assert "Garantie ou co-emprunteur apporté" in history.text and "Caution du conjoint" in history.text
    assert "corrigée" in history.text and name in history.text
    expected = scorer.score(client_id, lang="fr")
    assert catalogue.percent(expected.probability, "fr") in history.text
    rates = model(signed_in(portfolio, people["risk_manager"]), "overrides").text
    assert "Garantie ou co-emprunteur apporté" in rates and "Taux de correction" in rates


def test_a_page_left_open_after_its_session_ended_opens_no_more_files(portfolio, people, sign_in_on, bank):
    """Sign-out or a revoke in another tab: the open page's next search shows the sign-in link, no file, no row."""
    name = people["advisor"]
    ref = live_reference(bank, name)
    doc = make_document(portfolio, lang="fr", payload={PAYLOAD_KEY: ref})
    search = model(doc, "client_search")
    engine = get_engine(bank.url)
    revoke_reference(engine, ref, "administrator")
    engine.dispose()
    before = _access_rows(bank, name)
    search.value = str(int(portfolio.clients.index[7]))
    assert _access_rows(bank, name) == before
    assert doc.select_one({"type": Tabs}) is None and "Connexion requise" in model(doc, "app").text
