"""The one catalogue of human labels: feature names -> French/English wording, business group and unit.

The words live in ``labels_catalogue.csv`` (semicolon-separated: kind;key;group;unit;fr;en) with
five kinds of rows: ``group`` (business groups), ``prefix`` (a child table or a subset of it),
``agg`` (templates for MEAN/MIN/MAX/SUM/STD/SHARE), ``column`` (a raw or derived column, French
with its article so that "de le" can become "du"), ``category`` (a category value, key
COLUMN=SLUG) and ``feature`` (a full label for one exact feature name, which wins over composition).
Aggregate names are composed from their parts: ``INSTAL_`` + ``DAYS_LATE`` + ``_MAX`` gives
"Maximum du retard de paiement sur les échéances des prêts Home Credit (jours)".
"""

from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from modeling.features.aggregate import slugify
from modeling.wording import catalogue

#: days: a delay counted in days; duration: days counted back, read in years; age: days of life, completed years;
#: share: a fraction read as a percentage; times: a multiple ("3,5 fois"); level: a band or rating on a short
#: scale of whole numbers ("la pire tranche de retard (0 à 5)").
UNITS = ("days", "duration", "age", "years", "months", "hours", "currency", "ratio", "share", "times", "count",
         "level", "score", "flag", "number", "category")
#: Units whose values are whole numbers as they are shown: a minimum, maximum or total of them is one too,
#: an average or a spread is not.
WHOLE_UNITS = ("count", "level", "flag", "days", "months", "hours", "years")
_WHOLE_AGGS = ("MIN", "MAX", "SUM")
_CATALOGUE = Path(__file__).with_name("labels_catalogue.csv")
_AGGS = ("MEAN", "MIN", "MAX", "SUM", "STD", "SHARE")
_NBSP = "\u00a0"
DAYS_PER_YEAR = 365.25
_DOCUMENT = re.compile(r"^FLAG_DOCUMENT_(\d+)$")


@dataclass(frozen=True)
class _Entry:
    group: str
    unit: str
    fr: str
    en: str


@dataclass(frozen=True)
class _Label:
    fr: str
    en: str
    group: str
    unit: str
    whole: bool  # every value is a whole number of the unit it is shown in


@cache
def _catalogue() -> dict[str, dict[str, _Entry]]:
    """Catalogue rows by kind then key, read once on first use."""
    out: dict[str, dict[str, _Entry]] = {}
    with _CATALOGUE.open(encoding="utf-8", newline="") as handle:
        for line, row in enumerate(csv.DictReader(handle, delimiter=";"), start=2):
            if None in row.values() or len(row) != 6:
                raise ValueError(f"{_CATALOGUE.name} line {line}: expected 6 fields kind;key;group;unit;fr;en")
            out.setdefault(row["kind"], {})[row["key"]] = _Entry(row["group"], row["unit"], row["fr"], row["en"])
    return out


def feature_label(name: str, lang: str = "fr") -> str:
    """Human label of a feature in ``lang`` ("fr" or "en"); KeyError for a name the catalogue cannot word."""
    return getattr(_label(name), _check_lang(lang))


def feature_group(name: str) -> str:
    """Business group key of a feature (e.g. "payment_history")."""
    return _label(name).group


def group_label(key: str, lang: str = "fr") -> str:
    """Human label of a business group."""
    entry = _catalogue()["group"].get(key)
    if entry is None:
        raise KeyError(f"unknown feature group {key!r}")
    return getattr(entry, _check_lang(lang))


def groups() -> list[str]:
    """All business group keys, in catalogue order."""
    return list(_catalogue()["group"])


def unit(name: str) -> str:
    """Unit of a feature's values: days, years, months, hours, currency, ratio, share, count, level, score, flag..."""
    return _label(name).unit


def whole(name: str) -> bool:
    """Whether a feature only takes whole numbers as shown (a count, a level, a maximum of days), never 2,5."""
    return _label(name).whole


