"""The client's history from the tables the model reads: previous Home Credit applications, credits reported
by other lenders, and a timeline of instalment payments (days late per payment).

Dates stay as the data gives them, counted before the application, and are written in months ("il y a 14 mois").
Each panel opens with one sentence that sums it up; its table shows the most recent rows first.
"""
from __future__ import annotations

import html
from dataclasses import dataclass

import numpy as np
import pandas as pd
from bokeh.core.properties import field
from bokeh.layouts import column
from bokeh.models import ColumnDataSource, Div, Legend, LegendItem, Span
from bokeh.plotting import figure

from bokeh_app.views.formats import tick_formatter
from bokeh_app.views.style import BLUE, DIV_CSS, FONT, INK, MARKERS, VERMILLION
from database.read import client_history
from modeling.wording import catalogue

DAYS_PER_MONTH = 30.4375
#: Rows of a history table shown at most (the most recent ones); the sentence above counts them all.
MAX_ROWS = 8
HISTORY_CSS = DIV_CSS + """
table.history { border-collapse: collapse; margin: 0.3em 0 0.8em; font-size: 14px; }
table.history th, table.history td { border-bottom: 1px solid #c8c8c8; padding: 0.25em 0.6em; text-align: left; }
table.history td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
"""


@dataclass
class History:
    """The three panels and show(client_id) that fills them."""

    layout: object
    previous: Div
    bureau: Div
    instalments: ColumnDataSource
    instalment_note: Div
    instalment_plot: object
    show: object  # (client_id) -> None


def months_ago(days, lang: str) -> str:
    """A DAYS_* value (negative: before the application) as '14 mois' / '14 months'; '—' when missing."""
    if days is None or pd.isna(days):
        return catalogue.MISSING
    return catalogue.t("months_ago", lang, n=catalogue.number(abs(float(days)) / DAYS_PER_MONTH, lang))


def _table(headers: list[str], rows: list[list[tuple[str, bool]]]) -> str:
    head = "".join(f"<th scope='col'>{html.escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td class='{'num' if num else ''}'>{html.escape(text)}</td>"
                                    for text, num in row) + "</tr>" for row in rows)
    return f"<table class='history'><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def previous_html(previous: pd.DataFrame, lang: str) -> str:
    """Summary sentence and table of the previous Home Credit applications, the most recent first."""
    t = lambda key, **v: catalogue.t(key, lang, **v)  # noqa: E731
    title = f"<h3>{html.escape(t('prev_title'))}</h3>"
    if previous.empty:
        return title + f"<p>{html.escape(t('prev_none'))}</p>"
    status = previous["NAME_CONTRACT_STATUS"]
    approved, refused = int((status == "Approved").sum()), int((status == "Refused").sum())
    summary = t("prev_summary", n=len(previous), approved=approved, refused=refused,
                other=len(previous) - approved - refused)
    rows = []
    for _, r in previous.sort_values("DAYS_DECISION", ascending=False).head(MAX_ROWS).iterrows():
        reason = catalogue.category(r["CODE_REJECT_REASON"], lang) if r["NAME_CONTRACT_STATUS"] == "Refused" else "—"
        rows.append([(months_ago(r["DAYS_DECISION"], lang), True), (catalogue.category(r["NAME_CONTRACT_TYPE"], lang), False),
                     (catalogue.money(r["AMT_APPLICATION"], lang), True), (catalogue.money(r["AMT_CREDIT"], lang), True),
                     (catalogue.category(r["NAME_CONTRACT_STATUS"], lang), False), (reason, False)])
    headers = [t(k) for k in ("when", "prev_type", "prev_asked", "prev_credit", "prev_status", "prev_reason")]
    return title + f"<p>{html.escape(summary)}</p>" + _table(headers, rows)


