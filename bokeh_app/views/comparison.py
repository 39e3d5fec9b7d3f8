"""Comparison: where the client stands for one business feature among all clients and among similar clients."""
from __future__ import annotations

import html
from dataclasses import dataclass

import numpy as np
import pandas as pd
from bokeh.layouts import column, row
from bokeh.models import ColumnDataSource, Div, Range1d, Select, Span
from bokeh.plotting import figure

from bokeh_app.portfolio import NEIGHBOUR_FIELDS, Portfolio
from bokeh_app.views.formats import tick_formatter
from bokeh_app.views.style import (
    BLUE,
    DIV_CSS,
    GREY,
    HATCH,
    INK,
    VERMILLION,
    field_label,
    field_value,
)
from modeling.wording import catalogue, labels

BINS = 30  # bins over all clients
SIMILAR_BINS = 10  # a group of about 200 clients: fewer, wider bins, and no split by outcome (a few defaults)
_OWN_YEARS = ("AGE_YEARS", "YEARS_EMPLOYED")  # dashboard fields already in years


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


def axis_scale(name: str) -> tuple[float, str]:
    """Factor turning stored units into axis units, and the axis unit: years, days, percent or none."""
    if name in _OWN_YEARS:
        return 1.0, "years"
    unit = labels_unit(name)
    if unit in ("duration", "age"):
        return 1 / 365.25, "years"
    if unit == "share":
        return 100.0, "percent"
    return 1.0, "days" if unit == "days" else ""


def histograms(values: np.ndarray, target: np.ndarray, edges: np.ndarray) -> dict:
    """Share (%) of repaid and of defaulted clients in each bin (values outside are put in the end bins)."""
    clipped = np.clip(values, edges[0], edges[-1])
    out = {"left": edges[:-1], "right": edges[1:]}
    for key, flag in (("repaid", 0), ("defaulted", 1)):
        chosen = clipped[(target == flag) & np.isfinite(clipped)]
        counts, _ = np.histogram(chosen, bins=edges)
        out[key] = 100 * counts / max(len(chosen), 1)
    return out


def _axis(name: str, values: pd.Series) -> np.ndarray:
    """The values in axis units (durations counted back become positive years)."""
    factor, _ = axis_scale(name)
    return (values.abs() if factor < 1 else values).to_numpy(dtype=float) * factor


def bin_edges(values: np.ndarray, client_value: float | None, bins: int = BINS) -> np.ndarray:
    """Equal bins over the 1st-99th percentiles of the values, widened to show the client's value."""
    finite = values[np.isfinite(values)]
    lo, hi = (float(v) for v in np.quantile(finite, [0.02, 0.98])) if len(finite) else (0.0, 1.0)
    if client_value is not None and np.isfinite(client_value):
        lo, hi = min(lo, client_value), max(hi, client_value)
    if hi <= lo:
        lo, hi = lo - 0.5, hi + 0.5
    return np.linspace(lo, hi, bins + 1)


def group_histogram(values: np.ndarray, edges: np.ndarray) -> dict:
    """Share (%) of a small group in each bin, whatever the outcome: a handful of defaults has no distribution."""
    clipped = np.clip(values[np.isfinite(values)], edges[0], edges[-1])
    counts, _ = np.histogram(clipped, bins=edges)
    return {"left": edges[:-1], "right": edges[1:], "share": 100 * counts / max(len(clipped), 1)}


def _histogram_figure(title: str, source: ColumnDataSource, lang: str, by_outcome: bool = True):
    fig = figure(height=320, sizing_mode="stretch_width", title=title, toolbar_location=None, tools="",
                 y_axis_label=catalogue.t("share_clients", lang), x_range=Range1d(0, 1))
    if by_outcome:
        fig.quad(left="left", right="right", bottom=0, top="repaid", source=source, fill_color=BLUE, fill_alpha=0.45,
                 line_color=BLUE, legend_label=catalogue.t("repaid", lang))
        fig.quad(left="left", right="right", bottom=0, top="defaulted", source=source, fill_color=VERMILLION,
                 fill_alpha=0.15, line_color=VERMILLION, line_width=2, hatch_pattern=HATCH, hatch_color=VERMILLION,
                 hatch_alpha=0.6, legend_label=catalogue.t("defaulted", lang))
    else:
        fig.quad(left="left", right="right", bottom=0, top="share", source=source, fill_color=GREY, fill_alpha=0.45,
                 line_color=GREY, legend_label=catalogue.t("similar_legend", lang))
    marker = Span(location=0, dimension="height", line_color=INK, line_width=3, line_dash="dashed",
                  name="compare_marker")
    fig.add_layout(marker)
    fig.legend.location = "top_right"
    fig.legend.background_fill_alpha = 0.85
    fig.yaxis.formatter = tick_formatter(lang, "percent_points")
    fig.xaxis.formatter = tick_formatter(lang)
    return fig, marker


