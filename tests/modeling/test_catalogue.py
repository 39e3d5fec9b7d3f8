"""The one catalogue of words and formats: one list of languages, complete texts, Babel's French formats."""
from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

from modeling.wording import catalogue

REPO = Path(__file__).resolve().parents[2]
PACKAGES = ("api", "bokeh_app", "modeling")
NBSP, NNBSP = "\u00a0", "\u202f"


def _sources():
    for package in PACKAGES:
        yield from (REPO / package).rglob("*.py")


def test_no_second_list_of_languages_or_hand_made_separator():
    lists = re.compile(r"""[(\[]\s*["']fr["']\s*,\s*["']en["']\s*[)\]]|LANGS\s*=""")  # ("fr", "en"), ["fr", "en"]
    separators = re.compile(r"""replace\(\s*["'],["']|:,(\.\d+)?[fd]?\}""")  # "1,234".replace(",", " "), f"{x:,.2f}"
    for path in _sources():
        text = path.read_text(encoding="utf-8")
        if path.name == "catalogue.py":
            continue
        assert not lists.search(text), f"{path.relative_to(REPO)} defines its own list of languages"
        read_by_people = path.parts[-2] in ("bokeh_app", "views") or path.name in ("page.py", "explain.py", "labels.py")
        if read_by_people:  # technical logs and reports are English and may use Python's own format
            assert not separators.search(text), f"{path.relative_to(REPO)} writes thousands separators by hand"


def test_every_text_the_code_asks_for_exists_in_both_languages():
    asked = set()
    for path in _sources():
        asked |= set(re.findall(r"""catalogue\.t\(\s*f?["']([a-z0-9_]+)["']""", path.read_text(encoding="utf-8")))
    assert len(asked) > 50
    for key in sorted(asked):
        for lang in catalogue.LANGS:
            assert catalogue.t(key, lang).strip(), f"text {key!r} is empty in {lang}"


def test_french_and_english_number_formats():
    assert catalogue.number(1234567.891, "fr", 1) == f"1{NNBSP}234{NNBSP}567,9"
    assert catalogue.number(1234567.891, "en", 1) == "1,234,567.9"
    assert catalogue.percent(0.035, "fr") == f"3,5{NBSP}%" and catalogue.percent(0.035, "en") == "3.5%"
    assert catalogue.number(0.8, "fr", 1) == "0,8"
    assert catalogue.years(0.5, "fr") == f"0,5{NBSP}an" and catalogue.years(23, "fr", 0) == f"23{NBSP}ans"
    assert catalogue.years(1, "en", 0) == f"1{NBSP}year" and catalogue.years(1.5, "en") == f"1.5{NBSP}years"
    assert catalogue.day("2026-12-01T20:00:00+00:00", "fr") == "1 décembre 2026"
    assert catalogue.day("2026-12-01T20:00:00+00:00", "en") == "1 December 2026"
    assert catalogue.number(None) == catalogue.percent(float("nan")) == catalogue.money(None) == "—"


def test_currency_is_unset_by_default_and_configurable(monkeypatch):
    monkeypatch.delenv("CURRENCY", raising=False)
    assert catalogue.money(227250.4, "fr") == f"227{NNBSP}250"
    monkeypatch.setenv("CURRENCY", "eur")
    assert catalogue.money(227250.4, "fr") == f"227{NNBSP}250{NBSP}€"
    assert "¤" not in catalogue.money(1, "fr") + catalogue.money(1, "en")


def test_one_decision_vocabulary():
    assert catalogue.decision_label("grant", "fr") == "Crédit accordé"
    assert catalogue.decision_word("refuse", "en") == "✖ Loan refused"
    assert catalogue.DECISION_LABELS["fr"]["refuse"] == "Crédit refusé"


def test_an_unknown_language_or_text_is_refused_with_the_choices():
    with pytest.raises(ValueError, match="use one of fr, en"):
        catalogue.check_lang("de")
    assert catalogue.lang_or_default("de") == "fr" and catalogue.other_lang("fr") == "en"
    with pytest.raises(KeyError, match="no text 'nope' in words.csv"):
        catalogue.t("nope")


@pytest.mark.parametrize("x", [1e25, 1e30, 1.7e308])
def test_any_float_is_written_in_full_rather_than_failing(x):
    whole = int(Decimal(repr(x)))  # Babel writes the float's shortest decimal form
    assert catalogue.number(x, "fr").replace(NNBSP, "") == str(whole)
    assert catalogue.percent(x, "fr", 1).replace(NNBSP, "") == f"{whole * 100},0{NBSP}%"
    assert len(catalogue.money(x, "en").replace(",", "")) == len(str(whole))  # rounded to the unit first


@pytest.mark.parametrize(("typed", "lang", "value"), [
    ("867 894", "fr", 867894), (f"867{NNBSP}894", "fr", 867894), ("9,34", "fr", 9.34), (" 12 ", "fr", 12),
    ("867,894", "en", 867894), ("9.34", "en", 9.34)])
def test_a_number_typed_the_way_the_language_writes_it_is_read(typed, lang, value):
    assert catalogue.parse_number(typed, lang) == pytest.approx(value)


@pytest.mark.parametrize("typed", ["abc", "", "9,3,4x", "NaN", "Infinity", "12 mois"])
def test_anything_else_is_not_a_number(typed):
    with pytest.raises(ValueError):
        catalogue.parse_number(typed, "fr")
