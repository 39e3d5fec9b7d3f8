"""The monitoring report's and the "Surveillance" tab's words and formats, read from the project's catalogue.

Texts are the ``monitor_*`` rows of ``words.csv`` and numbers use the catalogue's Babel formats; what is
particular to monitoring is here: the level written with a sign, and bins of numbers written the French way.
"""

from __future__ import annotations

import re

from modeling.wording import catalogue

_NUMERIC_LABEL = re.compile(r"^(≤ |> )?-?[\d,]+(\.\d+)?( – -?[\d,]+(\.\d+)?)?$")
LEVEL_SIGNS = {"stable": "●", "watch": "▲", "act": "■"}  # so that a level never rests on colour alone


def word(key: str, lang: str = "fr", **values) -> str:
    """The monitoring text ``key`` in ``lang`` (French when the language is unknown), placeholders filled."""
    return catalogue.t(f"monitor_{key}", catalogue.lang_or_default(lang), **values)


def level_word(level: str, lang: str = "fr") -> str:
    """The level written for people, with its sign: '▲ à surveiller'."""
    return f"{LEVEL_SIGNS[level]} {word(level, lang)}"


def decimal(x: float | None, lang: str = "fr", digits: int = 2) -> str:
    """0.1234 -> '0,12' (fr) or '0.12' (en); '—' when missing."""
    return catalogue.number(x, catalogue.lang_or_default(lang), digits)


def percent(x: float | None, lang: str = "fr", digits: int = 1) -> str:
    """0.035 -> '3,5 %' (fr) or '3.5%' (en); '—' when missing."""
    return catalogue.percent(x, catalogue.lang_or_default(lang), digits)


def integer(x: float | None, lang: str = "fr") -> str:
    """12345 -> '12 345' (fr) or '12,345' (en); '—' when missing."""
    return catalogue.number(x, catalogue.lang_or_default(lang))


def bin_label(label: str, lang: str = "fr") -> str:
    """A bin of numbers written the French way (``≤ 74 250``, ``0,05 – 0,1``); other bins as they are."""
    if label in ("missing", "other"):
        return word(f"bin_{label}", lang)
    if lang != "fr" or not _NUMERIC_LABEL.match(label):
        return label
    return label.replace(",", "\u202f").replace(".", ",")