def format_value(name: str, value: float | None, lang: str = "fr") -> str:
    """A feature value written for people, e.g. DAYS_BIRTH -9461 -> "25 ans", ANNUITY_INCOME_RATIO 0.49 -> "49 %"."""
    lang = _check_lang(lang)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return catalogue.t("not_given", lang)
    kind, value = unit(name), float(value)
    digits = 0 if whole(name) or value.is_integer() else 1  # a median between two counts is still a count
    if kind == "age":
        return catalogue.years(math.floor(abs(value) / DAYS_PER_YEAR), lang, 0)  # completed years, as on the card
    if kind == "duration":
        return catalogue.years(abs(value) / DAYS_PER_YEAR, lang, 1)
    if kind == "days":
        days = round(abs(value), 0 if abs(value) >= 10 else digits)
        return f"{catalogue.number(days, lang, 0 if days >= 10 else digits)}{_NBSP}" \
               f"{catalogue.t('days' if catalogue.plural(days, lang) else 'day', lang)}"
    if kind == "months":
        months = abs(value)
        return f"{catalogue.number(months, lang, 0)}{_NBSP}{catalogue.t('months' if catalogue.plural(months, lang) else 'month', lang)}"
    if kind == "years":
        return catalogue.years(value, lang, digits)
    if kind == "hours":
        return catalogue.t("hour", lang, h=int(value))
    if kind == "currency":
        return catalogue.money(value, lang)
    if kind == "share":
        return catalogue.percent(value, lang, 0)
    if kind == "times":
        return catalogue.t("times", lang, x=catalogue.number(value, lang, 1))
    if kind == "flag":
        return catalogue.t("yes" if value >= 0.5 else "no", lang).lower()
    if kind in ("count", "level"):
        return catalogue.number(value, lang, digits)
    if kind in ("ratio", "score"):
        return catalogue.number(value, lang, 2)
    return catalogue.number(value, lang, 2 if abs(value) < 1 else 1 if abs(value) < 100 else 0)  # 0,02 · 8,3 · 120


def _check_lang(lang: str) -> str:
    return catalogue.check_lang(lang)


@cache
def _label(name: str) -> _Label:
    """Label, group and unit of a feature name: exact entry, application column, or composed aggregate."""
    cat = _catalogue()
    if name in cat["feature"]:
        e = cat["feature"][name]
        return _Label(e.fr, e.en, e.group, e.unit, e.unit in WHOLE_UNITS and _agg_of(name) in (None, *_WHOLE_AGGS))
    prefix = _prefix_of(name)
    if prefix is None:
        return _application_label(name)
    return _aggregate_label(name, prefix)


def _prefix_of(name: str) -> str | None:
    """The longest catalogue prefix that starts ``name``."""
    matches = [p for p in _catalogue()["prefix"] if name.startswith(p)]
    return max(matches, key=len) if matches else None


def _application_label(name: str) -> _Label:
    """Label of an application feature: a column, a document flag or a one-hot category."""
    cat = _catalogue()
    if name in cat["column"]:
        e = cat["column"][name]
        return _Label(_sentence(_bare(e.fr)), _sentence(e.en), e.group, e.unit, e.unit in WHOLE_UNITS)
    if m := _DOCUMENT.match(name):
        return _Label(f"Document n°{m[1]} fourni", f"Document no. {m[1]} provided", "documents_contact", "flag", True)
    column, value = _split_category(name)
    e = cat["column"][column]
    fr_value, en_value = _category_words(column, value)
    return _Label(f"{_sentence(_bare(e.fr))}{_NBSP}: {fr_value}", f"{_sentence(e.en)}: {en_value}", e.group, "flag",
                  True)


