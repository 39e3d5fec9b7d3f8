"""Words and numbers of the dashboard come from the catalogue: French formats, one decision vocabulary, no "¤"."""
from __future__ import annotations

import re

import pytest
from bokeh.models import (
    Axis,
    CategoricalAxis,
    ColumnDataSource,
    CustomJSTickFormatter,
    DataTable,
    Div,
    FixedTicker,
    LegendItem,
    Plot,
    Select,
)

from modeling.wording import catalogue
from tests.bokeh_app.conftest import make_document, model

ENGLISH_DECIMAL = re.compile(r"\d\.\d")  # 19.50, 0.8
ENGLISH_THOUSANDS = re.compile(r"\d,\d{3}\b")  # 1,534
COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")  # plot styling, not text
SCIENTIFIC = re.compile(r"\d[eE][+-]?\d")  # 1.000e+5


def texts(doc) -> list[str]:
    """Every piece of text a reader can see in the document: divs, titles, options, legends, table cells."""
    out = []
    for div in doc.select({"type": Div}):
        out.append(re.sub(r"<[^>]+>", " ", div.text))
    for plot in doc.select({"type": Plot}):
        out.append(plot.title.text if plot.title else "")
        out += [str(a.axis_label or "") for a in plot.select({"type": Axis})]
    for item in doc.select({"type": LegendItem}):
        label = item.label
        out.append(label if isinstance(label, str) else str(getattr(label, "value", "") or ""))
    for select in doc.select({"type": Select}):
        out.append(select.title or "")
        out += [o[1] if isinstance(o, tuple) else str(o) for o in select.options]
    for table in doc.select({"type": DataTable}):
        out += [c.title for c in table.columns]
    for source in doc.select({"type": ColumnDataSource}):
        for column in source.data.values():
            out += [v for v in list(column)[:200] if isinstance(v, str) and not COLOUR.match(v)]
    return [t for t in out if t]


def _open_some_clients(doc, portfolio, count: int = 5) -> None:
    for client_id in portfolio.clients.index[:count]:
        model(doc, "client_search").value = str(int(client_id))


def test_no_generic_currency_sign_and_french_numbers_everywhere(portfolio, monkeypatch):
    monkeypatch.delenv("CURRENCY", raising=False)
    doc = make_document(portfolio, lang="fr")
    _open_some_clients(doc, portfolio)
    for text in texts(doc):
        assert "¤" not in text, text
        assert not ENGLISH_DECIMAL.search(text), text
        assert not ENGLISH_THOUSANDS.search(text), text
        assert not SCIENTIFIC.search(text), text


def test_english_session_writes_numbers_the_english_way(portfolio, monkeypatch):
    monkeypatch.delenv("CURRENCY", raising=False)
    doc = make_document(portfolio, lang="en")
    text = " ".join(texts(doc))
    assert "¤" not in text and "\u202f" not in text
    assert re.search(r"\d{1,3}(,\d{3})+ clients match", text)


def test_a_configured_currency_follows_every_amount_of_the_card(portfolio, monkeypatch):
    monkeypatch.setenv("CURRENCY", "EUR")
    doc = make_document(portfolio, lang="fr")
    client_id = int(portfolio.clients.index[2])
    model(doc, "client_search").value = str(client_id)
    card = model(doc, "identity").text
    credit = catalogue.money(portfolio.clients.loc[client_id, "AMT_CREDIT"], "fr")
    assert credit.endswith("\u00a0€") and credit in card
    assert card.count("€") == 4  # income, credit, annuity, goods price
    assert model(doc, "client_rows").data["credit_text"][0].endswith("€")


def test_every_number_axis_and_slider_is_formatted_by_the_catalogue(doc):
    group, _ = catalogue.separators("fr")
    for plot in doc.select({"type": Plot}):
        for axis in plot.select({"type": Axis}):
            if isinstance(axis, CategoricalAxis) or not axis.visible or axis.major_label_text_font_size == "0px":
                continue
            if isinstance(axis.ticker, FixedTicker):
                assert axis.major_label_overrides, f"{plot.title.text}: fixed ticks without catalogue labels"
                assert all(group in v or len(v) < 4 for v in axis.major_label_overrides.values())
            else:
                assert isinstance(axis.formatter, CustomJSTickFormatter), plot.title.text
                assert f"GROUP = \"{group}\"" in axis.formatter.code or 'GROUP = "\\u202f"' in axis.formatter.code


def test_slider_titles_and_bands_are_written_the_french_way(doc, portfolio):
    title = model(doc, "threshold_chosen_title").text
    assert title == f"Seuil examiné\u00a0: {catalogue.percent(model(doc, 'threshold_chosen').value / 100, 'fr')}"
    assert "," in title and "." not in title
    score = model(doc, "filter_score_title").text
    assert score == "Probabilité de défaut\u00a0: de 0\u00a0% à 100\u00a0%"
    slider = model(doc, "filter_score")
    slider.value = (5, 40)
    assert model(doc, "filter_score_title").text.endswith("de 5\u00a0% à 40\u00a0%")
    ages = dict(model(doc, "filter_age_band").options)
    incomes = dict(model(doc, "filter_income_band").options)
    assert "25–34\u00a0ans" in ages.values() and "65\u00a0ans et plus" in ages.values()
    assert "moins de 100\u202f000" in incomes.values() and "300\u202f000 et plus" in incomes.values()


def test_one_decision_vocabulary_from_the_model_to_the_table(doc, portfolio, scorer):
    client_id = int(portfolio.clients.index[4])
    result = scorer.score(client_id, lang="fr")
    model(doc, "client_search").value = str(client_id)
    assert result.decision_label in model(doc, "verdict").text
    assert set(model(doc, "client_rows").data["decision"]) <= {catalogue.decision_word(d, "fr") for d in catalogue.DECISIONS}
    assert set(model(doc, "gauge_zones").data["text"]) == {"Crédit accordé", "Crédit refusé"}


@pytest.mark.parametrize("lang", catalogue.LANGS)
def test_the_header_gives_the_model_date_in_words(portfolio, lang):
    doc = make_document(portfolio, lang=lang)
    header = doc.template_variables["model"]
    assert catalogue.day(portfolio.model_date, lang) in header
    assert re.search(r"\d{1,2} (décembre|janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre)"
                     if lang == "fr" else r"\d{1,2} [A-Z][a-z]+ \d{4}", header)
