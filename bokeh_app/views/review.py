"""The advisor's review of the model's decision: confirm or override, a reason from the list, an optional
comment, and the client's history of reviews (append-only ``decision_review``, ``database.oversight``)."""
from __future__ import annotations

import html
from dataclasses import dataclass

from bokeh.layouts import column, row
from bokeh.models import Button, Div, Select, TextAreaInput

from bokeh_app.views.style import DIV_CSS, decision_word
from database.oversight import COMMENT_MAX, ReviewError, record_review, reviews_of
from database.schema import REVIEW_REASONS
from modeling.wording import catalogue


@dataclass
class ReviewPanel:
    """Widgets of the panel; ``show(result)`` fills it for the opened client."""

    layout: object
    action: Select
    reason: Select
    comment: TextAreaInput
    save: Button
    status: Div
    history: Div
    show: object  # (result) -> None


def reason_word(reason: str, lang: str) -> str:
    """A review reason in the reader's words."""
    return catalogue.t(f"review_reason_{reason}", lang)


def history_html(reviews, lang: str) -> str:
    """The client's reviews, newest first, as a table (a sentence when there is none)."""
    t = lambda key: catalogue.t(key, lang)  # noqa: E731
    if not reviews:
        return f"<h3>{html.escape(t('review_history'))}</h3><p class='note'>{html.escape(t('review_none'))}</p>"
    head = "".join(f"<th scope='col'>{html.escape(t(k))}</th>" for k in
                   ("review_when", "review_who", "review_model", "review_final", "review_reason", "review_comment"))
    rows = []
    for r in reviews:
        kind = t("review_overridden" if r.overridden else "review_confirmed")
        cells = (catalogue.moment(r.reviewed_at, lang), r.user_name,  # several a day: the latest counts
                 f"{decision_word(r.model_decision, lang)} ({catalogue.percent(r.model_probability, lang)})",
                 f"{decision_word(r.final_decision, lang)} · {kind}", reason_word(r.reason, lang), r.comment or "")
        rows.append("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in cells) + "</tr>")
    return (f"<h3>{html.escape(t('review_history'))}</h3><table class='cm reviews'><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>")


def review_panel(engine, user_name: str, lang: str, on_recorded=None) -> ReviewPanel:
    """The panel, recording reviews as ``user_name``; ``on_recorded(result)`` runs after each review is stored."""
    t = lambda key, **v: catalogue.t(key, lang, **v)  # noqa: E731
    title = Div(text=f"<h2>{html.escape(t('review_title'))}</h2><p>{html.escape(t('review_intro'))}</p>",
                stylesheets=[DIV_CSS], sizing_mode="stretch_width")
    action = Select(title=t("review_action"), options=[], value="confirm", name="review_action", width=420)
    reason = Select(title=t("review_reason"), name="review_reason", width=420, value="",
                    options=[("", t("review_choose"))] + [(r, reason_word(r, lang)) for r in REVIEW_REASONS])
    comment = TextAreaInput(title=t("review_comment_optional"), max_length=COMMENT_MAX, rows=3, width=420,
                            name="review_comment")
    save = Button(label=t("review_save"), button_type="primary", width=200, name="review_save")
    status = Div(text="", stylesheets=[DIV_CSS], name="review_status", width=600)
    history = Div(text="", stylesheets=[DIV_CSS], name="review_history", sizing_mode="stretch_width")
    opened = {}

    def show(result) -> None:
        opened["result"] = result
        other = "grant" if result.decision == "refuse" else "refuse"
        action.options = [("confirm", t("review_confirm", d=catalogue.decision_label(result.decision, lang))),
                          ("override", t("review_override", d=catalogue.decision_label(other, lang)))]
        action.value, reason.value, comment.value, status.text = "confirm", "", "", ""
        history.text = history_html(reviews_of(engine, result.client_id), lang)

    def on_save() -> None:
        result = opened.get("result")
        if result is None:
            return
        if not reason.value:
            status.text = f"<p class='error' role='alert'>{html.escape(t('review_reason_missing'))}</p>"
            return
        final = result.decision if action.value == "confirm" else ("grant" if result.decision == "refuse"
                                                                   else "refuse")
        try:
            review = record_review(engine, result, user_name, final, reason.value, comment.value)
        except ReviewError as error:
            status.text = f"<p class='error' role='alert'>{html.escape(str(error))}</p>"
            return
        status.text = (f"<p class='summary'>{html.escape(t('review_saved', d=decision_word(final, lang)))}</p>")
        reason.value, comment.value = "", ""
        history.text = history_html(reviews_of(engine, review.client_id), lang)
        if on_recorded is not None:  # the card and the letter now state the advisor's decision
            on_recorded(result)

    save.on_click(on_save)
    layout = column(title, row(column(action, reason), column(comment, save)), status, history,
                    sizing_mode="stretch_width")
    return ReviewPanel(layout, action, reason, comment, save, status, history, show)
