"""Advisor's client list: filters narrowing a sortable table, and a box to go straight to a client ID."""
from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from bokeh.layouts import column, row
from bokeh.models import (
    Button,
    ColumnDataSource,
    DataTable,
    Div,
    HTMLTemplateFormatter,
    RangeSlider,
    Select,
    TableColumn,
    TextInput,
)

from bokeh_app.portfolio import Portfolio, band_label
from bokeh_app.views.formats import titled
from bokeh_app.views.style import DIV_CSS, decision_word
from database.client_ids import client_id_from_text
from modeling.wording import catalogue

#: Filter key (also its UI text key) -> portfolio column.
FILTERS = {
    "contract": "NAME_CONTRACT_TYPE",
    "gender": "CODE_GENDER",
    "age_band": "AGE_BAND",
    "income_band": "INCOME_BAND",
    "family": "NAME_FAMILY_STATUS",
    "occupation": "OCCUPATION_TYPE",
    "decision": "DECISION",
}


@dataclass
class ClientList:
    """The widgets, the table source and the callbacks of the client list."""

    layout: object
    filters: dict[str, Select]
    score: RangeSlider
    search: TextInput
    source: ColumnDataSource
    message: Div
    error: Div
    update: Callable[[], None]


def value_word(column: str, value, lang: str) -> str:
    """A value of a portfolio column in the reader's words: decision, band, grade or form category."""
    if column == "DECISION":
        return decision_word(value, lang)
    if column.endswith("_BAND"):
        return band_label(column, value, lang)
    if column == "GRADE":
        return str(value)
    return catalogue.category(value, lang)


def options(portfolio: Portfolio, column: str, lang: str) -> list[tuple[str, str]]:
    """Choices of a filter on a column: 'all' then every category in the reader's words."""
    values = portfolio.clients[column]
    cats = list(values.cat.categories) if hasattr(values, "cat") else sorted(values.dropna().unique())
    return [("", catalogue.t("all", lang))] + [(str(c), value_word(column, c, lang)) for c in cats]


def filter_mask(clients: pd.DataFrame, chosen: dict[str, str], score: tuple[float, float] = (0, 100)) -> np.ndarray:
    """Clients matching every chosen filter value ('' = any) and whose probability (%) is in the range."""
    mask = np.ones(len(clients), dtype=bool)
    for key, value in chosen.items():
        if value:
            mask &= (clients[FILTERS[key]] == value).to_numpy()
    p = 100 * clients["PROBABILITY"].to_numpy()
    return mask & (p >= score[0]) & (p <= score[1])


def table_data(rows: pd.DataFrame, lang: str) -> dict:
    """Columns of the client table: numbers to sort by, and the same numbers written by the catalogue."""
    income, credit = rows["AMT_INCOME_TOTAL"].to_numpy(dtype=float), rows["AMT_CREDIT"].to_numpy(dtype=float)
    probability = rows["PROBABILITY"].to_numpy(dtype=float)
    return {
        "SK_ID_CURR": rows.index.to_numpy(),
        "age": np.floor(rows["AGE_YEARS"].to_numpy(dtype=float)),
        "income": income,
        "income_text": [catalogue.money(v, lang) for v in income],
        "credit": credit,
        "credit_text": [catalogue.money(v, lang) for v in credit],
        "contract": [catalogue.category(v, lang) for v in rows["NAME_CONTRACT_TYPE"]],
        "decision": [decision_word(v, lang) for v in rows["DECISION"]],
        "probability": probability,
        "probability_text": [catalogue.percent(v, lang) for v in probability],
        "grade": rows["GRADE"].astype(str).to_numpy(),
    }


def _shown(field: str) -> HTMLTemplateFormatter:
    """A cell showing the catalogue's text of a numeric column (the cell keeps the number, so sorting stays numeric)."""
    return HTMLTemplateFormatter(template=f"<%= {field}_text %>")


def score_title(score: tuple[float, float], lang: str) -> str:
    """Title of the probability range slider with its two ends written in the catalogue's format."""
    lo, hi = (catalogue.percent(v / 100, lang, 0) for v in score)
    return catalogue.t("score_range", lang, lo=lo, hi=hi)


