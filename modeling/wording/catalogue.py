"""The one catalogue of words and formats read by people: languages, decisions, texts and Babel formatters.

The explanations, the API page and the dashboard all take their language list, their decision words, their
texts (``words.csv``: kind;key;fr;en, kind ``text``, ``category`` or ``actionable``) and their number, percentage, amount
and date formats from here; feature labels are composed by ``modeling.wording.labels`` from ``labels_catalogue.csv``.
French is written the French way (``1 234 567``, ``3,5 %``, ``0,8``) by Babel's CLDR rules.
"""
from __future__ import annotations

import csv
import decimal
import math
import os
from datetime import date, datetime
from functools import cache, wraps
from pathlib import Path

from babel.dates import format_date, format_datetime
from babel.numbers import (
    NumberFormatError,
    format_currency,
    format_decimal,
    format_percent,
    get_decimal_symbol,
    get_group_symbol,
    parse_decimal,
)

LANGS = ("fr", "en")
DEFAULT_LANG = "fr"
#: Babel locale of each language.
LOCALES = {"fr": "fr_FR", "en": "en_GB"}
#: The decision vocabulary: the model's decisions as every interface words them.
DECISIONS = {
    "grant": {"fr": "Crédit accordé", "en": "Loan granted"},
    "refuse": {"fr": "Crédit refusé", "en": "Loan refused"},
}
DECISION_SIGNS = {"grant": "✔", "refuse": "✖"}  # so that a decision never rests on colour alone
MISSING = "—"
_WORDS = Path(__file__).with_name("words.csv")


def check_lang(lang: str | None) -> str:
    """``lang`` if supported, else ValueError naming the languages to use."""
    if lang not in LANGS:
        raise ValueError(f"unsupported language {lang!r}: use one of {', '.join(LANGS)}")
    return lang


def lang_or_default(lang: str | None) -> str:
    """A supported language code (French when absent or unknown): for pages that must still answer."""
    return lang if lang in LANGS else DEFAULT_LANG


def other_lang(lang: str) -> str:
    """The language a page offers to switch to."""
    return LANGS[(LANGS.index(lang_or_default(lang)) + 1) % len(LANGS)]


def decision_label(decision: str, lang: str = DEFAULT_LANG) -> str:
    """'Crédit accordé' / 'Loan refused' for a model decision ('grant' or 'refuse')."""
    return DECISIONS[decision][check_lang(lang)]


def decision_word(decision: str, lang: str = DEFAULT_LANG) -> str:
    """The decision with its sign, '✔ Crédit accordé', for tables and plots."""
    return f"{DECISION_SIGNS[decision]} {decision_label(decision, lang)}"


#: {lang: {decision: label}}: the model's decision labels (modeling.serving.scorer).
DECISION_LABELS = {lang: {d: words[lang] for d, words in DECISIONS.items()} for lang in LANGS}


@cache
def _words() -> dict[str, dict[str, dict[str, str]]]:
    """The rows of words.csv by kind then key, read once on first use."""
    out: dict[str, dict[str, dict[str, str]]] = {}
    with _WORDS.open(encoding="utf-8", newline="") as handle:
        for line, row in enumerate(csv.DictReader(handle, delimiter=";"), start=2):
            if None in row.values() or set(row) != {"kind", "key", *LANGS}:
                raise ValueError(f"{_WORDS.name} line {line}: expected kind;key;{';'.join(LANGS)}")
            out.setdefault(row["kind"], {})[row["key"]] = {lang: row[lang] for lang in LANGS}
    return out


def t(key: str, lang: str = DEFAULT_LANG, **values) -> str:
    """The text ``key`` in ``lang`` with its {placeholders} filled; KeyError for a key words.csv lacks."""
    try:
        text = _words()["text"][key][check_lang(lang)]
    except KeyError:
        raise KeyError(f"no text {key!r} in {_WORDS.name}") from None
    return text.format(**values) if values else text


def texts(prefix: str, lang: str = DEFAULT_LANG) -> dict[str, str]:
    """Every text whose key starts with ``prefix``, by key without it (the texts of one page)."""
    lang = check_lang(lang)
    return {key[len(prefix):]: words[lang] for key, words in _words()["text"].items() if key.startswith(prefix)}


def actionable(feature: str) -> bool:
    """True if the client can act on this feature (words.csv kind ``actionable``: the terms of the loan)."""
    return feature in _words().get("actionable", {})


def action(feature: str, lang: str = DEFAULT_LANG) -> str | None:
    """What the client can do about an actionable feature, in the reader's language; None for the others."""
    words = _words().get("actionable", {}).get(feature)
    return None if words is None else words[check_lang(lang)]


