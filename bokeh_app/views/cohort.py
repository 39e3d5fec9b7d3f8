"""Risk manager's cohort explorer: linked score histogram, income/credit scatter and default rate by category.

A selection in one plot (box in the histogram or the scatter, click on a bar) narrows the others and the
summary. Every aggregate is computed on the whole portfolio; the scatter draws a bounded random sample.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from bokeh.layouts import column, row
from bokeh.models import (
    BoxSelectTool,
    Button,
    ColumnDataSource,
    Div,
    FactorRange,
    FixedTicker,
    NumeralTickFormatter,
    Select,
    Span,
    TapTool,
)
from bokeh.plotting import figure

from bokeh_app import i18n
from bokeh_app.portfolio import Portfolio
from bokeh_app.views.client_list import FILTERS, _options
from bokeh_app.views.style import (
    BLUE,
    COLOURS,
    DIV_CSS,
    FONT,
    GREY,
    HATCH,
    INK,
    MARKERS,
    TOOLS,
    VERMILLION,
    decision_word,
)

SEGMENTS = ("contract", "gender", "age_band", "income_band")
GROUP_BY = {"income_band": "INCOME_BAND", "age_band": "AGE_BAND", "contract": "NAME_CONTRACT_TYPE",
            "gender": "CODE_GENDER", "family": "NAME_FAMILY_STATUS", "education": "NAME_EDUCATION_TYPE",
            "income_type": "NAME_INCOME_TYPE", "grade": "GRADE"}
HIST_BINS = 40
LOG_TICKS = [10_000, 30_000, 100_000, 300_000, 1_000_000, 3_000_000, 10_000_000]


@dataclass
class Cohort:
    """Widgets, sources and the selection state of the cohort view."""

    layout: object
    segments: dict[str, Select]
    group_by: Select
    hist: ColumnDataSource
    scatter: ColumnDataSource
    bars: ColumnDataSource
    summary: Div
    state: dict = field(default_factory=dict)
    mask: object = None  # () -> boolean array over the portfolio


def summary_html(clients: pd.DataFrame, lang: str) -> str:
    """Count, observed default rate, mean probability and approval rate of the selected clients."""
    target = pd.to_numeric(clients["TARGET"], errors="coerce")
    n = len(clients)
    return "<p class='summary'>" + i18n.t(
        "summary", lang, n=i18n.number(n, lang),
        d=i18n.percent(target.mean() if target.notna().any() else None, lang),
        p=i18n.percent(clients["PROBABILITY"].mean() if n else None, lang),
        a=i18n.percent((clients["DECISION"] == "grant").mean() if n else None, lang)) + "</p>"


def _category_labels(values, column: str, lang: str) -> list[str]:
    if column == "GRADE" or column.endswith("_BAND"):
        return [str(v) for v in values]
    return [i18n.category(v, lang) for v in values]


def _shared_arrays(portfolio: Portfolio) -> tuple:
    """Outcomes, histogram edges and each client's probability bin: computed once, shared by sessions."""
    p_all = portfolio.clients["PROBABILITY"].to_numpy()
    target = pd.to_numeric(portfolio.clients["TARGET"], errors="coerce").to_numpy()
    top = float(min(1.0, np.quantile(p_all, 0.995) * 1.05)) if len(p_all) else 1.0
    edges = np.linspace(0.0, top, HIST_BINS + 1)
    bin_of = np.clip(np.searchsorted(edges, p_all, side="right") - 1, 0, HIST_BINS - 1)
    return target, np.isfinite(target), edges, bin_of, np.bincount(bin_of, minlength=HIST_BINS)


