"""Advisor's view: filters narrow the table, opening a client fills gauge, factors and comparison from modeling."""
from __future__ import annotations

import html

import numpy as np
import pytest
from bokeh.models import ColumnDataSource

from tests.bokeh_app.conftest import make_document, model

pytestmark = pytest.mark.requirement("EXG-DSH-01")


def open_client(doc, client_id: int) -> None:
    """Type the ID in the search box, as an advisor does (TextInput fires on Enter)."""
    model(doc, "client_search").value = str(client_id)


def test_a_filter_narrows_the_table_to_matching_clients(doc, portfolio):
    rows = model(doc, "client_rows")
    message = model(doc, "client_message")
    before = message.text
    assert len(rows.data["SK_ID_CURR"]) > 0
    model(doc, "filter_gender").value = "F"
    ids = rows.data["SK_ID_CURR"]
    assert len(ids) > 0
    assert set(portfolio.clients.loc[ids, "CODE_GENDER"].astype(str)) == {"F"}
    women = int((portfolio.clients["CODE_GENDER"] == "F").sum())
    assert message.text != before and f"{women}" in message.text.replace("\u202f", "")


def test_score_range_and_decision_filters_combine(doc, portfolio):
    model(doc, "filter_decision").value = "refuse"
    model(doc, "filter_score").value = (0, 100)
    model(doc, "filter_score").trigger("value_throttled", None, (0, 100))
    ids = model(doc, "client_rows").data["SK_ID_CURR"]
    expected = portfolio.clients.index[portfolio.clients["DECISION"] == "refuse"]
    assert sorted(ids) == sorted(expected[: len(ids)]) and len(ids) == min(len(expected), 500)
    assert all(d.endswith("Refusé") for d in model(doc, "client_rows").data["decision"])


def test_opening_a_client_shows_the_scorer_probability_decision_and_reasons(doc, portfolio, scorer):
    client_id = int(portfolio.clients.index[7])
    expected = scorer.score(client_id, lang="fr")
    open_client(doc, client_id)
    gauge = model(doc, "gauge_source").data
    assert gauge["p"] == [pytest.approx(expected.probability)]
    assert gauge["threshold"] == [pytest.approx(expected.threshold)]
    verdict = model(doc, "verdict").text
    assert ("Accordé" if expected.decision == "grant" else "Refusé") in verdict
    assert f"{100 * expected.probability:.1f}".replace(".", ",") in verdict
    assert str(expected.grade) in verdict
    factors = model(doc, "factor_source").data
    assert set(factors["feature"]) <= {r.feature for r in expected.reasons}
    assert len(factors["feature"]) == min(8, len(expected.reasons)) > 0
    # never colour alone: every bar carries a signed text, the "raises" ones are hatched
    for text, hatch, value in zip(factors["text"], factors["hatch"], factors["contribution"], strict=True):
        assert text.startswith("▲ +" if value > 0 else "▼ −")
        assert (hatch == "/") == (value > 0)
    sentences = model(doc, "sentences").text
    assert all(html.escape(r.sentence) in sentences for r in expected.reasons)
    assert str(client_id) in model(doc, "identity").text


def test_switching_client_updates_every_panel(doc, portfolio):
    first, second = (int(i) for i in portfolio.clients.index[[3, 40]])
    open_client(doc, first)
    snapshot = (model(doc, "gauge_source").data["p"], model(doc, "identity").text,
                model(doc, "similar_rate").text)
    open_client(doc, second)
    assert model(doc, "gauge_source").data["p"] == [pytest.approx(portfolio.clients.loc[second, "PROBABILITY"])]
    assert model(doc, "identity").text != snapshot[1] and str(second) in model(doc, "identity").text
    assert model(doc, "gauge_source").data["p"] != snapshot[0] or model(doc, "similar_rate").text != snapshot[2]


