"""Advisor's view: filters narrow the table, opening a client fills gauge, factors and comparison from modeling."""
from __future__ import annotations

import html

import numpy as np
import pandas as pd
import pytest
from bokeh.models import ColumnDataSource, Plot

from modeling.wording import catalogue
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
    assert set(model(doc, "client_rows").data["decision"]) == {"✖ Crédit refusé"}


def test_opening_a_client_shows_the_scorer_probability_decision_and_reasons(doc, portfolio, scorer):
    client_id = int(portfolio.clients.index[7])
    expected = scorer.score(client_id, lang="fr")
    open_client(doc, client_id)
    gauge = model(doc, "gauge_source").data
    assert gauge["p"] == [pytest.approx(expected.probability)]
    assert gauge["threshold"] == [pytest.approx(expected.threshold)]
    verdict = model(doc, "verdict").text
    assert catalogue.decision_label(expected.decision, "fr") == expected.decision_label in verdict
    assert f"{100 * expected.probability:.1f}".replace(".", ",") in verdict
    assert str(expected.grade) in verdict
    factors = model(doc, "factor_source").data
    assert set(factors["feature"]) <= {r.feature for r in expected.reasons}
    assert len(factors["feature"]) == min(8, len(expected.reasons)) > 0
    # never colour alone: every bar carries an arrow, the "raises" ones are hatched; no log-odds figure
    for text, hatch, value in zip(factors["text"], factors["hatch"], factors["contribution"], strict=True):
        assert text == ("▲" if value > 0 else "▼")
        assert (hatch == "/") == (value > 0)
    axis_labels = [f.xaxis.axis_label for f in doc.select({"type": Plot}) if f.title.text == "Principaux facteurs de la décision"]
    assert axis_labels == ["← réduit le risque   ·   augmente le risque →"]
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
    assert sum(all_hist["repaid"]) == pytest.approx(100) and sum(similar["share"]) == pytest.approx(100)
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


def test_similar_clients_are_the_nearest_ones_on_the_similarity_fields(portfolio):
    """No client left out of the group is nearer (on the scaled similarity fields) than one in it."""
    client_id = int(portfolio.clients.index[7])
    scaled = portfolio.scaler_.transform(portfolio._neighbour_matrix())
    here = portfolio.clients.index.get_loc(client_id)
    distance = pd.Series(np.linalg.norm(scaled - scaled[here], axis=1), index=portfolio.clients.index)
    distance = distance.drop(client_id)
    near = portfolio.similar(client_id)
    assert len(near) == min(portfolio.n_neighbours, len(distance))
    assert distance.loc[near].max() <= distance.drop(near).min() + 1e-12


def test_an_unknown_or_malformed_id_says_so_without_hiding_the_count(doc, portfolio):
    count = model(doc, "client_message").text
    shown = model(doc, "gauge_source").data["p"]
    unknown = int(portfolio.clients.index.max()) + 1000
    open_client(doc, unknown)
    assert f"{unknown}" in model(doc, "client_error").text
    assert model(doc, "client_message").text == count  # the "N clients match" line stays
    assert model(doc, "gauge_source").data["p"] == shown  # the card still shows the client it showed
    open_client(doc, "12a")
    assert "12a" in model(doc, "client_error").text


def test_a_valid_id_after_an_unknown_one_clears_the_error(doc, portfolio):
    open_client(doc, -3)
    assert "-3" in model(doc, "client_error").text
    client_id = int(portfolio.clients.index[9])
    open_client(doc, client_id)
    assert model(doc, "client_error").text == ""
    assert str(client_id) in model(doc, "identity").text


