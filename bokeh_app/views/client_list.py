"""Advisor's client list: filters narrowing a sortable table, and a box to go straight to a client ID."""
from __future__ import annotations

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

from bokeh_app import i18n
from bokeh_app.portfolio import Portfolio
from bokeh_app.views.style import DIV_CSS, decision_word

#: Filter key (also its UI text key) -> (portfolio column, whether its values are translated categories)
FILTERS = {
    "contract": ("NAME_CONTRACT_TYPE", True),
    "gender": ("CODE_GENDER", True),
    "age_band": ("AGE_BAND", False),
    "income_band": ("INCOME_BAND", False),
    "family": ("NAME_FAMILY_STATUS", True),
    "occupation": ("OCCUPATION_TYPE", True),
    "decision": ("DECISION", True),
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
    update: Callable[[], None]


def _options(portfolio: Portfolio, column: str, translate: bool, lang: str) -> list[tuple[str, str]]:
    values = portfolio.clients[column]
    cats = list(values.cat.categories) if hasattr(values, "cat") else sorted(values.dropna().unique())
    show = (lambda v: decision_word(v, lang)) if column == "DECISION" else (
        (lambda v: i18n.category(v, lang)) if translate else str)
    return [("", i18n.t("all", lang))] + [(str(c), show(c)) for c in cats]


def filter_mask(portfolio: Portfolio, chosen: dict[str, str], score: tuple[float, float]) -> np.ndarray:
    """Clients matching every chosen filter value ('' = any) and whose probability (%) is in the range."""
    clients = portfolio.clients
    mask = np.ones(len(clients), dtype=bool)
    for key, value in chosen.items():
        if value:
            mask &= (clients[FILTERS[key][0]] == value).to_numpy()
    p = 100 * clients["PROBABILITY"].to_numpy()
    return mask & (p >= score[0]) & (p <= score[1])


def table_data(rows: pd.DataFrame, lang: str) -> dict:
    """Columns of the client table for the given portfolio rows."""
    return {
        "SK_ID_CURR": rows.index.to_numpy(),
        "age": np.floor(rows["AGE_YEARS"].to_numpy(dtype=float)),
        "income": rows["AMT_INCOME_TOTAL"].to_numpy(dtype=float),
        "credit": rows["AMT_CREDIT"].to_numpy(dtype=float),
        "contract": [i18n.category(v, lang) for v in rows["NAME_CONTRACT_TYPE"]],
        "decision": [decision_word(v, lang) for v in rows["DECISION"]],
        "probability": rows["PROBABILITY"].to_numpy(dtype=float),
        "grade": rows["GRADE"].astype(str).to_numpy(),
    }


def _number_formatters(lang: str) -> tuple[HTMLTemplateFormatter, HTMLTemplateFormatter]:
    """Percent and amount cells written the advisor's way ("3,5 %", "227 250" in French) by the browser's
    Intl formatting; the cells keep their numbers, so sorting stays numeric."""
    locale = "fr-FR" if lang == "fr" else "en-GB"
    percent_sign = "&nbsp;%" if lang == "fr" else "%"
    percent = HTMLTemplateFormatter(template=(
        f'<%= isFinite(value) ? (100 * value).toLocaleString("{locale}", '
        f'{{minimumFractionDigits: 1, maximumFractionDigits: 1}}) + "{percent_sign}" : "" %>'))
    money = HTMLTemplateFormatter(template=(
        f'<%= isFinite(value) ? Math.round(value).toLocaleString("{locale}") : "" %>'))
    return percent, money


def client_list(portfolio: Portfolio, lang: str, max_rows: int, on_pick: Callable[[int], None]) -> ClientList:
    """Filters, table and ID search; on_pick(client_id) is called when the advisor opens a client."""
    filters = {key: Select(title=i18n.t(key, lang), value="", width=170, name=f"filter_{key}",
                           options=_options(portfolio, col, translate, lang))
               for key, (col, translate) in FILTERS.items()}
    score = RangeSlider(title=i18n.t("score_range", lang), start=0, end=100, step=1, value=(0, 100), width=260,
                        name="filter_score")
    search = TextInput(title=i18n.t("search_id", lang), width=220, placeholder="100002", name="client_search")
    go = Button(label=i18n.t("search_button", lang), button_type="primary", width=160, align="end",
                name="client_go")
    message = Div(text="", styles={"font-size": "15px"}, width=700, name="client_message", stylesheets=[DIV_CSS])
    source = ColumnDataSource(table_data(portfolio.clients.iloc[:0], lang), name="client_rows")
    percent_fmt, money_fmt = _number_formatters(lang)
    columns = [
        TableColumn(field="SK_ID_CURR", title=i18n.t("client_id", lang), width=90),
        TableColumn(field="age", title=i18n.t("age", lang), width=50),
        TableColumn(field="income", title=i18n.t("income", lang), formatter=money_fmt, width=110),
        TableColumn(field="credit", title=i18n.t("credit", lang), formatter=money_fmt, width=110),
        TableColumn(field="contract", title=i18n.t("contract", lang), width=140),
        TableColumn(field="decision", title=i18n.t("decision", lang), width=100),
        TableColumn(field="probability", title=i18n.t("probability", lang), formatter=percent_fmt, width=150),
        TableColumn(field="grade", title=i18n.t("grade", lang), width=60),
    ]
    table = DataTable(source=source, columns=columns, width=1000, height=300, sortable=True,
                      index_position=None, selectable=True, reorderable=False, name="client_table")

    def update() -> None:
        chosen = {key: widget.value for key, widget in filters.items()}
        mask = filter_mask(portfolio, chosen, score.value)
        rows = portfolio.clients[mask]
        n = len(rows)
        shown = i18n.t("table_shown", lang, k=i18n.number(max_rows, lang)) if n > max_rows else ""
        message.text = i18n.t("table_count", lang, n=i18n.number(n, lang), shown=shown)
        source.selected.indices = []
        source.data = table_data(rows.iloc[:max_rows], lang)

    def picked(_attr, _old, new) -> None:
        if new:
            on_pick(int(source.data["SK_ID_CURR"][new[0]]))

    def searched() -> None:
        text = (search.value or "").strip()
        if not text:
            return
        try:
            client_id = int(text)
        except ValueError:
            message.text = i18n.t("bad_id", lang, text=text)
            return
        if not portfolio.has(client_id):
            message.text = i18n.t("unknown_id", lang, id=client_id)
            return
        on_pick(client_id)

    for widget in filters.values():
        widget.on_change("value", lambda _attr, _old, _new: update())
    score.on_change("value_throttled", lambda _attr, _old, _new: update())
    source.selected.on_change("indices", picked)
    search.on_change("value", lambda _attr, _old, _new: searched())
    go.on_click(searched)
    update()
    layout = column(
        row(*filters.values(), score, sizing_mode="stretch_width", styles={"flex-wrap": "wrap"}),
        row(search, go), message, table, sizing_mode="stretch_width")
    return ClientList(layout, filters, score, search, source, message, update)
