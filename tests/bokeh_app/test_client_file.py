"""The client's history and the what-if panel in a dashboard session (in-process Bokeh documents)."""

from __future__ import annotations

import html

import pytest
from bokeh.events import ButtonClick
from whatif_cases import refused_cases

from database.read import client_history
from modeling.serving.loan_terms import BOUNDS, duration_text
from modeling.wording import catalogue
from tests.bokeh_app.conftest import make_document, model

pytestmark = pytest.mark.requirement("EXG-CLI-21", "EXG-CLI-22")


@pytest.fixture(scope="module")
def case(lightgbm_stack):
    _, (whatif, counterfactual), _ = refused_cases(lightgbm_stack)
    return whatif, counterfactual


@pytest.fixture
def opened(lightgbm_portfolio, case):
    """A French session with the refused client opened through the search box."""
    doc = make_document(lightgbm_portfolio)
    model(doc, "client_search").value = str(case[0].client_id)  # as an advisor types it (fires on Enter)
    assert str(case[0].client_id) in model(doc, "identity").text
    return doc


def test_the_history_panels_sum_up_the_client_rows(opened, case, lightgbm_portfolio):
    rows = client_history(lightgbm_portfolio.scorer.engine, case[0].client_id)
    previous, bureau = rows["previous_application"], rows["bureau"]
    shown = model(opened, "history_previous").text
    if len(previous):
        refused = int((previous["NAME_CONTRACT_STATUS"] == "Refused").sum())
        assert f"Demandes précédentes : {len(previous)} (acceptées" in shown and f"refusées : {refused}," in shown
        assert shown.count("<tr>") == min(len(previous), 8) + 1  # the most recent rows under one header
    if len(bureau):
        active = int((bureau["CREDIT_ACTIVE"] == "Active").sum())
        assert f"Crédits déclarés : {len(bureau)} (en cours : {active}," in model(opened, "history_bureau").text
    paid = rows["installments_payments"].dropna(subset=["DAYS_INSTALMENT", "DAYS_ENTRY_PAYMENT"])
    points = model(opened, "instalment_source").data
    assert len(points["late"]) == len(paid)
    late = (paid["DAYS_ENTRY_PAYMENT"] - paid["DAYS_INSTALMENT"]).to_numpy()
    assert sorted(points["late"]) == sorted(late)


def test_the_panel_rescores_a_smaller_amount_like_the_whatif_module(opened, case):
    whatif, counterfactual = case
    assert catalogue.decision_label("refuse", "fr") in model(opened, "whatif_result").text
    assert all(s.replace("'", "&#x27;") in model(opened, "whatif_counterfactual").text for s in counterfactual.sentences)
    model(opened, "whatif_amount").value = str(int(counterfactual.amount))  # as typed, without separators
    model(opened, "whatif_run")._trigger_event(ButtonClick(model(opened, "whatif_run")))
    shown = model(opened, "whatif_result").text
    expected = whatif.simulate({"amount": counterfactual.amount}, "fr").result
    assert catalogue.decision_label("grant", "fr") in shown and catalogue.percent(expected.probability, "fr") in shown
    assert catalogue.t("not_actionable", "fr") in shown  # reasons say whether the client can act on them


def test_a_contradictory_change_is_refused_in_plain_words(opened):
    model(opened, "whatif_annuity").value = "5 000"
    model(opened, "whatif_duration").value = "48"
    model(opened, "whatif_run")._trigger_event(ButtonClick(model(opened, "whatif_run")))
    shown = model(opened, "whatif_result").text
    assert "class='error'" in shown and catalogue.t("whatif_err_both", "fr", field=catalogue.t("whatif_duration", "fr")) in html.unescape(shown)


def _simulate(doc, **typed) -> str:
    """Type these texts in the panel's fields, press Simulate; the answer's text."""
    for lever, text in typed.items():
        model(doc, f"whatif_{lever}").value = text
    model(doc, "whatif_run")._trigger_event(ButtonClick(model(doc, "whatif_run")))
    return html.unescape(model(doc, "whatif_result").text)


def _field(doc, lever: str) -> float:
    return catalogue.parse_number(model(doc, f"whatif_{lever}").value, "fr")


@pytest.mark.parametrize(("lever", "typed"), [("duration", "abc"), ("duration", ""), ("amount", "840 514 781 000"),
                                              ("annuity", "0"), ("goods_price", "1e30")])
def test_a_term_that_is_no_number_or_out_of_bounds_is_refused_in_plain_words(opened, lever, typed):
    shown = _simulate(opened, **{lever: typed})
    low, high = (catalogue.number(v, "fr") for v in BOUNDS[lever])
    label = catalogue.t(f"whatif_{lever}", "fr")
    assert "class='error'" in shown and label in shown and f"{low} à {high}" in shown
    assert "class='verdict" not in shown  # nothing simulated: no decision shown for terms nobody asked for


def test_the_fields_show_the_terms_simulated_and_the_sentence_says_the_same(opened, case):
    whatif, counterfactual = case
    base = whatif.base
    assert model(opened, "whatif_duration").value == duration_text(base.duration, "fr")  # e.g. 9,34, not 9
    shown = _simulate(opened, amount=str(int(counterfactual.amount)))
    annuity = counterfactual.amount / base.duration  # a new amount keeps the duration: the annuity follows
    assert model(opened, "whatif_annuity").value == catalogue.number(annuity, "fr")  # not the old annuity
    assert model(opened, "whatif_amount").value == catalogue.number(counterfactual.amount, "fr")
    assert model(opened, "whatif_duration").value == duration_text(base.duration, "fr")
    sentence = catalogue.t("whatif_terms", "fr", amount=catalogue.money(counterfactual.amount, "fr"),
                           duration=duration_text(base.duration, "fr"), annuity=catalogue.money(annuity, "fr"),
                           goods=catalogue.money(base.goods_price, "fr"))
    assert sentence in shown
    amount, annuity_shown, months = (_field(opened, lever) for lever in ("amount", "annuity", "duration"))
    assert abs(amount / annuity_shown - months) < 0.01  # the three fields agree with each other


def test_the_next_change_starts_from_the_terms_shown(opened, case):
    whatif, counterfactual = case
    _simulate(opened, amount=str(int(counterfactual.amount)))
    shown = _simulate(opened, duration="24")
    first = whatif.simulate({"amount": counterfactual.amount}, "fr").terms
    expected = whatif.simulate({"duration": 24}, "fr", start=first)
    assert expected.terms.amount == counterfactual.amount
    assert catalogue.money(counterfactual.amount, "fr") in shown and model(opened, "whatif_duration").value == "24"
    assert catalogue.percent(expected.result.probability, "fr") in shown