def test_the_page_opens_on_the_first_client_with_the_gauge_split_at_the_threshold(doc, portfolio):
    first = int(model(doc, "client_rows").data["SK_ID_CURR"][0])
    assert str(first) in model(doc, "identity").text
    assert model(doc, "gauge_source").data["p"] == [pytest.approx(portfolio.clients.loc[first, "PROBABILITY"])]
    zones = model(doc, "gauge_zones").data
    assert zones["right"][0] == zones["left"][1] == pytest.approx(portfolio.threshold)
    assert len(model(doc, "factor_source").data["name"]) > 0
    assert len(model(doc, "compare_all").data["left"]) > 0


def test_english_session_speaks_english(portfolio, scorer):
    doc = make_document(portfolio, lang="en")
    client_id = int(portfolio.clients.index[0])
    open_client(doc, client_id)
    verdict = model(doc, "verdict").text
    assert "Default probability" in verdict and ("Loan granted" in verdict or "Loan refused" in verdict)
    expected = scorer.score(client_id, lang="en")
    assert html.escape(expected.reasons[0].sentence) in model(doc, "sentences").text
    assert doc.template_variables["lang"] == "en"


def test_one_session_holds_small_sources(doc, portfolio):
    sizes = {m.name: len(next(iter(m.data.values()), [])) for m in doc.select({"type": ColumnDataSource})}
    assert max(sizes.values()) <= 5000  # aggregates, hexagons and 500 table rows, never one row per client
    # nor does a column keep, behind it, a row of every client (a view keeps its whole base alive)
    for source in doc.select({"type": ColumnDataSource}):
        for name, values in source.data.items():
            base = values
            while isinstance(getattr(base, "base", None), np.ndarray):
                base = base.base
            shape = base.shape if isinstance(base, np.ndarray) else (len(values),)
            assert len(portfolio.clients) not in shape, (source.name, name, shape)


def test_the_card_and_the_table_give_the_same_age(doc, portfolio):
    ages = portfolio.clients["AGE_YEARS"]
    client_id = int((ages - np.floor(ages)).idxmax())  # the client closest to a birthday: rounding would differ
    rows = model(doc, "client_rows").data
    open_client(doc, client_id)
    completed = int(ages.loc[client_id])
    in_table = dict(zip(rows["SK_ID_CURR"], rows["age"], strict=True)).get(client_id)
    assert in_table in (None, completed)  # the table lists the first clients only
    card = model(doc, "identity").text
    assert f"<dd>{completed}\u00a0ans</dd>" in card
    # the reasons write the age the same way (completed years)
    assert catalogue.years(completed, "fr", 0) == f"{completed}\u00a0ans"


def test_comparison_offers_business_features_and_draws_the_similar_group_on_its_own_range(doc, portfolio):
    from bokeh_app.portfolio import COMPARISON_FEATURES, NEIGHBOUR_FIELDS

    offered = [name for name, _ in model(doc, "compare_select").options]
    assert set(offered) <= set(NEIGHBOUR_FIELDS) | set(COMPARISON_FEATURES)
    assert len(offered) >= len(NEIGHBOUR_FIELDS) + 5
    labels = [label for _, label in model(doc, "compare_select").options]
    assert not any("_" in label for label in labels)  # readable names, no column names
    client_id = int(portfolio.clients.index[12])
    open_client(doc, client_id)
    model(doc, "compare_select").value = "AMT_INCOME_TOTAL"
    all_hist, similar = model(doc, "compare_all").data, model(doc, "compare_similar").data
    assert len(similar["left"]) <= 10 < len(all_hist["left"])
    income = portfolio.clients.loc[portfolio.similar(client_id), "AMT_INCOME_TOTAL"]
    assert similar["right"][-1] - similar["left"][0] < all_hist["right"][-1] - all_hist["left"][0]
    assert similar["left"][0] <= income.quantile(0.05) and similar["right"][-1] >= income.quantile(0.95)
    # the page says how "similar" is defined
    assert "les plus proches de celui-ci par âge, revenu annuel" in model(doc, "similar_rate").text


