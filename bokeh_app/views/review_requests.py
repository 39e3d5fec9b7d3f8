"""The "Demandes de revue" tab: clients' requests for a human review (CCD2 Art. 18, GDPR Art. 22(3)).

Advisors see the unanswered requests, take one, open the client's file and answer with a decision and a reason;
the answer is a review (``database.review_requests.answer_request``) linked to the request. Risk managers also
see the requests by state and the days from request to answer. Callbacks read the widgets and set
``source.data`` and the Divs' text, as Bokeh's ``movies`` example does.
"""
from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import UTC, datetime

from bokeh.io import curdoc
from bokeh.layouts import column, row
from bokeh.models import (
    Button,
    ColumnDataSource,
    DataTable,
    Div,
    Select,
    TableColumn,
    TextAreaInput,
)

from bokeh_app.views.review import reason_word
from bokeh_app.views.style import DIV_CSS
from database.oversight import COMMENT_MAX, ReviewError
from database.review_requests import (
    STATES,
    QueueFigures,
    Request,
    RequestError,
    all_requests,
    answer_request,
    queue_figures,
    take_request,
)
from database.schema import REVIEW_DECISIONS, REVIEW_REASONS
from modeling.wording import catalogue
from modeling.wording.requests import state_word

COLUMNS = ("id", "received", "client", "channel", "statement", "state", "waited")


@dataclass
class RequestQueue:
    """Widgets of the tab; ``refresh()`` reads the requests again."""

    layout: object
    source: ColumnDataSource
    selected: Div
    decision: Select
    reason: Select
    comment: TextAreaInput
    take: Button
    open_file: Button
    answer: Button
    status: Div
    figures: Div | None
    refresh: object  # () -> None


def queue_rows(requests: list[Request], lang: str, now: datetime | None = None) -> dict[str, list]:
    """The table's columns for the unanswered ``requests``, oldest first."""
    waiting = [r for r in requests if not r.answer]
    return {"id": [r.id for r in waiting], "client": [r.client_id for r in waiting],
            "received": [catalogue.day(r.received_at, lang) for r in waiting],
            "channel": [catalogue.t(f"request_channel_{r.channel}", lang) for r in waiting],
            "statement": [r.statement.replace("\n", " ") for r in waiting],
            "state": [state_word(r, lang) for r in waiting],
            "waited": [catalogue.number(r.days_waited(now), lang, 1) for r in waiting]}


def _days(value: float | None, lang: str) -> str:
    if value is None:
        return catalogue.t("requests_no_figure", lang)
    key = "requests_days" if catalogue.plural(round(value, 1), lang) else "requests_day"
    return catalogue.t(key, lang, n=catalogue.number(value, lang, 1))


def figures_html(figures: QueueFigures, lang: str) -> str:
    """The risk manager's table: requests by state, then the answer delays in days."""
    t = lambda key: html.escape(catalogue.t(key, lang))  # noqa: E731
    counts = "".join(f"<tr><th scope='row'>{t(f'requests_state_{s}')}</th>"
                     f"<td>{catalogue.number(figures.counts[s], lang)}</td></tr>" for s in STATES)
    delays = "".join(f"<tr><th scope='row'>{t(key)}</th><td>{html.escape(_days(value, lang))}</td></tr>"
                     for key, value in (("requests_fig_median", figures.median_days),
                                        ("requests_fig_max", figures.max_days),
                                        ("requests_fig_oldest", figures.oldest_unanswered_days)))
    return (f"<h3>{t('requests_figures_title')}</h3><table class='fair requests-figures'>"
            f"<tr><th scope='col'>{t('requests_fig_state')}</th><th scope='col'>{t('requests_fig_count')}</th></tr>"
            f"{counts}{delays}</table>")