def cohort(portfolio: Portfolio, lang: str) -> Cohort:
    """Build the linked plots over the shared portfolio for one session."""
    clients = portfolio.clients
    target, known, edges, bin_of, all_counts = portfolio.memo(("cohort",), lambda: _shared_arrays(portfolio))
    everyone = np.ones(len(clients), dtype=bool)
    state: dict = {"bins": None, "box": None, "categories": None, "busy": False}

    segments = {key: Select(title=i18n.t(key, lang), value="", width=170, name=f"segment_{key}",
                            options=_options(portfolio, FILTERS[key][0], FILTERS[key][1], lang)) for key in SEGMENTS}
    group_by = Select(title=i18n.t("group_by", lang), value="income_band", width=200, name="cohort_group_by",
                      options=[(k, i18n.t(k, lang)) for k in GROUP_BY])
    reset = Button(label=i18n.t("reset", lang), width=180, align="end", name="cohort_reset")
    summary = Div(text="", width=900, styles={"font-size": "16px"}, name="cohort_summary", stylesheets=[DIV_CSS])

    hist = ColumnDataSource({"left": edges[:-1], "right": edges[1:], "all": all_counts,
                             "selected": all_counts.copy()}, name="cohort_hist")
    fig_hist = figure(height=320, width=460, title=i18n.t("score_distribution", lang), tools="reset,save",
                      x_axis_label=i18n.t("probability", lang), y_axis_label=i18n.t("clients", lang))
    fig_hist.add_tools(BoxSelectTool(dimensions="width"))
    fig_hist.quad(left="left", right="right", bottom=0, top="all", source=hist, fill_color="#d9d9d9",
                  line_color=GREY, legend_label=i18n.t("clients", lang),
                  selection_fill_color="#bdbdbd", nonselection_fill_alpha=0.6)
    fig_hist.quad(left="left", right="right", bottom=0, top="selected", source=hist, fill_color=BLUE,
                  fill_alpha=0.8, line_color=None, legend_label=i18n.t("selection", lang))
    fig_hist.add_layout(Span(location=portfolio.threshold, dimension="height", line_color=INK, line_width=2,
                             line_dash="dashed"))
    fig_hist.xaxis.formatter = NumeralTickFormatter(format="0 %" if lang == "fr" else "0%")

    sample = portfolio.memo(("sample",), portfolio.sample)
    scatter = ColumnDataSource({
        "income": sample["AMT_INCOME_TOTAL"].to_numpy(dtype=float), "credit": sample["AMT_CREDIT"].to_numpy(dtype=float),
        "decision": [decision_word(d, lang) for d in sample["DECISION"]],
        "colour": [COLOURS[d] for d in sample["DECISION"]], "marker": [MARKERS[d] for d in sample["DECISION"]],
    }, name="cohort_scatter")
    fig_scatter = figure(height=320, width=520, title=i18n.t("income_vs_credit", lang, n=i18n.number(len(sample), lang)),
                         x_axis_type="log", y_axis_type="log", tools=TOOLS, output_backend="webgl",
                         x_axis_label=i18n.t("income", lang), y_axis_label=i18n.t("credit", lang))
    fig_scatter.add_tools(BoxSelectTool())
    fig_scatter.scatter(x="income", y="credit", source=scatter, marker="marker", size=6, fill_color="colour",
                        line_color="colour", fill_alpha=0.5, legend_field="decision",
                        nonselection_fill_alpha=0.06, nonselection_line_alpha=0.06)
    fig_scatter.legend.location = "bottom_right"
    fig_scatter.xaxis.formatter = fig_scatter.yaxis.formatter = NumeralTickFormatter(format="0a")
    fig_scatter.xaxis.ticker = FixedTicker(ticks=LOG_TICKS)
    fig_scatter.yaxis.ticker = FixedTicker(ticks=LOG_TICKS)

    bars = ColumnDataSource({"category": [], "all": [], "selected": [], "all_text": [], "selected_text": []},
                            name="cohort_bars")
    fig_bars = figure(height=320, width=980, title=i18n.t("default_rate_by", lang), tools="tap,reset,save",
                      x_range=FactorRange(factors=[]), y_axis_label=i18n.t("default_rate", lang))
    fig_bars.vbar(x="category", top="all", width=0.8, source=bars, fill_color="#d9d9d9", line_color=GREY,
                  legend_label=i18n.t("all_clients", lang), nonselection_fill_alpha=0.5)
    fig_bars.vbar(x="category", top="selected", width=0.45, source=bars, fill_color=VERMILLION, fill_alpha=0.8,
                  hatch_pattern=HATCH, hatch_color="white", line_color=INK, legend_label=i18n.t("selection", lang))
    fig_bars.text(x="category", y="selected", text="selected_text", source=bars, text_align="center",
                  text_baseline="bottom", text_font_size=FONT, text_color=INK)
    fig_bars.select_one(TapTool).mode = "toggle"
    fig_bars.y_range.start = 0
    fig_bars.y_range.range_padding = 0.15
    fig_bars.legend.orientation = "horizontal"
    fig_bars.add_layout(fig_bars.legend[0], "above")

    def mask() -> np.ndarray:
        chosen = {k: w.value for k, w in segments.items()}
        m = np.ones(len(clients), dtype=bool)
        for key, value in chosen.items():
            if value:
                m &= (clients[FILTERS[key][0]] == value).to_numpy()
        if state["bins"] is not None:
            m &= np.isin(bin_of, state["bins"])
        if state["box"] is not None:
            x0, x1, y0, y1 = state["box"]
            inc, cred = clients["AMT_INCOME_TOTAL"].to_numpy(), clients["AMT_CREDIT"].to_numpy()
            m &= (inc >= x0) & (inc <= x1) & (cred >= y0) & (cred <= y1)
        if state["categories"] is not None:
            m &= clients[GROUP_BY[group_by.value]].isin(state["categories"]).to_numpy()
        return m

    def rates(codes: np.ndarray, n: int, m: np.ndarray) -> np.ndarray:
        """Observed default rate (%) of each category among the clients of mask m with a known outcome."""
        keep = m & known & (codes >= 0)
        defaults = np.bincount(codes[keep], weights=target[keep], minlength=n)
        counts = np.bincount(codes[keep], minlength=n)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(counts > 0, 100 * defaults / counts, np.nan)

    def update() -> None:
        state["busy"] = True
        try:
            m = mask()
            hist.data = {**hist.data, "selected": np.bincount(bin_of[m], minlength=HIST_BINS)}
            scatter.selected.indices = np.flatnonzero(m[portfolio.sample_]).tolist() if not m.all() else []
            column_name = GROUP_BY[group_by.value]
            col = clients[column_name]
            cats = [str(c) for c in col.cat.categories]
            codes = col.cat.codes.to_numpy()
            base, sel = rates(codes, len(cats), everyone), rates(codes, len(cats), m)
            names = _category_labels(cats, column_name, lang)
            state["codes"] = dict(zip(names, cats, strict=True))
            fig_bars.x_range.factors = names
            bars.data = {"category": names, "all": np.nan_to_num(base), "selected": np.nan_to_num(sel),
                         "all_text": [i18n.percent(v / 100, lang) for v in base],
                         "selected_text": [i18n.percent(v / 100, lang) for v in sel]}
            summary.text = summary_html(clients[m], lang)
        finally:
            state["busy"] = False

    def hist_selected(_attr, _old, new) -> None:
        if not state["busy"]:
            state["bins"] = sorted(new) or None
            update()

    def scatter_selected(_attr, _old, new) -> None:
        if state["busy"]:
            return
        if new:
            chosen = sample.iloc[new]
            state["box"] = (chosen["AMT_INCOME_TOTAL"].min(), chosen["AMT_INCOME_TOTAL"].max(),
                            chosen["AMT_CREDIT"].min(), chosen["AMT_CREDIT"].max())
        else:
            state["box"] = None
        update()

    def bars_selected(_attr, _old, new) -> None:
        if not state["busy"]:
            names = [bars.data["category"][i] for i in new]
            state["categories"] = [state["codes"][n] for n in names] or None
            update()

    def regroup(_attr, _old, _new) -> None:
        state["categories"] = None
        state["busy"] = True
        bars.selected.indices = []
        state["busy"] = False
        update()

    def clear() -> None:
        state.update(bins=None, box=None, categories=None, busy=True)
        for source in (hist, scatter, bars):
            source.selected.indices = []
        for widget in segments.values():
            widget.value = ""
        state["busy"] = False
        update()

    hist.selected.on_change("indices", hist_selected)
    scatter.selected.on_change("indices", scatter_selected)
    bars.selected.on_change("indices", bars_selected)
    for widget in segments.values():
        widget.on_change("value", lambda _attr, _old, _new: None if state["busy"] else update())
    group_by.on_change("value", regroup)
    reset.on_click(clear)
    update()
    help_text = Div(text=f"<p>{i18n.t('cohort_help', lang)}</p>", width=980, styles={"font-size": FONT}, stylesheets=[DIV_CSS])
    layout = column(row(*segments.values(), group_by, reset), help_text, summary, row(fig_hist, fig_scatter),
                    fig_bars)
    return Cohort(layout, segments, group_by, hist, scatter, bars, summary, state, mask)
