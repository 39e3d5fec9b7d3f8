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


def test_selecting_score_bins_filters_scatter_bars_and_summary(doc, portfolio):
    hist = model(doc, "cohort_hist")
    bars_before = list(model(doc, "cohort_bars").data["selected"])
    risky = [i for i in range(len(hist.data["left"])) if hist.data["left"][i] >= portfolio.threshold]
    hist.selected.indices = risky
    p = portfolio.clients["PROBABILITY"].to_numpy()
    lo = hist.data["left"][risky[0]]
    chosen = p >= lo
    assert _summary_count(doc) == int(chosen.sum())
    # the scatter highlights exactly the sampled clients in those bins
    sample_p = p[portfolio.sample_]
    selected = model(doc, "cohort_scatter").selected.indices
    assert sorted(selected) == list(np.flatnonzero(sample_p >= lo))
    # risky clients default more often: the bars of the selection change
    assert list(model(doc, "cohort_bars").data["selected"]) != bars_before
    # every client at or above the threshold is refused: the approval rate of the selection is nil
    assert "taux d'accord <b>0,0\xa0%</b>" in model(doc, "cohort_summary").text


def test_a_box_in_the_scatter_filters_the_histogram_and_summary(doc, portfolio):
    scatter = model(doc, "cohort_scatter")
    income = np.asarray(scatter.data["income"])
    rich = np.flatnonzero(income >= np.quantile(income, 0.75))
    scatter.selected.indices = rich.tolist()
    clients = portfolio.clients
    inside = (clients["AMT_INCOME_TOTAL"] >= income[rich].min()) & (clients["AMT_INCOME_TOTAL"] <= income[rich].max())
    credit = np.asarray(scatter.data["credit"])[rich]
    inside &= (clients["AMT_CREDIT"] >= credit.min()) & (clients["AMT_CREDIT"] <= credit.max())
    assert _summary_count(doc) == int(inside.sum()) < len(clients)
    hist = model(doc, "cohort_hist").data
    assert sum(hist["selected"]) == int(inside.sum())


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


def test_scatter_is_bounded_and_drawn_with_webgl(doc, portfolio):
    scatter = model(doc, "cohort_scatter")
    assert len(scatter.data["income"]) == min(len(portfolio.clients), portfolio.scatter_max)
    figures = [f for f in doc.select({"type": Plot}) if f.output_backend == "webgl"]
    assert figures, "the scatter plot must use the WebGL backend"
    assert set(scatter.data["marker"]) <= {"circle", "triangle"}  # marker shape repeats the colour's meaning