def request_queue(engine, portfolio, user, lang: str, on_open) -> RequestQueue:
    """The tab for ``user``; ``on_open(client_id)`` shows a client in the Client tab."""
    t = lambda key, **v: catalogue.t(key, lang, **v)  # noqa: E731
    source = ColumnDataSource(data={name: [] for name in COLUMNS}, name="request_rows")
    table = DataTable(source=source, name="request_table", height=260, sizing_mode="stretch_width",
                      index_position=None, columns=[
                          TableColumn(field="id", title=t("requests_col_id"), width=50),
                          TableColumn(field="received", title=t("requests_col_received"), width=130),
                          TableColumn(field="client", title=t("requests_col_client"), width=80),
                          TableColumn(field="channel", title=t("requests_col_channel"), width=140),
                          TableColumn(field="statement", title=t("requests_col_statement"), width=380),
                          TableColumn(field="state", title=t("requests_col_state"), width=200),
                          TableColumn(field="waited", title=t("requests_col_waited"), width=90)])
    selected = Div(text=f"<p class='note'>{html.escape(t('requests_pick'))}</p>", name="request_selected",
                   stylesheets=[DIV_CSS], sizing_mode="stretch_width")
    take = Button(label=t("requests_take"), width=200, name="request_take")
    open_file = Button(label=t("requests_open"), width=240, name="request_open")
    decision = Select(title=t("requests_decision"), name="request_decision", width=300, value=REVIEW_DECISIONS[0],
                      options=[(d, catalogue.decision_label(d, lang)) for d in REVIEW_DECISIONS])
    reason = Select(title=t("review_reason"), name="request_reason", width=420, value="",
                    options=[("", t("review_choose"))] + [(r, reason_word(r, lang)) for r in REVIEW_REASONS])
    comment = TextAreaInput(title=t("review_comment_optional"), max_length=COMMENT_MAX, rows=3, width=420,
                            name="request_comment")
    answer = Button(label=t("requests_answer"), button_type="primary", width=200, name="request_answer")
    status = Div(text="", name="request_status", stylesheets=[DIV_CSS], width=700)
    figures = Div(text="", name="request_figures", stylesheets=[DIV_CSS]) if user.sees_risk_views else None
    shown: dict[str, Request] = {}

    def refresh() -> None:
        requests = all_requests(engine)
        source.data = queue_rows(requests, lang, datetime.now(UTC))
        source.selected.indices = []
        if figures is not None:
            figures.text = figures_html(queue_figures(requests), lang)

    def chosen() -> Request | None:
        indices = source.selected.indices
        if not indices:
            return None
        request_id = source.data["id"][indices[0]]
        return next((r for r in all_requests(engine) if r.id == request_id), None)

    def on_select(_attr, _old, _new) -> None:
        request = chosen()
        status.text = ""
        if request is None:
            shown.pop("request", None)
            selected.text = f"<p class='note'>{html.escape(t('requests_pick'))}</p>"
            return
        shown["request"] = request
        result = portfolio.explain(request.client_id, lang)
        heading = t("requests_selected", id=request.id, client=request.client_id, state=state_word(request, lang),
                    day=catalogue.day(request.received_at, lang), channel=t(f"request_channel_{request.channel}"))
        proposal = t("requests_model", d=catalogue.decision_label(result.decision, lang),
                     p=catalogue.percent(result.probability, lang))
        selected.text = (f"<p>{html.escape(heading)}</p><blockquote style='white-space: pre-line'>"
                         f"{html.escape(request.statement)}</blockquote><p>{html.escape(proposal)}</p>")

    def say(text: str, error: bool = False) -> None:
        kind = "error' role='alert" if error else "summary' role='status"
        status.text = f"<p class='{kind}'>{html.escape(text)}</p>"

    def on_take() -> None:
        request = shown.get("request")
        if request is None:
            return say(t("requests_pick"), error=True)
        try:
            take_request(engine, request.id, user.name)
        except RequestError as error:
            return say(str(error), error=True)
        refresh()
        say(t("requests_taken_msg", id=request.id, user=user.name))

    def on_open_file() -> None:
        request = shown.get("request")
        if request is None:
            return say(t("requests_pick"), error=True)
        on_open(request.client_id)
        tabs = curdoc().get_model_by_name("app")
        if tabs is not None:
            tabs.active = 0

    def on_answer() -> None:
        request = shown.get("request")
        if request is None:
            return say(t("requests_pick"), error=True)
        if not reason.value:
            return say(t("review_reason_missing"), error=True)
        try:
            answer_request(engine, request.id, portfolio.explain(request.client_id, lang), user.name,
                           decision.value, reason.value, comment.value)
        except (RequestError, ReviewError) as error:
            return say(str(error), error=True)
        shown.pop("request", None)
        reason.value, comment.value = "", ""
        on_open(request.client_id)  # the Client tab shows the answer: its card, history and letter read it
        refresh()
        selected.text = f"<p class='note'>{html.escape(t('requests_pick'))}</p>"
        say(t("requests_answered_msg", id=request.id, d=catalogue.decision_label(decision.value, lang)))

    source.selected.on_change("indices", on_select)
    take.on_click(on_take)
    open_file.on_click(on_open_file)
    answer.on_click(on_answer)
    reload = Button(label=t("requests_refresh"), width=160, name="request_refresh")
    reload.on_click(refresh)
    refresh()
    intro = Div(text=f"<h2>{html.escape(t('requests_title'))}</h2><p>{html.escape(t('requests_intro'))}</p>",
                stylesheets=[DIV_CSS], sizing_mode="stretch_width")
    parts = [intro, *([figures] if figures is not None else []), table, row(take, open_file, reload), selected,
             row(column(decision, reason), column(comment, answer)), status]
    layout = column(*parts, sizing_mode="stretch_width")
    return RequestQueue(layout, source, selected, decision, reason, comment, take, open_file, answer, status,
                        figures, refresh)