def _aggregate_label(name: str, prefix: str) -> _Label:
    """Label of a child-table aggregate ``{prefix}{BASE}_{AGG}`` composed from the catalogue parts."""
    cat = _catalogue()
    pre = cat["prefix"][prefix]
    rest = name[len(prefix):]
    agg = rest.rsplit("_", 1)[-1]
    if agg not in _AGGS:
        raise KeyError(f"feature {name!r}: no label and no known aggregation suffix")
    base = rest[: -len(agg) - 1]
    if agg == "SHARE" and _column(base, prefix) is None:
        column, value = _split_category(base)
        col = cat["column"][column]
        fr_value, en_value = _category_words(column, value)
        template = cat["agg"]["SHARE"]
        fr = template.fr.format(ctx_bare=pre.fr, col=_bare(col.fr), value=fr_value)
        en = template.en.format(ctx_bare=re.sub(r"^(of|in|on|over|per) ", "", pre.en), col=col.en, value=en_value)
        return _Label(_sentence(_contract(fr)), _sentence(en), pre.group, "share", False)
    col = _column(base, prefix)
    if col is None:
        raise KeyError(f"feature {name!r}: column {base!r} has no entry in {_CATALOGUE.name}")
    key = f"FLAG_{agg}" if col.unit == "flag" and agg in ("MEAN", "SUM") else agg
    template = cat["agg"][key]
    fr = _contract(template.fr.format(col=col.fr, ctx=" " + pre.fr))
    en = template.en.format(col=col.en, ctx=" " + pre.en)
    value_unit = {"FLAG_MEAN": "share", "FLAG_SUM": "count"}.get(key, col.unit)
    suffix = {"days": (" (jours)", " (days)"), "months": (" (mois)", " (months)")}.get(value_unit, ("", ""))
    return _Label(_sentence(fr) + suffix[0], _sentence(en) + suffix[1], pre.group, value_unit,
                  value_unit in WHOLE_UNITS and agg in _WHOLE_AGGS)


def _agg_of(name: str) -> str | None:
    """The aggregation a feature name ends with (INSTAL_DAYS_LATE_MEAN -> MEAN), None for a plain one."""
    agg = name.rsplit("_", 1)[-1]
    return agg if agg in _AGGS else None


def _column(base: str, prefix: str) -> _Entry | None:
    """Column entry for ``base`` scoped to the prefix (INSTAL_12M_ -> INSTAL_), else the generic one."""
    columns = _catalogue()["column"]
    family = prefix.split("_", 1)[0] + "_"
    return columns.get(f"{prefix}:{base}") or columns.get(f"{family}:{base}") or columns.get(base)


def _split_category(name: str) -> tuple[str, str]:
    """(categorical column, value slug) of a one-hot name such as NAME_CONTRACT_TYPE_CASH_LOANS."""
    columns = [k for k, e in _catalogue()["column"].items() if e.unit == "category" and name.startswith(k + "_")]
    if not columns:
        raise KeyError(f"feature {name!r} has no entry in {_CATALOGUE.name}")
    column = max(columns, key=len)
    return column, name[len(column) + 1:]


def _category_words(column: str, slug: str) -> tuple[str, str]:
    """French and English words for a category value; the value itself, readable, when not translated."""
    categories = _catalogue()["category"]
    entry = categories.get(f"{column}={slug}") or categories.get(slug if slug == "OTHER" else "")
    if entry is not None:
        return entry.fr, entry.en
    words = _application_categories().get(slug)
    if words is not None:  # a value of the application form, translated in the catalogue (Laborers -> ouvriers)
        return _lower_first(words["fr"]), words["en"]
    text = slug.replace("_", " ").lower()
    return text, text


@cache
def _application_categories() -> dict[str, dict[str, str]]:
    """The catalogue's category words by the slug a one-hot column name carries (LABORERS, MONDAY)."""
    return {slugify(value): words for value, words in catalogue.categories().items()}


def _lower_first(text: str) -> str:
    """'Ouvriers' -> 'ouvriers' inside a sentence; acronyms ('IT staff') stay as they are."""
    return text if text[:2].isupper() else text[:1].lower() + text[1:]


def _bare(phrase: str) -> str:
    """French noun phrase without its leading article ("le retard" -> "retard")."""
    for article in ("le ", "la ", "les ", "l'", "un ", "une "):
        if phrase.startswith(article):
            return phrase[len(article):]
    return phrase


def _contract(text: str) -> str:
    """French contractions after composition: de le -> du, de les -> des, de l' stays, à le -> au."""
    text = re.sub(r"\bde le\b", "du", text)
    text = re.sub(r"\bde les\b", "des", text)
    text = re.sub(r"\bà le\b", "au", text)
    text = re.sub(r"\bà les\b", "aux", text)
    text = re.sub(r"\bde (un|une)\b", r"d'\1", text)
    return text


def _sentence(text: str) -> str:
    """First letter upper-case."""
    return text[:1].upper() + text[1:]
