"""Risk manager's cohorts: a selection in one plot narrows the others and the summary."""
from __future__ import annotations

import numpy as np
import pytest
from bokeh.events import ButtonClick
from bokeh.models import Plot

from tests.bokeh_app.conftest import model

pytestmark = pytest.mark.requirement("EXG-DSH-02")


def _summary_count(doc) -> int:
    text = model(doc, "cohort_summary").text
    return int(text.split("<b>")[1].split("</b>")[0].replace("\u202f", "").replace(",", ""))


def test_without_selection_the_summary_covers_the_whole_portfolio(doc, portfolio):
    assert _summary_count(doc) == len(portfolio.clients)
    hist = model(doc, "cohort_hist").data
    assert list(hist["selected"]) == list(hist["all"])
    assert sum(hist["all"]) == len(portfolio.clients)


def test_selecting_score_bins_filters_density_bars_and_summary(doc, portfolio):
    hist = model(doc, "cohort_hist")
    bars_before = list(model(doc, "cohort_bars").data["selected"])
    risky = [i for i in range(len(hist.data["left"])) if hist.data["left"][i] >= portfolio.threshold]
    hist.selected.indices = risky
    p = portfolio.clients["PROBABILITY"].to_numpy()
    lo = hist.data["left"][risky[0]]
    chosen = p >= lo
    assert _summary_count(doc) == int(chosen.sum())
    # the density counts exactly the selected clients (those with an income and a credit to place)
    tiles = model(doc, "cohort_tiles").data
    drawable = (portfolio.clients["AMT_INCOME_TOTAL"] > 0) & (portfolio.clients["AMT_CREDIT"] > 0)
    assert int(np.sum(tiles["selected"])) == int((chosen & drawable.to_numpy()).sum())
    # risky clients default more often: the bars of the selection change
    assert list(model(doc, "cohort_bars").data["selected"]) != bars_before
    # every client at or above the threshold is refused: the approval rate of the selection is nil
    assert "taux d'accord <b>0,0\xa0%</b>" in model(doc, "cohort_summary").text


def test_a_box_in_the_density_filters_the_histogram_and_summary(doc, portfolio):
    tiles = model(doc, "cohort_tiles")
    busiest = np.argsort(-np.asarray(tiles.data["selected"]))[:5].tolist()
    tiles.selected.indices = busiest
    expected = int(np.asarray(tiles.data["selected"])[busiest].sum())
    assert 0 < _summary_count(doc) == expected < len(portfolio.clients)
    assert sum(model(doc, "cohort_hist").data["selected"]) == expected


def test_the_density_covers_every_client_and_its_title_says_so(doc, portfolio):
    tiles = model(doc, "cohort_tiles").data
    drawable = int(((portfolio.clients["AMT_INCOME_TOTAL"] > 0) & (portfolio.clients["AMT_CREDIT"] > 0)).sum())
    assert int(np.sum(tiles["selected"])) == drawable
    titles = [p.title.text for p in doc.select({"type": Plot}) if "Revenu et crédit" in (p.title.text or "")]
    count = f"{len(portfolio.clients):,}".replace(",", "\u202f")
    assert titles == [f"Revenu et crédit des {count} clients (case foncée\u00a0: nombreux)"]
    assert "hasard" not in titles[0]


def test_changing_the_grouping_drops_the_old_bar_selection(doc, portfolio):
    model(doc, "cohort_group_by").value = "gender"
    bars = model(doc, "cohort_bars")
    bars.selected.indices = [bars.data["category"].index("Homme")]
    men = int((portfolio.clients["CODE_GENDER"] == "M").sum())
    assert _summary_count(doc) == men
    model(doc, "cohort_group_by").value = "age_band"
    assert bars.selected.indices == [] and _summary_count(doc) == len(portfolio.clients)


def test_clicking_a_bar_keeps_that_category_and_the_reset_button_clears(doc, portfolio):
    model(doc, "cohort_group_by").value = "gender"
    bars = model(doc, "cohort_bars")
    index = bars.data["category"].index("Femme")
    bars.selected.indices = [index]
    women = int((portfolio.clients["CODE_GENDER"] == "F").sum())
    assert _summary_count(doc) == women
    rate = portfolio.clients.loc[portfolio.clients["CODE_GENDER"] == "F", "TARGET"].mean()
    assert f"{100 * rate:.1f}".replace(".", ",") in model(doc, "cohort_summary").text
    model(doc, "cohort_reset")._trigger_event(ButtonClick(model(doc, "cohort_reset")))
    assert _summary_count(doc) == len(portfolio.clients)


def test_segment_widget_and_plot_selection_combine(doc, portfolio):
    model(doc, "segment_contract").value = "Cash loans"
    cash = portfolio.clients["NAME_CONTRACT_TYPE"] == "Cash loans"
    assert _summary_count(doc) == int(cash.sum())
    hist = model(doc, "cohort_hist")
    hist.selected.indices = [0]
    p = portfolio.clients["PROBABILITY"].to_numpy()
    in_bin = p < hist.data["right"][0]
    assert _summary_count(doc) == int((cash.to_numpy() & in_bin).sum())


def test_each_hexagon_counts_the_clients_whose_income_and_credit_fall_in_it(doc, portfolio):
    from bokeh.util.hex import cartesian_to_axial

    from bokeh_app.views.cohort import HEX_SIZE

    clients = portfolio.clients[(portfolio.clients["AMT_INCOME_TOTAL"] > 0) & (portfolio.clients["AMT_CREDIT"] > 0)]
    q, r = cartesian_to_axial(np.log10(clients["AMT_INCOME_TOTAL"].to_numpy(dtype=float)),
                              np.log10(clients["AMT_CREDIT"].to_numpy(dtype=float)), HEX_SIZE, "pointytop")
    expected = {}
    for pair in zip(q.tolist(), r.tolist(), strict=True):
        expected[pair] = expected.get(pair, 0) + 1
    tiles = model(doc, "cohort_tiles").data
    shown = {(int(a), int(b)): int(n) for a, b, n in zip(tiles["q"], tiles["r"], tiles["selected"], strict=True)}
    assert shown == expected and len(shown) > 1


def test_each_histogram_bar_counts_the_clients_in_its_range_up_to_the_highest(doc, portfolio):
    """The range stopped near 54 %: clients up to 74,6 % were piled into an unlabelled last bar."""
    hist = model(doc, "cohort_hist").data
    p = portfolio.clients["PROBABILITY"].to_numpy()
    left, right = np.asarray(hist["left"]), np.asarray(hist["right"])
    assert right[-1] >= p.max() and right[-1] - p.max() <= 0.05 + 1e-9
    inside = [int(((p >= lo) & ((p < hi) if i < len(left) - 1 else (p <= hi))).sum())
              for i, (lo, hi) in enumerate(zip(left, right, strict=True))]
    assert list(hist["all"]) == inside
