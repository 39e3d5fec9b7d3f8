"""The selected client: identity card in human units, a score gauge against the threshold and the bank's final
decision (modeling.serving.decision) with who took it, the model's proposal next to it."""
from __future__ import annotations

import html
from dataclasses import dataclass

import pandas as pd
from bokeh.models import ColumnDataSource, Div, Range1d
from bokeh.plotting import figure

from bokeh_app.views.formats import tick_formatter
from bokeh_app.views.style import (
    DIV_CSS,
    FONT,
    HATCH,
    INK,
    LIGHT_BLUE,
    LIGHT_VERMILLION,
    VERMILLION,
    decision_word,
    field_label,
    field_value,
)
from modeling.serving.decision import FinalDecision, decided_by_sentence, model_proposal_sentence
from modeling.wording import catalogue


@dataclass
class ClientCard:
    """Identity card, gauge figure and the sentence under it."""

    identity: Div
    gauge: object
    gauge_source: ColumnDataSource
    zones: ColumnDataSource
    verdict: Div
    show: object  # (client_id, row, result) -> None: identity and gauge
    decide: object  # (result, final) -> None: the final decision under the gauge


#: The card's rows: (label key or field, kind); "field" rows take their label and format from the catalogue.
CARD_ROWS = (("client_id", "id"), ("AGE_YEARS", "field"), ("CODE_GENDER", "category"), ("NAME_FAMILY_STATUS", "category"),
             ("CNT_CHILDREN", "field"), ("OCCUPATION_TYPE", "category"), ("NAME_INCOME_TYPE", "category"),
             ("YEARS_EMPLOYED", "field"), ("NAME_EDUCATION_TYPE", "category"), ("NAME_HOUSING_TYPE", "category"),
             ("FLAG_OWN_REALTY", "flag"), ("FLAG_OWN_CAR", "flag"), ("AMT_INCOME_TOTAL", "field"),
             ("NAME_CONTRACT_TYPE", "category"), ("AMT_CREDIT", "field"), ("AMT_ANNUITY", "field"),
             ("AMT_GOODS_PRICE", "field"), ("TARGET", "outcome"))
#: Words of the category rows (the catalogue's dashboard texts).
_CATEGORY_TITLES = {"CODE_GENDER": "gender", "NAME_FAMILY_STATUS": "family", "OCCUPATION_TYPE": "occupation",
                    "NAME_INCOME_TYPE": "income_type", "NAME_EDUCATION_TYPE": "education", "NAME_HOUSING_TYPE": "housing",
                    "FLAG_OWN_REALTY": "own_realty", "FLAG_OWN_CAR": "own_car", "NAME_CONTRACT_TYPE": "contract",
                    "TARGET": "outcome", "client_id": "client_id"}


def identity_html(client_id: int, row: pd.Series, lang: str) -> str:
    """An HTML definition list of the client's descriptive fields with the catalogue's labels and units."""
    t = lambda key: catalogue.t(key, lang)  # noqa: E731
    items = []
    for name, kind in CARD_ROWS:
        if kind == "field":
            items.append((field_label(name, lang), field_value(name, row[name], lang)))
            continue
        value = row.get(name)
        if kind == "id":
            shown = str(client_id)
        elif kind == "category":
            shown = catalogue.category(value, lang)
        elif kind == "flag":
            shown = t("unknown") if pd.isna(value) else t("yes" if value in ("Y", 1, "1") else "no")
        else:
            shown = t("unknown") if pd.isna(value) else t("defaulted" if value == 1 else "repaid")
        items.append((t(_CATEGORY_TITLES[name]), shown))
    cells = "".join(f"<dt>{html.escape(k)}</dt><dd>{html.escape(str(v))}</dd>" for k, v in items)
    return f"<h2>{html.escape(t('identity'))}</h2><dl class='card'>{cells}</dl>"


def verdict_html(result, final: FinalDecision, lang: str) -> str:
    """The final decision and who took it, the model's probability, points and grade, and one plain sentence."""
    p, thr = catalogue.percent(result.probability, lang), catalogue.percent(result.threshold, lang)
    figures = (f"{catalogue.t('probability', lang)} <b>{p}</b> · {catalogue.t('points', lang)} "
               f"<b>{catalogue.number(result.points, lang)}</b> · {catalogue.t('grade', lang)} "
               f"<b>{html.escape(str(result.grade))}</b>")
    decision = f"<span class='decision'>{html.escape(decision_word(final.decision, lang))}</span>"
    who = f"<p class='decided-by'>{html.escape(decided_by_sentence(final, lang))}</p>"
    if final.reviewed:  # the advisor's decision first; the model's proposal and figures under it
        sentence = catalogue.t(f"gauge_sentence_model_{result.decision}", lang, p=p, t=thr)
        top = (f"<p class='verdict {final.decision}'>{decision}</p>{who}"
               f"<p class='model'>{html.escape(model_proposal_sentence(final, lang))} {figures}</p>")
    else:
        sentence = catalogue.t(f"gauge_sentence_{result.decision}", lang, p=p, t=thr)
        top = f"<p class='verdict {final.decision}'>{decision} · {figures}</p>{who}"
    return f"{top}<p class='sentence'>{html.escape(sentence)}</p>"