def test_durations_and_ratios_read_the_same_on_the_card_and_in_the_reasons(doc, portfolio, scorer):
    from modeling.wording import labels

    assert labels.format_value("DAYS_EMPLOYED", -192, "fr") == "0,5\u00a0an"  # not "192 jours"
    assert labels.format_value("ANNUITY_INCOME_RATIO", 0.4912, "fr") == "49\u00a0%"  # a ratio read as a share
    assert labels.format_value("DAYS_BIRTH", -23.6 * 365.25, "fr") == "23\u00a0ans"  # completed years, as the card
    assert labels.feature_label("AMT_INCOME_TOTAL", "fr") == "Revenu annuel"
    client_id = int(portfolio.clients.index[3])
    open_client(doc, client_id)
    card = model(doc, "identity").text
    for name in ("AMT_INCOME_TOTAL", "AMT_ANNUITY", "DAYS_EMPLOYED", "DAYS_BIRTH"):
        assert f"<dt>{html.escape(labels.feature_label(name, 'fr'))}</dt>" in card


def test_the_gauge_writes_the_value_inside_its_edges(doc, portfolio):
    """A client at 0,4 % reads '0,4 %' on the gauge, not a label cut at the left edge into '4 %'."""
    lowest = int(portfolio.clients["PROBABILITY"].idxmin())
    open_client(doc, lowest)
    assert model(doc, "gauge_source").data["align"] == ["left"]
    middle = portfolio.clients["PROBABILITY"].sub(portfolio.threshold).abs().idxmin()  # at the threshold: mid-gauge
    open_client(doc, int(middle))
    assert model(doc, "gauge_source").data["align"] == ["center"]


def _label_box(x: float, text: str, align: str, end: float, width_px: float) -> tuple[float, float]:
    """The pixels a gauge text takes (a 14 px sans-serif glyph is at most about 0.62 em wide on average)."""
    at, wide = x / end * width_px, len(text) * 14 * 0.62
    return {"left": (at, at + wide), "right": (at - wide, at), "center": (at - wide / 2, at + wide / 2)}[align]


@pytest.mark.parametrize("probability", [0.726, 0.99, 0.3, 0.02])
def test_the_gauge_zone_names_never_run_into_each_other(portfolio, probability):
    """100332 at 72,6 %: "Crédit accordé" and "Crédit refusé" were written over each other at the threshold."""
    from dataclasses import replace

    from bokeh_app.views.client_card import client_card

    client_id = int(portfolio.clients.index[0])
    result = replace(portfolio.explain(client_id, "fr"), probability=probability,
                     decision="refuse" if probability >= portfolio.threshold else "grant")
    card = client_card("fr", portfolio.threshold)
    card.show(client_id, portfolio.clients.loc[client_id], result)
    zones, end = card.zones.data, card.gauge.x_range.end
    width = card.gauge.width - 40  # the frame, inside the plot's borders
    grant, refuse = (_label_box(x, text, align, end, width)
                     for x, text, align in zip(zones["x"], zones["text"], zones.get("align", ["left"] * 2), strict=True))
    assert zones["text"] == ["Crédit accordé", "Crédit refusé"]
    assert grant[1] < refuse[0], f"the zone names overlap: {grant} and {refuse}"
    assert grant[0] >= 0 and refuse[1] <= width, "a zone name is cut by the gauge's edge"


@pytest.mark.parametrize("typed", ["\uff11\uff10\uff10\uff10\uff10\uff13", "100_003", "\u0661\u0660\u0660\u0660\u0660\u0663"])
def test_the_search_box_takes_ascii_digits_only_as_the_api_does(doc, portfolio, typed):
    """Full-width, Arabic-Indic digits or an underscore are not an ID for the API: the search says so."""
    opened = model(doc, "identity").text
    model(doc, "client_search").value = typed
    assert catalogue.t("bad_id", "fr", text=typed) in html.unescape(model(doc, "client_error").text)
    assert model(doc, "identity").text == opened  # no other client's file opened
