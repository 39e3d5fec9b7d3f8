"""French number formats for the documents (Babel, fr_FR): 1 234 567, 3,5 %, 0,8."""
from __future__ import annotations

import math

from babel.numbers import format_decimal, format_percent

LOCALE = "fr_FR"


def num(value: float | int | None, digits: int = 0) -> str:
    """A number with French grouping and decimal comma; '—' when missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, format=pattern, locale=LOCALE)


def pct(value: float | None, digits: int = 1) -> str:
    """A share (0.035) as a French percentage ('3,5 %')."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    pattern = "#,##0" + ("." + "0" * digits if digits else "") + " %"
    return format_percent(value, format=pattern, locale=LOCALE)


def eur(value: float | None, digits: int = 0) -> str:
    """An amount in euros ('12 500 €')."""
    return "—" if value is None else f"{num(value, digits)} €"


def keur(value: float | None, digits: int = 1) -> str:
    """An amount in thousands of euros ('12,5 k€')."""
    return "—" if value is None else f"{num(value / 1000, digits)} k€"


FILTERS = {"num": num, "pct": pct, "eur": eur, "keur": keur}
