"""The client's history and the what-if panel in a dashboard session (in-process Bokeh documents)."""

from __future__ import annotations

import html

import pytest
from bokeh.events import ButtonClick
from whatif_cases import refused_cases

from database.read import client_history
from modeling import catalogue
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
    model(opened, "whatif_amount").value = int(counterfactual.amount)
    model(opened, "whatif_run")._trigger_event(ButtonClick(model(opened, "whatif_run")))
    shown = model(opened, "whatif_result").text
    expected = whatif.simulate({"amount": counterfactual.amount}, "fr").result
    assert catalogue.decision_label("grant", "fr") in shown and catalogue.percent(expected.probability, "fr") in shown
    assert catalogue.t("not_actionable", "fr") in shown  # reasons say whether the client can act on them


def test_a_contradictory_change_is_refused_in_plain_words(opened):
    model(opened, "whatif_annuity").value = 5000
    model(opened, "whatif_duration").value = 48
    model(opened, "whatif_run")._trigger_event(ButtonClick(model(opened, "whatif_run")))
    shown = model(opened, "whatif_result").text
    assert "class='error'" in shown and catalogue.t("whatif_err_both", "fr", field=catalogue.t("whatif_duration", "fr")) in html.unescape(shown)