def similarity_fields(lang: str) -> str:
    """The fields that define "similar clients", in words: 'âge, revenu annuel, ...'."""
    return ", ".join(field_label(name, lang).lower() for name in NEIGHBOUR_FIELDS)


def axis_title(name: str, lang: str) -> str:
    """The feature's label with the unit of the axis when the ticks do not carry it."""
    unit = axis_scale(name)[1]
    label = field_label(name, lang)
    if unit == "years":
        return f"{label} ({catalogue.t('years', lang)})"
    if unit == "percent":
        return f"{label} (%)"
    if unit == "" and labels_unit(name) == "currency" and catalogue.currency():
        return f"{label} ({catalogue.currency()})"
    return label


def labels_unit(name: str) -> str:
    """The catalogue unit of a feature ('number' for the dashboard's own fields)."""
    try:
        return labels.unit(name)
    except KeyError:
        return "number"


def comparison(portfolio: Portfolio, lang: str) -> Comparison:
    """Feature picker and histograms, filled by show(client_id, reasons)."""
    options = [(name, field_label(name, lang)) for name in portfolio.comparable()]
    select = Select(title=catalogue.t("feature", lang), options=options, value=options[0][0], sizing_mode="stretch_width",
                    name="compare_select")
    empty = {"left": [], "right": [], "repaid": [], "defaulted": []}
    all_source = ColumnDataSource(dict(empty), name="compare_all")
    similar_source = ColumnDataSource({"left": [], "right": [], "share": []}, name="compare_similar")
    titles = (catalogue.t("all_clients", lang), catalogue.t("similar_clients", lang, k=portfolio.n_neighbours))
    fig_all, span_all = _histogram_figure(titles[0], all_source, lang)
    fig_sim, span_sim = _histogram_figure(titles[1], similar_source, lang, by_outcome=False)
    rate = Div(text="", sizing_mode="stretch_width", styles={"font-size": "15px"}, name="similar_rate",
               stylesheets=[DIV_CSS])
    target = portfolio.memo(("target",), lambda: pd.to_numeric(portfolio.clients["TARGET"], errors="coerce").to_numpy())
    state: dict = {"client": None, "similar": None}

    def draw() -> None:
        client_id, name = state["client"], select.value
        if client_id is None:
            return
        values = portfolio.values(name)
        scaled = portfolio.memo(("axis", name), lambda: _axis(name, values))
        position = portfolio.clients.index.get_loc(client_id)
        mine = scaled[position]
        edges = bin_edges(scaled, mine)
        key = ("histogram", name, float(edges[0]), float(edges[-1]))
        all_source.data = portfolio.memo(key, lambda: histograms(scaled, target, edges))
        near = portfolio.clients.index.get_indexer(state["similar"])
        near_edges = bin_edges(scaled[near], mine, SIMILAR_BINS)  # the group on its own range
        similar_source.data = group_histogram(scaled[near], near_edges)
        for fig, bins in ((fig_all, edges), (fig_sim, near_edges)):
            fig.x_range.start, fig.x_range.end = float(bins[0]), float(bins[-1])
            fig.xaxis.axis_label = axis_title(name, lang)  # the unit is in the title: one tick formatter for all
        shown = field_value(name, values.iloc[position], lang)
        text = catalogue.t("this_client", lang, v=shown) if np.isfinite(mine) else catalogue.t("no_value", lang)
        for fig, span, title in ((fig_all, span_all, titles[0]), (fig_sim, span_sim, titles[1])):
            span.location = float(mine) if np.isfinite(mine) else None
            span.visible = bool(np.isfinite(mine))
            fig.title.text = f"{title} · {text}"

    def show(client_id: int, reasons) -> None:
        state["client"], state["similar"] = client_id, portfolio.similar(client_id)
        near_target = target[portfolio.clients.index.get_indexer(state["similar"])]
        known = near_target[np.isfinite(near_target)]
        rate.text = "<p>" + html.escape(catalogue.t(
            "similar_rate", lang, k=catalogue.number(len(state["similar"]), lang), fields=similarity_fields(lang),
            r=catalogue.percent(known.mean() if len(known) else None, lang),
            a=catalogue.percent(np.nanmean(target) if np.isfinite(target).any() else None, lang))) + "</p>"
        offered = {name for name, _ in options}
        first = next((r.feature for r in sorted(reasons, key=lambda r: -abs(r.contribution))
                      if r.feature in offered), None)
        if first and first != select.value:
            select.value = first  # triggers draw()
        else:
            draw()

    select.on_change("value", lambda _attr, _old, _new: draw())
    layout = column(select, row(fig_all, fig_sim, sizing_mode="stretch_width"), rate, sizing_mode="stretch_width")
    return Comparison(layout, select, all_source, similar_source, [span_all, span_sim], rate, show)
