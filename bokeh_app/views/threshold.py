"""Threshold view (read-only): expected cost against the threshold for chosen error costs, from modeling.serving.threshold."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from bokeh.layouts import column, row
from bokeh.models import ColumnDataSource, Div, Range1d, Slider
from bokeh.plotting import figure

from bokeh_app.portfolio import Portfolio
from bokeh_app.views.fairness import fairness_panel
from bokeh_app.views.formats import tick_formatter, titled
from bokeh_app.views.style import BLUE, DIV_CSS, FONT, GREY, INK, VERMILLION
from modeling.serving.threshold import CostMatrix, best_cost_threshold, threshold_table
from modeling.wording import catalogue

CURVE_POINTS = 400


@dataclass
class ThresholdView:
    """Sliders, the cost curve and the confusion matrix at the examined threshold."""

    layout: object
    cost_fn: Slider
    cost_fp: Slider
    chosen: Slider
    curve: ColumnDataSource
    marks: ColumnDataSource
    details: Div
    update: object


def cost_matrix(base: CostMatrix, fn: float, fp: float) -> CostMatrix:
    """The model's cost matrix with the slider values (FN/FP in unit mode, LGD/margin in money mode)."""
    if base.mode == "money":
        return CostMatrix(mode="money", lgd=fn, margin=fp)
    return CostMatrix(fn=fn, fp=fp)


def curve_rows(table, points: int = CURVE_POINTS):
    """At most `points` rows of a threshold table, evenly spread over the thresholds (ends kept)."""
    if len(table) <= points:
        return table
    grid = np.linspace(table["threshold"].iloc[0], table["threshold"].iloc[-1], points)
    idx = np.unique(np.clip(np.searchsorted(table["threshold"].to_numpy(), grid), 0, len(table) - 1))
    return table.iloc[idx]