def gauge_end(probability: float, threshold: float) -> float:
    """Right end of the gauge: room for the threshold and the client, at most 100 %."""
    return min(1.0, max(3 * threshold, 1.25 * probability, 0.1))


def zone_label_x(end: float) -> list[float]:
    """Where the zone names are written: "granted" from the gauge's left edge, "refused" up to its right edge
    (inside their zones, and apart whatever the threshold: both at the threshold ran into each other)."""
    return [end * 0.01, end * 0.99]


def label_align(p: float, end: float) -> str:
    """Where the client's value is written against the marker: never cut by the gauge's edges."""
    if p < 0.08 * end:
        return "left"
    return "right" if p > 0.92 * end else "center"


def client_card(lang: str, threshold: float) -> ClientCard:
    """Card and gauge split at the model's threshold, filled by show(client_id, row, result) then
    decide(result, final)."""
    identity = Div(text=f"<p>{catalogue.t('no_client', lang)}</p>", width=340, styles={"font-size": FONT},
                   name="identity", stylesheets=[DIV_CSS])
    end = gauge_end(0.0, threshold)
    zones = ColumnDataSource({"left": [0.0, threshold], "right": [threshold, end], "fill": [LIGHT_BLUE, LIGHT_VERMILLION],
                              "hatch": [" ", HATCH], "x": zone_label_x(end), "align": ["left", "right"],
                              "text": [catalogue.decision_label("grant", lang), catalogue.decision_label("refuse", lang)]},
                             name="gauge_zones")
    src = ColumnDataSource({"p": [], "label": [], "align": [], "threshold": [], "tlabel": []}, name="gauge_source")
    gauge = figure(height=200, width=700, x_range=Range1d(0, end), y_range=Range1d(0, 1), toolbar_location=None,
                   title=catalogue.t("probability", lang), tools="")
    # bar 0.35-0.65; zone names above it, the client's value just above, the threshold's below
    gauge.quad(left="left", right="right", bottom=0.35, top=0.65, fill_color="fill", hatch_pattern="hatch",
               hatch_color=VERMILLION, hatch_alpha=0.35, line_color=None, source=zones)
    gauge.text(x="x", y=0.98, text="text", source=zones, text_font_size=FONT, text_color=INK,
               text_align="align", text_baseline="top")
    gauge.segment(x0="threshold", x1="threshold", y0=0.3, y1=0.7, source=src, line_color=INK, line_width=3,
                  line_dash="dashed")
    gauge.text(x="threshold", y=0.28, text="tlabel", source=src, text_font_size=FONT, text_color=INK,
               text_align="center", text_baseline="top")
    gauge.scatter(x="p", y=0.5, marker="inverted_triangle", size=24, source=src, fill_color=INK, line_color="white")
    gauge.text(x="p", y=0.67, text="label", source=src, text_font_size="16px", text_font_style="bold",
               text_color=INK, text_align="align", text_baseline="bottom")
    gauge.yaxis.visible = False
    gauge.ygrid.visible = False
    gauge.xaxis.formatter = tick_formatter(lang, "percent")
    gauge.xaxis.axis_label = catalogue.t("probability", lang)
    verdict = Div(text="", width=700, styles={"font-size": "16px"}, name="verdict", stylesheets=[DIV_CSS])

    def show(client_id: int, row: pd.Series, result) -> None:
        identity.text = identity_html(client_id, row, lang)
        end = gauge_end(result.probability, result.threshold)
        gauge.x_range.end = end
        zones.data = {**zones.data, "left": [0.0, result.threshold], "right": [result.threshold, end],
                      "x": zone_label_x(end)}
        src.data = {"p": [result.probability], "label": [catalogue.percent(result.probability, lang)],
                    "align": [label_align(result.probability, end)], "threshold": [result.threshold],
                    "tlabel": [f"{catalogue.t('threshold', lang)} {catalogue.percent(result.threshold, lang)}"]}

    def decide(result, final: FinalDecision) -> None:
        verdict.text = verdict_html(result, final, lang)

    return ClientCard(identity, gauge, src, zones, verdict, show, decide)