def category(value, lang: str = DEFAULT_LANG) -> str:
    """A category of the application form in the reader's language (unknown ones shown as they are)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return t("unknown", lang)
    return _words()["category"].get(str(value), {}).get(check_lang(lang), str(value))


def categories() -> dict[str, dict[str, str]]:
    """Every category value of words.csv with its words by language (raw value -> {lang: words})."""
    return _words()["category"]


def _missing(x) -> bool:
    return x is None or not math.isfinite(float(x))


def _pattern(digits: int) -> str:
    return "#,##0" + ("." + "0" * digits if digits > 0 else "")


def _any_float(formatter):
    """Run a Babel formatter with enough decimal digits for any float: Babel rounds in the current decimal
    context (28 digits), where 1e25 shown with one decimal raises InvalidOperation."""

    @wraps(formatter)
    def formatted(*args, **kwargs) -> str:
        with decimal.localcontext(prec=_FLOAT_DIGITS):
            return formatter(*args, **kwargs)

    return formatted


#: Digits of the largest float (1.8e308) written in full, with room for decimals.
_FLOAT_DIGITS = 330


@_any_float
def number(x: float | None, lang: str = DEFAULT_LANG, digits: int = 0) -> str:
    """12345.6 -> '12 346' (fr) or '12,346' (en); '—' when missing."""
    if _missing(x):
        return MISSING
    return format_decimal(float(x), format=_pattern(digits), locale=LOCALES[check_lang(lang)])


def parse_number(text: str, lang: str = DEFAULT_LANG) -> float:
    """A finite number typed the way ``lang`` writes it ('867 894' or '9,34' in French, '867,894' or '9.34' in
    English); ValueError for anything else."""
    compact = "".join(str(text).split())  # spaces, no-break ones included, only ever group digits
    try:
        value = float(parse_decimal(compact, locale=LOCALES[check_lang(lang)], strict=True))
    except NumberFormatError:
        raise ValueError(f"{str(text)[:20]!r} is not a number in {lang}") from None
    if not math.isfinite(value):
        raise ValueError(f"{str(text)[:20]!r} is not a finite number")
    return value


@_any_float
def percent(x: float | None, lang: str = DEFAULT_LANG, digits: int = 1) -> str:
    """A fraction as a percentage: 0.0823 -> '8,2 %' (fr) or '8.2%' (en); '—' when missing."""
    if _missing(x):
        return MISSING
    suffix = "\u00a0%" if lang == "fr" else "%"  # CLDR fr puts a no-break space before the sign
    return format_percent(float(x), format=_pattern(digits) + suffix, locale=LOCALES[check_lang(lang)])


def currency() -> str | None:
    """The ISO code of amounts (env CURRENCY, e.g. EUR); None (the default) writes amounts without a sign."""
    code = (os.environ.get("CURRENCY") or "").strip().upper()
    return code or None


@_any_float
def money(x: float | None, lang: str = DEFAULT_LANG) -> str:
    """An amount, rounded to the unit, with the CURRENCY sign when one is set: '227 250' or '227 250 €'."""
    if _missing(x):
        return MISSING
    code = currency()
    locale = LOCALES[check_lang(lang)]
    if code is None:
        return format_decimal(round(float(x)), format="#,##0", locale=locale)
    return format_currency(round(float(x)), code, format="#,##0\u00a0¤" if lang == "fr" else "¤#,##0",
                           locale=locale, currency_digits=False)


def years(x: float | None, lang: str = DEFAULT_LANG, digits: int = 1) -> str:
    """A duration in years: '23 ans', '0,5 an', '1 year', '2.5 years'; '—' when missing."""
    if _missing(x):
        return MISSING
    shown = round(float(x), digits)
    return f"{number(shown, lang, digits)}\u00a0{t('years' if plural(shown, lang) else 'year', lang)}"


def plural(x: float, lang: str = DEFAULT_LANG) -> bool:
    """Whether a unit after the number x takes the plural: French from 2 on ('1,5 an'), English unless 1."""
    return abs(x) >= 2 if lang == "fr" else abs(x) != 1


def day(value: date | datetime | str | None, lang: str = DEFAULT_LANG) -> str:
    """A date in words: '1 décembre 2026' / '1 December 2026'; '—' when missing or unreadable."""
    if value is None:
        return MISSING
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return MISSING
    return format_date(value, format="long", locale=LOCALES[check_lang(lang)])


def moment(value: datetime | str | None, lang: str = DEFAULT_LANG, short: bool = False) -> str:
    """A date and time: '7 décembre 2026 à 16:58' / '7 December 2026 at 16:58'; short: '7 déc. 16:58' / '7 Dec 16:58'."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return MISSING
    if value is None:
        return MISSING
    locale = LOCALES[check_lang(lang)]
    if short:
        return format_datetime(value, format="d MMM HH:mm", locale=locale)
    return t("date_at_time", lang, day=format_date(value, format="long", locale=locale),
             time=format_datetime(value, format="HH:mm", locale=locale))


def separators(lang: str = DEFAULT_LANG) -> tuple[str, str]:
    """(thousands separator, decimal mark) of a language, for number formats drawn in the browser."""
    locale = LOCALES[check_lang(lang)]
    return get_group_symbol(locale), get_decimal_symbol(locale)