def test_picking_a_row_of_the_table_opens_that_client(doc, portfolio):
    rows = model(doc, "client_rows")
    rows.selected.indices = [2]
    client_id = int(rows.data["SK_ID_CURR"][2])
    assert str(client_id) in model(doc, "identity").text
    assert model(doc, "gauge_source").data["p"] == [pytest.approx(portfolio.clients.loc[client_id, "PROBABILITY"])]


def test_comparison_marks_the_client_value_among_all_and_similar_clients(doc, portfolio):
    client_id = int(portfolio.clients.index[12])
    open_client(doc, client_id)
    select = model(doc, "compare_select")
    select.value = "AGE_YEARS"
    age = float(portfolio.clients.loc[client_id, "AGE_YEARS"])
    markers = list(doc.select({"name": "compare_marker"}))
    assert len(markers) == 2 and all(m.location == pytest.approx(age) for m in markers)
    all_hist, similar = model(doc, "compare_all").data, model(doc, "compare_similar").data
    assert sum(all_hist["repaid"]) == pytest.approx(100) and sum(similar["repaid"]) == pytest.approx(100)
    assert all_hist["left"][0] <= age <= all_hist["right"][-1]
    # the similar group's default rate is the observed rate of the neighbours the portfolio finds
    near = portfolio.clients.loc[portfolio.similar(client_id), "TARGET"].dropna()
    shown = f"{100 * near.mean():.1f}".replace(".", ",")
    assert shown in model(doc, "similar_rate").text
    select.value = "AMT_CREDIT"
    credit = float(portfolio.clients.loc[client_id, "AMT_CREDIT"])
    assert all(m.location == pytest.approx(credit) for m in markers)


def test_similar_clients_are_closer_than_random_ones(portfolio):
    client_id = int(portfolio.clients.index[5])
    near = portfolio.similar(client_id)
    assert len(near) == portfolio.n_neighbours and client_id not in near
    age = portfolio.clients["AGE_YEARS"]
    gap_near = (age.loc[near] - age.loc[client_id]).abs().mean()
    gap_all = (age - age.loc[client_id]).abs().mean()
    assert gap_near < gap_all


def test_an_unknown_or_malformed_id_says_so(doc, portfolio):
    unknown = int(portfolio.clients.index.max()) + 1000
    open_client(doc, unknown)
    assert f"{unknown}" in model(doc, "client_message").text
    assert model(doc, "gauge_source").data["p"] == []
    open_client(doc, "12a")
    assert "12a" in model(doc, "client_message").text


def test_english_session_speaks_english(portfolio, scorer):
    doc = make_document(portfolio, lang="en")
    client_id = int(portfolio.clients.index[0])
    open_client(doc, client_id)
    verdict = model(doc, "verdict").text
    assert "Default probability" in verdict and ("Granted" in verdict or "Refused" in verdict)
    expected = scorer.score(client_id, lang="en")
    assert html.escape(expected.reasons[0].sentence) in model(doc, "sentences").text
    assert doc.template_variables["lang"] == "en"


def test_one_session_holds_small_sources(doc, portfolio):
    sizes = {m.name: len(next(iter(m.data.values()), [])) for m in doc.select({"type": ColumnDataSource})}
    assert max(sizes.values()) <= max(portfolio.scatter_max, 500)
    assert np.all(np.diff(portfolio.sample_) > 0)


def test_the_card_and_the_table_give_the_same_age(doc, portfolio):
    ages = portfolio.clients["AGE_YEARS"]
    client_id = int((ages - np.floor(ages)).idxmax())  # the client closest to a birthday: rounding would differ
    rows = model(doc, "client_rows").data
    open_client(doc, client_id)
    completed = int(ages.loc[client_id])
    in_table = dict(zip(rows["SK_ID_CURR"], rows["age"], strict=True)).get(client_id)
    assert in_table in (None, completed)  # the table lists the first clients only
    card = model(doc, "identity").text
    assert f"<dd>{completed} ans</dd>" in card.replace("\u202f", " ")
