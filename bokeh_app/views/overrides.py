"""Risk managers' view of the advisors' reviews: how often the model's decision is overridden, by reason
and by grade (each client's latest review; ``database.oversight.override_rates``)."""
from __future__ import annotations

import html
from dataclasses import dataclass

from bokeh.layouts import column
from bokeh.models import Button, Div

from bokeh_app.views.review import reason_word
from bokeh_app.views.style import DIV_CSS
from database.oversight import override_rates
from modeling.wording import catalogue


@dataclass
class OverridesView:
    layout: object
    tables: Div
    refresh: object  # () -> None


def _table(frame, first: str, word, lang: str) -> str:
    t = lambda key: catalogue.t(key, lang)  # noqa: E731
    head = (f"<tr><th scope='col'>{html.escape(t(first))}</th><th scope='col'>{html.escape(t('overrides_reviews'))}"
            f"</th><th scope='col'>{html.escape(t('overrides_count'))}</th>"
            f"<th scope='col'>{html.escape(t('overrides_rate'))}</th></tr>")
    rows = "".join(f"<tr><th scope='row'>{html.escape(word(key))}</th><td>{catalogue.number(r.reviews, lang)}</td>"
                   f"<td>{catalogue.number(r.overrides, lang)}</td><td>{catalogue.percent(r.rate, lang)}</td></tr>"
                   for key, r in frame.iterrows())
    return f"<table class='fair overrides'>{head}{rows}</table>"


def overrides_html(rates: dict, lang: str) -> str:
    """Both tables, or a sentence when no review has been recorded yet."""
    t = lambda key: catalogue.t(key, lang)  # noqa: E731
    intro = f"<h2>{html.escape(t('overrides_title'))}</h2><p>{html.escape(t('overrides_intro'))}</p>"
    if rates["reason"].empty:
        return intro + f"<p class='note'>{html.escape(t('overrides_none'))}</p>"
    return (intro + f"<h3>{html.escape(t('overrides_by_reason'))}</h3>"
            + _table(rates["reason"], "review_reason", lambda r: reason_word(r, lang), lang)
            + f"<h3>{html.escape(t('overrides_by_grade'))}</h3>"
            + _table(rates["grade"], "grade", str, lang))


def overrides_view(engine, lang: str) -> OverridesView:
    """The tables, computed at session start and again on the refresh button."""
    tables = Div(text="", stylesheets=[DIV_CSS], name="overrides", sizing_mode="stretch_width")

    def refresh() -> None:
        tables.text = overrides_html(override_rates(engine), lang)

    button = Button(label=catalogue.t("overrides_refresh", lang), width=200)
    button.on_click(refresh)
    refresh()
    return OverridesView(column(tables, button, sizing_mode="stretch_width"), tables, refresh)
