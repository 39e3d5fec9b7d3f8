"""French formats of the documents, through the product's catalogue (Babel): 1 234 567, 3,5 %, 1er décembre 2026,
and French typography of the prose (no-break spaces before « : ; ! ? % » and inside « »)."""
from __future__ import annotations

import re
from datetime import date, datetime

from modeling.wording import catalogue

LOCALE = "fr_FR"
NNBSP, NBSP = "\u202f", "\u00a0"  # narrow no-break space (before ; ! ?), no-break space (before : and %, in « »)
# Code spans, fenced code, links' targets and bare URLs keep their characters.
PROTECTED = re.compile(r"```.*?```|`[^`\n]*`|\]\([^)\s]*\)|https?://\S+|<!--.*?-->", re.S)


def num(value: float | int | None, digits: int = 0) -> str:
    """A number with French grouping and decimal comma; '—' when missing."""
    return catalogue.number(value, "fr", digits)


def pct(value: float | None, digits: int = 1) -> str:
    """A share (0.035) as a French percentage ('3,5 %')."""
    return catalogue.percent(value, "fr", digits)


def eur(value: float | None, digits: int = 0) -> str:
    """An amount in euros ('12 500 €')."""
    return catalogue.MISSING if value is None else f"{num(value, digits)}{NBSP}€"


def keur(value: float | None, digits: int = 1) -> str:
    """An amount in thousands of euros ('12,5 k€')."""
    return catalogue.MISSING if value is None else f"{num(value / 1000, digits)}{NBSP}k€"


def day(value: date | datetime | str | None) -> str:
    """A date in French words, the first of the month as an ordinal: '1er décembre 2026', '2 décembre 2026'."""
    text = catalogue.day(value, "fr")
    return re.sub(r"^1 ", "1er ", text).replace(" ", NBSP) if text[:1].isdigit() else text  # a date never breaks


def moment(value: str | datetime) -> str:
    """A date and time in French: '25 novembre 2026, 22 h 50'."""
    when = datetime.fromisoformat(value) if isinstance(value, str) else value
    return f"{day(when)}, {when.hour}{NBSP}h{NBSP}{when.minute:02d}"


def _spaces(text: str) -> str:
    text = re.sub(r"[ \u00a0\u202f]*([;!?])(?=\s|$|\))", lambda m: NNBSP + m.group(1), text)
    text = re.sub(r"(?<=\S)[ \u00a0\u202f]*:(?=\s|$)", NBSP + ":", text)
    text = re.sub(r"(?<=\d)[ \u00a0\u202f]*%", NBSP + "%", text)
    text = re.sub(r"«[ \u00a0\u202f]*", "«" + NBSP, text)
    return re.sub(r"[ \u00a0\u202f]*»", NBSP + "»", text)


def typography(text: str) -> str:
    """French spacing of the prose of a Markdown text; code, links and comments are left as they are."""
    kept: list[str] = []

    def keep(match: re.Match) -> str:
        kept.append(match.group(0))
        return f"\ue000{len(kept) - 1}\ue001"  # a placeholder without spaces, so the prose around reads the same

    spaced = _spaces(PROTECTED.sub(keep, text))
    return re.sub("\ue000(\\d+)\ue001", lambda m: kept[int(m.group(1))], spaced)


FILTERS = {"num": num, "pct": pct, "eur": eur, "keur": keur, "day": day, "moment": moment}
