"""The selected client: identity card in human units and a score gauge against the threshold."""
from __future__ import annotations

import html
from dataclasses import dataclass

import pandas as pd
from bokeh.models import ColumnDataSource, Div, NumeralTickFormatter, Range1d
from bokeh.plotting import figure

from bokeh_app import i18n
from bokeh_app.views.style import (
    DIV_CSS,
    FONT,
    HATCH,
    INK,
    LIGHT_BLUE,
    LIGHT_VERMILLION,
    VERMILLION,
    decision_word,
)


@dataclass
class ClientCard:
    """Identity card, gauge figure and the sentence under it."""

    identity: Div
    gauge: object
    gauge_source: ColumnDataSource
    zones: ColumnDataSource
    verdict: Div
    show: object  # (client_id, row, result) -> None


def identity_html(client_id: int, row: pd.Series, lang: str) -> str:
    """An HTML definition list of the client's descriptive fields with human labels and units."""
    t = lambda key: i18n.t(key, lang)  # noqa: E731
    target = row.get("TARGET")
    outcome = t("unknown") if pd.isna(target) else t("defaulted" if target == 1 else "repaid")
    yes_no = lambda v: t("unknown") if pd.isna(v) else t("yes" if v in ("Y", 1, "1") else "no")  # noqa: E731
    items = [
        (t("client_id"), str(client_id)),
        (t("age"), f"{i18n.number(int(row['AGE_YEARS']), lang, 0)} {t('years')}" if pd.notna(row["AGE_YEARS"]) else "—"),  # completed years, as in the table
        (t("gender"), i18n.category(row["CODE_GENDER"], lang)),
        (t("family"), i18n.category(row["NAME_FAMILY_STATUS"], lang)),
        (t("children"), i18n.number(row["CNT_CHILDREN"], lang)),
        (t("occupation"), i18n.category(row["OCCUPATION_TYPE"], lang)),
        (t("income_type"), i18n.category(row["NAME_INCOME_TYPE"], lang)),
        (t("employed"), f"{i18n.number(row['YEARS_EMPLOYED'], lang, 1)} {t('years')}"
         if pd.notna(row["YEARS_EMPLOYED"]) else "—"),
        (t("education"), i18n.category(row["NAME_EDUCATION_TYPE"], lang)),
        (t("housing"), i18n.category(row["NAME_HOUSING_TYPE"], lang)),
        (t("own_realty"), yes_no(row["FLAG_OWN_REALTY"])),
        (t("own_car"), yes_no(row["FLAG_OWN_CAR"])),
        (t("income"), i18n.money(row["AMT_INCOME_TOTAL"], lang)),
        (t("contract"), i18n.category(row["NAME_CONTRACT_TYPE"], lang)),
        (t("credit"), i18n.money(row["AMT_CREDIT"], lang)),
        (t("annuity"), i18n.money(row["AMT_ANNUITY"], lang)),
        (t("goods"), i18n.money(row["AMT_GOODS_PRICE"], lang)),
        (t("outcome"), outcome),
    ]
    cells = "".join(f"<dt>{html.escape(k)}</dt><dd>{html.escape(str(v))}</dd>" for k, v in items)
    return f"<h2>{html.escape(t('identity'))}</h2><dl class='card'>{cells}</dl>"


def verdict_html(result, lang: str) -> str:
    """Decision, probability, points and grade, then one plain sentence saying what it means."""
    p, thr = i18n.percent(result.probability, lang), i18n.percent(result.threshold, lang)
    sentence = i18n.t(f"gauge_sentence_{result.decision}", lang, p=p, t=thr)
    css = "grant" if result.decision == "grant" else "refuse"
    return (f"<p class='verdict {css}'><span class='decision'>{html.escape(decision_word(result.decision, lang))}"
            f"</span> · {i18n.t('probability', lang)} <b>{p}</b> · {i18n.t('points', lang)} "
            f"<b>{i18n.number(result.points, lang)}</b> · {i18n.t('grade', lang)} <b>{html.escape(str(result.grade))}</b></p>"
            f"<p class='sentence'>{html.escape(sentence)}</p>")


def gauge_end(probability: float, threshold: float) -> float:
    """Right end of the gauge: room for the threshold and the client, at most 100 %."""
    return min(1.0, max(3 * threshold, 1.25 * probability, 0.1))


def client_card(lang: str) -> ClientCard:
    """Empty card and gauge, filled by show(client_id, row, result)."""
    identity = Div(text=f"<p>{i18n.t('no_client', lang)}</p>", width=340, styles={"font-size": FONT},
                   name="identity", stylesheets=[DIV_CSS])
    zones = ColumnDataSource({"left": [0.0, 0.5], "right": [0.5, 1.0], "fill": [LIGHT_BLUE, LIGHT_VERMILLION],
                              "hatch": [" ", HATCH], "text": [i18n.t("grant", lang), i18n.t("refuse", lang)],
                              "x": [0.01, 0.51]})
    src = ColumnDataSource({"p": [], "label": [], "threshold": [], "tlabel": []}, name="gauge_source")
    gauge = figure(height=200, width=700, x_range=Range1d(0, 1), y_range=Range1d(0, 1), toolbar_location=None,
                   title=i18n.t("probability", lang), tools="")
    # bar 0.35-0.65; zone names above it, the client's value just above, the threshold's below
    gauge.quad(left="left", right="right", bottom=0.35, top=0.65, fill_color="fill", hatch_pattern="hatch",
               hatch_color=VERMILLION, hatch_alpha=0.35, line_color=None, source=zones)
    gauge.text(x="x", y=0.98, text="text", source=zones, text_font_size=FONT, text_color=INK,
               text_baseline="top")
    gauge.segment(x0="threshold", x1="threshold", y0=0.3, y1=0.7, source=src, line_color=INK, line_width=3,
                  line_dash="dashed")
    gauge.text(x="threshold", y=0.28, text="tlabel", source=src, text_font_size=FONT, text_color=INK,
               text_align="center", text_baseline="top")
    gauge.scatter(x="p", y=0.5, marker="inverted_triangle", size=24, source=src, fill_color=INK, line_color="white")
    gauge.text(x="p", y=0.67, text="label", source=src, text_font_size="16px", text_font_style="bold",
               text_color=INK, text_align="center", text_baseline="bottom")
    gauge.yaxis.visible = False
    gauge.ygrid.visible = False
    gauge.xaxis.formatter = NumeralTickFormatter(format="0 %" if lang == "fr" else "0%")
    gauge.xaxis.axis_label = i18n.t("probability", lang)
    verdict = Div(text="", width=700, styles={"font-size": "16px"}, name="verdict", stylesheets=[DIV_CSS])

    def show(client_id: int, row: pd.Series, result) -> None:
        identity.text = identity_html(client_id, row, lang)
        end = gauge_end(result.probability, result.threshold)
        gauge.x_range.end = end
        zones.data = {**zones.data, "left": [0.0, result.threshold], "right": [result.threshold, end],
                      "x": [end * 0.01, result.threshold + end * 0.01]}
        src.data = {"p": [result.probability], "label": [i18n.percent(result.probability, lang)],
                    "threshold": [result.threshold],
                    "tlabel": [f"{i18n.t('threshold', lang)} {i18n.percent(result.threshold, lang)}"]}
        verdict.text = verdict_html(result, lang)

    return ClientCard(identity, gauge, src, zones, verdict, show)