def bureau_html(bureau: pd.DataFrame, lang: str) -> str:
    """Summary sentence and table of the credits reported by other lenders, the most recent first."""
    t = lambda key, **v: catalogue.t(key, lang, **v)  # noqa: E731
    title = f"<h3>{html.escape(t('bureau_title'))}</h3>"
    if bureau.empty:
        return title + f"<p>{html.escape(t('bureau_none'))}</p>"
    active = bureau["CREDIT_ACTIVE"] == "Active"
    summary = t("bureau_summary", n=len(bureau), active=int(active.sum()), closed=int((bureau["CREDIT_ACTIVE"] == "Closed").sum()),
                debt=catalogue.money(bureau.loc[active, "AMT_CREDIT_SUM_DEBT"].fillna(0).sum(), lang),
                overdue=catalogue.money(bureau["AMT_CREDIT_SUM_OVERDUE"].fillna(0).sum(), lang))
    rows = [[(months_ago(r["DAYS_CREDIT"], lang), True), (catalogue.category(r["CREDIT_TYPE"], lang), False),
             (catalogue.category(r["CREDIT_ACTIVE"], lang), False), (catalogue.money(r["AMT_CREDIT_SUM"], lang), True),
             (catalogue.money(r["AMT_CREDIT_SUM_DEBT"], lang), True), (catalogue.money(r["AMT_CREDIT_SUM_OVERDUE"], lang), True)]
            for _, r in bureau.sort_values("DAYS_CREDIT", ascending=False).head(MAX_ROWS).iterrows()]
    headers = [t(k) for k in ("when", "bureau_type", "bureau_state", "bureau_amount", "bureau_debt", "bureau_overdue")]
    return title + f"<p>{html.escape(summary)}</p>" + _table(headers, rows)


def instalment_data(payments: pd.DataFrame, lang: str) -> dict:
    """One point per payment: due date in months before the application, days late (negative: early)."""
    paid = payments.dropna(subset=["DAYS_INSTALMENT", "DAYS_ENTRY_PAYMENT"])
    late = (paid["DAYS_ENTRY_PAYMENT"] - paid["DAYS_INSTALMENT"]).to_numpy(dtype=float)
    is_late = late > 0
    return {"months": (paid["DAYS_INSTALMENT"].to_numpy(dtype=float) / DAYS_PER_MONTH), "late": late,
            "colour": np.where(is_late, VERMILLION, BLUE).tolist(),
            "marker": [MARKERS["refuse"] if x else MARKERS["grant"] for x in is_late],
            "kind": [catalogue.t("instal_late" if x else "instal_ontime", lang) for x in is_late]}


def instalment_sentence(data: dict, lang: str) -> str:
    n, late = len(data["late"]), int((np.asarray(data["late"]) > 0).sum())
    if not n:
        return catalogue.t("instal_none", lang)
    longest = max(0.0, float(np.max(data["late"])))
    unit = catalogue.t("days" if catalogue.plural(longest, lang) else "day", lang)
    return catalogue.t("instal_summary", lang, n=n, late=late, ontime=n - late,
                       max=f"{catalogue.number(longest, lang)}\u00a0{unit}")


def history(engine, lang: str) -> History:
    """Empty panels filled by show(client_id), read through database.read.client_history."""
    previous = Div(text="", name="history_previous", stylesheets=[HISTORY_CSS], width=900)
    bureau = Div(text="", name="history_bureau", stylesheets=[HISTORY_CSS], width=900)
    source = ColumnDataSource(instalment_data(pd.DataFrame(columns=["DAYS_INSTALMENT", "DAYS_ENTRY_PAYMENT"]), lang),
                              name="instalment_source")
    plot = figure(height=260, width=760, title=catalogue.t("instal_title", lang), toolbar_location=None, tools="",
                  name="instalment_plot",
                  x_axis_label=catalogue.t("instal_x", lang), y_axis_label=catalogue.t("instal_y", lang))
    points = plot.scatter(x="months", y="late", source=source, color="colour", marker="marker", size=7, alpha=0.8)
    # the legend beside the frame, not over the points it names
    plot.add_layout(Legend(items=[LegendItem(label=field("kind"), renderers=[points])], location="top_left"), "right")
    plot.add_layout(Span(location=0, dimension="width", line_color=INK, line_width=1))
    plot.xaxis.formatter = tick_formatter(lang)
    plot.yaxis.formatter = tick_formatter(lang)
    plot.title.text_font_size = FONT
    note = Div(text="", name="instalment_note", stylesheets=[HISTORY_CSS], width=760)
    layout = column(Div(text=f"<h2>{html.escape(catalogue.t('history_title', lang))}</h2>", stylesheets=[DIV_CSS]),
                    previous, bureau, note, plot, sizing_mode="stretch_width")

    def show(client_id: int) -> None:
        rows = client_history(engine, client_id)
        previous.text = previous_html(rows["previous_application"], lang)
        bureau.text = bureau_html(rows["bureau"], lang)
        data = instalment_data(rows["installments_payments"], lang)
        source.data = data
        plot.visible = len(data["late"]) > 0  # no payment: the sentence says so, no empty frame under it
        note.text = f"<p>{html.escape(instalment_sentence(data, lang))}</p>"

    return History(layout, previous, bureau, source, note, plot, show)
