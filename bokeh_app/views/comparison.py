"""Comparison: where the client stands for one feature among all clients and among similar clients."""
from __future__ import annotations

import html
from dataclasses import dataclass

import numpy as np
import pandas as pd
from bokeh.layouts import column, row
from bokeh.models import ColumnDataSource, Div, Range1d, Select, Span
from bokeh.plotting import figure

from bokeh_app import i18n
from bokeh_app.portfolio import Portfolio
from bokeh_app.views.style import (
    BLUE,
    DIV_CSS,
    HATCH,
    INK,
    VERMILLION,
    field_label,
    field_value,
)
from modeling import labels

BINS = 30


@dataclass
class Comparison:
    """Feature picker, the two histograms, their sources and the similar group's default rate."""

    layout: object
    select: Select
    all_source: ColumnDataSource
    similar_source: ColumnDataSource
    markers: list
    rate: Div
    show: object  # (client_id, reasons) -> None


def axis_scale(name: str, values: pd.Series) -> tuple[float, str]:
    """Factor turning model units into axis units, and the unit word: days counted back become years."""
    try:
        unit = labels.unit(name)
    except KeyError:
        unit = "number"
    if unit == "days":
        return (1 / 365.25, "years") if values.abs().median() >= 365 else (1.0, "days")
    return 1.0, ""


def histograms(values: np.ndarray, target: np.ndarray, edges: np.ndarray) -> dict:
    """Share (%) of repaid and of defaulted clients in each bin (values outside are put in the end bins)."""
    clipped = np.clip(values, edges[0], edges[-1])
    out = {"left": edges[:-1], "right": edges[1:]}
    for key, flag in (("repaid", 0), ("defaulted", 1)):
        chosen = clipped[(target == flag) & np.isfinite(clipped)]
        counts, _ = np.histogram(chosen, bins=edges)
        out[key] = 100 * counts / max(len(chosen), 1)
    return out


def _axis(name: str, values: pd.Series) -> tuple[float, str, np.ndarray, tuple[float, float]]:
    """Axis factor and unit, the values in axis units and their 1st-99th percentile span."""
    factor, unit = axis_scale(name, values)
    scaled = (values.abs() if factor != 1.0 else values).to_numpy(dtype=float) * factor
    finite = scaled[np.isfinite(scaled)]
    span = tuple(np.quantile(finite, [0.01, 0.99])) if len(finite) else (0.0, 1.0)
    return factor, unit, scaled, span


def bin_edges(span: tuple[float, float], client_value: float | None) -> np.ndarray:
    """BINS equal bins over the 1st-99th percentiles of all clients, widened to show the client's value."""
    lo, hi = span
    if client_value is not None and np.isfinite(client_value):
        lo, hi = min(lo, client_value), max(hi, client_value)
    if hi <= lo:
        lo, hi = lo - 0.5, hi + 0.5
    return np.linspace(lo, hi, BINS + 1)


def _histogram_figure(title: str, source: ColumnDataSource, lang: str, x_range=None):
    fig = figure(height=300, width=560, title=title, toolbar_location=None, tools="",
                 y_axis_label=i18n.t("share_clients", lang), x_range=x_range or Range1d(0, 1))
    fig.quad(left="left", right="right", bottom=0, top="repaid", source=source, fill_color=BLUE, fill_alpha=0.45,
             line_color=BLUE, legend_label=i18n.t("repaid", lang))
    fig.quad(left="left", right="right", bottom=0, top="defaulted", source=source, fill_color=VERMILLION,
             fill_alpha=0.15, line_color=VERMILLION, line_width=2, hatch_pattern=HATCH, hatch_color=VERMILLION,
             hatch_alpha=0.6, legend_label=i18n.t("defaulted", lang))
    marker = Span(location=0, dimension="height", line_color=INK, line_width=3, line_dash="dashed",
                  name="compare_marker")
    fig.add_layout(marker)
    fig.legend.location = "top_right"
    fig.legend.background_fill_alpha = 0.85
    return fig, marker


def comparison(portfolio: Portfolio, lang: str) -> Comparison:
    """Feature picker and histograms, filled by show(client_id, reasons)."""
    options = [(name, field_label(name, lang)) for name in portfolio.comparable()]
    select = Select(title=i18n.t("feature", lang), options=options, value=options[0][0], width=420,
                    name="compare_select")
    empty = {"left": [], "right": [], "repaid": [], "defaulted": []}
    all_source = ColumnDataSource(dict(empty), name="compare_all")
    similar_source = ColumnDataSource(dict(empty), name="compare_similar")
    titles = (i18n.t("all_clients", lang), i18n.t("similar_clients", lang, k=portfolio.n_neighbours))
    fig_all, span_all = _histogram_figure(titles[0], all_source, lang)
    fig_sim, span_sim = _histogram_figure(titles[1], similar_source, lang, fig_all.x_range)
    rate = Div(text="", width=900, styles={"font-size": "15px"}, name="similar_rate", stylesheets=[DIV_CSS])
    target = portfolio.memo(("target",), lambda: pd.to_numeric(portfolio.clients["TARGET"], errors="coerce").to_numpy())
    state: dict = {"client": None, "similar": None}

    def draw() -> None:
        client_id, name = state["client"], select.value
        if client_id is None:
            return
        values = portfolio.values(name)
        factor, unit, scaled, span = portfolio.memo(("axis", name), lambda: _axis(name, values))
        position = portfolio.clients.index.get_loc(client_id)
        mine = scaled[position]
        edges = bin_edges(span, mine)
        key = ("histogram", name, float(edges[0]), float(edges[-1]))
        all_source.data = portfolio.memo(key, lambda: histograms(scaled, target, edges))
        near = portfolio.clients.index.get_indexer(state["similar"])
        similar_source.data = histograms(scaled[near], target[near], edges)
        fig_all.x_range.start, fig_all.x_range.end = float(edges[0]), float(edges[-1])
        fig_all.xaxis.axis_label = fig_sim.xaxis.axis_label = field_label(name, lang) + (
            f" ({i18n.t('years', lang)})" if unit == "years" else "")
        shown = field_value(name, values.iloc[position], lang)
        text = i18n.t("this_client", lang, v=shown) if np.isfinite(mine) else i18n.t("no_value", lang)
        for fig, span, title in ((fig_all, span_all, titles[0]), (fig_sim, span_sim, titles[1])):
            span.location = float(mine) if np.isfinite(mine) else None
            span.visible = bool(np.isfinite(mine))
            fig.title.text = f"{title} · {text}"

    def show(client_id: int, reasons) -> None:
        state["client"], state["similar"] = client_id, portfolio.similar(client_id)
        near_target = target[portfolio.clients.index.get_indexer(state["similar"])]
        known = near_target[np.isfinite(near_target)]
        rate.text = "<p>" + html.escape(i18n.t(
            "similar_rate", lang, k=len(state["similar"]),
            r=i18n.percent(known.mean() if len(known) else None, lang),
            a=i18n.percent(np.nanmean(target) if np.isfinite(target).any() else None, lang))) + "</p>"
        offered = {name for name, _ in options}
        first = next((r.feature for r in sorted(reasons, key=lambda r: -abs(r.contribution))
                      if r.feature in offered), None)
        if first and first != select.value:
            select.value = first  # triggers draw()
        else:
            draw()

    select.on_change("value", lambda _attr, _old, _new: draw())
    layout = column(select, row(fig_all, fig_sim), rate)
    return Comparison(layout, select, all_source, similar_source, [span_all, span_sim], rate, show)