def client_list(portfolio: Portfolio, lang: str, max_rows: int, on_pick: Callable[[int], None]) -> ClientList:
    """Filters, table and ID search; on_pick(client_id) is called when the advisor opens a client."""
    filters = {key: Select(title=catalogue.t(key, lang), value="", width=170, name=f"filter_{key}",
                           options=options(portfolio, col, lang))
               for key, col in FILTERS.items()}
    score = RangeSlider(start=0, end=100, step=1, value=(0, 100), width=260, name="filter_score")
    search = TextInput(title=catalogue.t("search_id", lang), width=220, placeholder="100002", name="client_search")
    go = Button(label=catalogue.t("search_button", lang), button_type="primary", width=160, align="end",
                name="client_go")
    message = Div(text="", styles={"font-size": "15px"}, width=700, name="client_message", stylesheets=[DIV_CSS])
    error = Div(text="", styles={"font-size": "15px"}, width=700, name="client_error", stylesheets=[DIV_CSS])
    source = ColumnDataSource(table_data(portfolio.clients.iloc[:0], lang), name="client_rows")
    columns = [
        TableColumn(field="SK_ID_CURR", title=catalogue.t("client_id", lang), width=90),
        TableColumn(field="age", title=catalogue.t("age", lang), width=50),
        TableColumn(field="income", title=catalogue.t("income", lang), formatter=_shown("income"), width=110),
        TableColumn(field="credit", title=catalogue.t("credit", lang), formatter=_shown("credit"), width=110),
        TableColumn(field="contract", title=catalogue.t("contract", lang), width=140),
        TableColumn(field="decision", title=catalogue.t("decision", lang), width=100),
        TableColumn(field="probability", title=catalogue.t("probability", lang), formatter=_shown("probability"), width=150),
        TableColumn(field="grade", title=catalogue.t("grade", lang), width=60),
    ]
    table = DataTable(source=source, columns=columns, height=300, sortable=True, sizing_mode="stretch_width",
                      index_position=None, selectable=True, reorderable=False, name="client_table")
    empty = table_data(portfolio.clients.iloc[:0], lang)

    def update() -> None:
        chosen = {key: widget.value for key, widget in filters.items()}
        mask = filter_mask(portfolio.clients, chosen, score.value)
        n = int(mask.sum())
        # only the rows shown are taken (a copy): the table's columns, views of their frame, would otherwise
        # keep the whole filtered portfolio alive, 27 MiB a session at 356,255 clients
        rows = portfolio.clients.iloc[np.flatnonzero(mask)[:max_rows]]
        shown = catalogue.t("table_shown", lang, k=catalogue.number(max_rows, lang)) if n > max_rows else ""
        message.text = catalogue.t("table_count", lang, n=catalogue.number(n, lang), shown=shown)
        source.selected.indices = []
        # The browser's table redraws only when its row count changes (BokehJS compares the view's indices):
        # passing through an empty table makes it redraw when a filter keeps max_rows rows.
        source.data = empty
        source.data = table_data(rows, lang)

    def pick(client_id: int) -> None:
        error.text = ""
        on_pick(client_id)

    def picked(_attr, _old, new) -> None:
        if new:
            pick(int(source.data["SK_ID_CURR"][new[0]]))

    def searched() -> None:
        text = (search.value or "").strip()
        if not text:
            return
        client_id = client_id_from_text(text)
        if client_id is None:  # int() would take "1_000", full-width or other scripts' digits
            error.text = f"<p class='error'>{html.escape(catalogue.t('bad_id', lang, text=text))}</p>"
            return
        if not portfolio.has(client_id):
            error.text = f"<p class='error'>{html.escape(catalogue.t('unknown_id', lang, id=client_id))}</p>"
            return
        pick(client_id)

    for widget in filters.values():
        widget.on_change("value", lambda _attr, _old, _new: update())
    score.on_change("value_throttled", lambda _attr, _old, _new: update())
    source.selected.on_change("indices", picked)
    search.on_change("value", lambda _attr, _old, _new: searched())
    go.on_click(searched)
    update()
    layout = column(
        row(*filters.values(), titled(score, lambda v: score_title(v, lang), "filter_score_title",
                                            (catalogue.t("range_low", lang), catalogue.t("range_high", lang))),
            sizing_mode="stretch_width", styles={"flex-wrap": "wrap"}),
        row(search, go, error), message, table, sizing_mode="stretch_width")
    return ClientList(layout, filters, score, search, source, message, error, update)