def threshold_view(portfolio: Portfolio, lang: str) -> ThresholdView:
    """Cost sliders and a threshold slider over the model's out-of-fold predictions."""
    oof = portfolio.oof
    y, p = oof["TARGET"].to_numpy(dtype=int), oof["PROBABILITY"].to_numpy(dtype=float)
    amounts = oof["AMT_CREDIT"].to_numpy(dtype=float)
    distinct = np.unique(p)
    base = portfolio.cost
    money = base.mode == "money"
    fn_title, fp_title = catalogue.t("cost_lgd" if money else "cost_fn", lang), catalogue.t("cost_margin" if money else "cost_fp", lang)
    chosen_title = catalogue.t("chosen_threshold", lang)
    cost_fn = Slider(start=0.05 if money else 1,
                     end=1 if money else 50, step=0.05 if money else 0.5,
                     value=base.lgd if money else base.fn, width=420, name="cost_fn",
                     format=tick_formatter(lang, "number", 2 if money else 1))
    cost_fp = Slider(start=0.01 if money else 0.5,
                     end=0.5 if money else 10, step=0.01 if money else 0.5,
                     value=base.margin if money else base.fp, width=420, name="cost_fp",
                     format=tick_formatter(lang, "number", 2 if money else 1))
    top = float(min(1.0, max(np.quantile(p, 0.995) if len(p) else 1.0, 2 * portfolio.threshold)))
    chosen = Slider(start=0, end=round(100 * top, 1), step=0.1,
                    value=round(100 * portfolio.threshold, 1), width=420, name="threshold_chosen",
                    format=tick_formatter(lang, "percent_points", 1))
    curve = ColumnDataSource({"threshold": [], "cost": []}, name="cost_curve")
    marks = ColumnDataSource({"x": [], "y0": [], "y1": [], "name": [], "dash": [], "colour": [], "y_text": []},
                             name="threshold_marks")
    fig = figure(height=560, sizing_mode="stretch_width", title=catalogue.t("cost_curve", lang), tools="pan,wheel_zoom,box_zoom,reset,save",
                 x_axis_label=catalogue.t("threshold", lang), y_axis_label=catalogue.t("expected_cost", lang),
                 x_range=Range1d(0, top), y_range=Range1d(0, 1))
    fig.line(x="threshold", y="cost", source=curve, line_color=INK, line_width=3,
             legend_label=catalogue.t("expected_cost", lang))
    fig.segment(x0="x", x1="x", y0="y0", y1="y1", source=marks, line_color="colour", line_dash="dash",
                line_width=3, legend_field="name")
    # each line carries its own label at a different height, so that lines close together stay apart
    fig.text(x="x", y="y_text", text="name", source=marks, text_color="colour", text_font_size=FONT,
             text_font_style="bold", x_offset=6, text_baseline="middle", background_fill_color="white",
             background_fill_alpha=0.85)
    fig.add_layout(fig.legend[0], "below")
    fig.legend.orientation = "horizontal"
    fig.xaxis.formatter = tick_formatter(lang, "percent")
    fig.yaxis.formatter = tick_formatter(lang)
    details = Div(text="", width=420, styles={"font-size": "15px"}, name="threshold_details", stylesheets=[DIV_CSS])
    source = catalogue.t("oof_source" if portfolio.oof_kind == "out-of-fold" else "in_sample", lang)
    help_text = Div(text=f"<p>{catalogue.t('threshold_help', lang, n=catalogue.number(len(y), lang), source=source)}</p>",
                    sizing_mode="stretch_width", styles={"font-size": FONT}, stylesheets=[DIV_CSS])

    def update() -> None:
        cost = cost_matrix(base, cost_fn.value, cost_fp.value)
        table = threshold_table(y, p, cost, amounts)
        best = best_cost_threshold(y, p, cost, amounts, table=table)
        t = chosen.value / 100
        at = table.iloc[int(np.searchsorted(distinct, t, side="left"))]
        shown = curve_rows(table)
        curve.data = {"threshold": shown["threshold"].to_numpy(), "cost": shown["cost_per_client"].to_numpy()}
        visible = shown[shown["threshold"] <= top]["cost_per_client"]
        high = float(visible.max()) if len(visible) else 1.0
        fig.y_range.end = high * 1.08
        lines = [
            (portfolio.threshold, catalogue.t("business_threshold", lang, t=catalogue.percent(portfolio.threshold, lang)),
             "solid", VERMILLION),
            (portfolio.f1_threshold, catalogue.t("f1_threshold", lang, t=catalogue.percent(portfolio.f1_threshold, lang)),
             "dotted", GREY),
            (best.threshold, catalogue.t("optimum", lang, t=catalogue.percent(best.threshold, lang)), "dashdot", BLUE),
            (t, catalogue.t("examined", lang, t=catalogue.percent(t, lang)), "dashed", INK),
        ]
        lines = [line for line in lines if line[0] is not None]
        marks.data = {"x": [x for x, *_ in lines], "y0": [0] * len(lines), "y1": [high * 1.08] * len(lines),
                      "name": [n for _, n, *_ in lines], "dash": [d for *_, d, _ in lines],
                      "colour": [c for *_, c in lines], "y_text": [high * (1.02 - 0.09 * i) for i in range(len(lines))]}
        digits = 2 if base.mode == "unit" else 0
        details.text = catalogue.t(
            "confusion", lang, tn=catalogue.number(at["tn"], lang), fn=catalogue.number(at["fn"], lang),
            fp=catalogue.number(at["fp"], lang), tp=catalogue.number(at["tp"], lang), t=catalogue.percent(t, lang),
            a=catalogue.percent(at["approval_rate"], lang), c=catalogue.number(at["cost_per_client"], lang, digits),
            o=catalogue.percent(best.threshold, lang), grant=catalogue.decision_word("grant", lang),
            refuse=catalogue.decision_word("refuse", lang))

    for slider in (cost_fn, cost_fp, chosen):
        slider.on_change("value_throttled", lambda _attr, _old, _new: update())
    update()
    digits = 2 if money else 1
    sliders = [titled(cost_fn, lambda v: catalogue.t("slider_value", lang, title=fn_title, v=catalogue.number(v, lang, digits))),
               titled(cost_fp, lambda v: catalogue.t("slider_value", lang, title=fp_title, v=catalogue.number(v, lang, digits))),
               titled(chosen, lambda v: catalogue.t("slider_value", lang, title=chosen_title,
                                                    v=catalogue.percent(v / 100, lang)), "threshold_chosen_title")]
    layout = column(help_text, row(column(*sliders, details), fig, sizing_mode="stretch_width"),
                    fairness_panel(portfolio.card, lang), sizing_mode="stretch_width")
    return ThresholdView(layout, cost_fn, cost_fp, chosen, curve, marks, details, update)
