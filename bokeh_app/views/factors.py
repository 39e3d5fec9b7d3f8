"""Explanation of a score: bar chart of the main factors for and against, and the model's plain sentences."""
from __future__ import annotations

import html
from dataclasses import dataclass

from bokeh.models import ColumnDataSource, Div, FactorRange, Range1d, Span
from bokeh.plotting import figure

from bokeh_app.views.style import BLUE, DIV_CSS, FONT, HATCH, INK, VERMILLION
from modeling.wording import catalogue

MAX_FACTORS = 8


@dataclass
class Factors:
    """Bar chart, its source and the list of sentences."""

    figure: object
    source: ColumnDataSource
    sentences: Div
    show: object  # (result) -> None


def factor_data(reasons, lang: str) -> dict:
    """One bar per reason, strongest at the top; sign, arrow and hatching say the direction, not colour alone."""
    reasons = sorted(reasons, key=lambda r: abs(r.contribution), reverse=True)[:MAX_FACTORS][::-1]
    raises = [r.direction == "raises" for r in reasons]
    names = [f"{getattr(r, 'group_label', None) or r.label} ({r.display_value})" for r in reasons]
    return {
        "name": names,
        "feature": [r.feature for r in reasons],
        "contribution": [float(r.contribution) for r in reasons],
        "colour": [VERMILLION if up else BLUE for up in raises],
        "hatch": [HATCH if up else " " for up in raises],
        "direction": [catalogue.t("raises" if up else "lowers", lang) for up in raises],
        "text": ["▲" if up else "▼" for up in raises],  # the bar's length says how much: no log-odds figure
        "align": ["left" if up else "right" for up in raises],
        "offset": [5 if up else -5 for up in raises],
    }


def sentences_html(reasons, lang: str) -> str:
    """The model's sentences, the strongest first, each with its direction arrow."""
    reasons = sorted(reasons, key=lambda r: abs(r.contribution), reverse=True)
    items = "".join(
        f"<li class='{r.direction}'><span aria-hidden='true'>{'▲' if r.direction == 'raises' else '▼'}</span> "
        f"{html.escape(r.sentence)}</li>" for r in reasons)
    return f"<ul class='reasons'>{items}</ul>"


def factors(lang: str) -> Factors:
    """Empty chart filled by show(result)."""
    source = ColumnDataSource(factor_data([], lang), name="factor_source")
    fig = figure(y_range=FactorRange(factors=[]), x_range=Range1d(-1, 1), height=360, width=780, toolbar_location=None, tools="",
                 title=catalogue.t("factors", lang), x_axis_label=catalogue.t("contribution", lang))
    fig.hbar(y="name", right="contribution", left=0, height=0.7, source=source, fill_color="colour",
             line_color=INK, hatch_pattern="hatch", hatch_color="white", hatch_alpha=0.8,
             legend_field="direction")
    fig.text(x="contribution", y="name", text="text", source=source, text_align="align",
             text_baseline="middle", text_font_size=FONT, text_color=INK, x_offset="offset", text_font_style="bold")
    fig.add_layout(Span(location=0, dimension="height", line_color=INK, line_width=1))
    fig.legend.orientation = "horizontal"
    fig.add_layout(fig.legend[0], "above")
    fig.ygrid.visible = False
    fig.xaxis.major_label_text_font_size = "0px"  # the axis title says which way is which; its units are technical
    fig.xaxis.major_tick_line_color = None
    fig.xgrid.visible = False
    sentences = Div(text="", width=780, styles={"font-size": "15px"}, name="sentences", stylesheets=[DIV_CSS])

    def show(result) -> None:
        data = factor_data(result.reasons, lang)
        span = max([abs(c) for c in data["contribution"]] + [0.1])
        fig.x_range.start, fig.x_range.end = -1.35 * span, 1.35 * span
        fig.y_range.factors = data["name"]
        source.data = data
        sentences.text = sentences_html(result.reasons, lang)

    return Factors(fig, source, sentences, show)
