"""Where a client's value stands among the training clients, in the words of a reason."""
from __future__ import annotations

import math
from typing import TYPE_CHECKING

from modeling.wording import catalogue, labels

if TYPE_CHECKING:
    from modeling.serving.explain import PopulationStats

#: Units that labels.format_value writes as a magnitude (DAYS_BIRTH -9461 -> "25 ans").
SHOWN_AS_MAGNITUDE = ("days", "duration", "age", "months")


def position_phrase(position: tuple[float, float, float], lang: str = "fr") -> str:
    """Where a value stands among clients: ', plus que pour 91 % des clients' / ', higher than for 91% of clients'."""
    below, same, above = position
    if same >= 50:
        kind, share = "same", same
    elif abs(below + same / 2 - 50) <= 5:
        return catalogue.t("position_median", lang)
    elif below >= above:
        kind, share = "more", below
    else:
        kind, share = "less", above
    return catalogue.t(f"position_{kind}", lang, share=catalogue.percent(min(99.0, math.floor(share)) / 100, lang, 0))


def median_phrase(feature: str, population: PopulationStats, shown: str, lang: str = "fr") -> str:
    """What half of the clients have, next to the client's value ``shown``: ' (la moitié des clients : 2 ou moins)'.

    The median m is such that half of the clients have m or less and half m or more, whichever way the value is
    shown (-46 months as "46 mois"): "m or less" is true where "below m" is not (most clients have no refused
    application: none is below 0). When m is the lowest or highest value, at least half of the clients have m
    itself. Empty where the median says nothing: a yes/no, the client's own value, or days whose sign varies
    among clients (before and after a date read alike).
    """
    median = population.median(feature)
    kind = labels.unit(feature)
    if median is None or kind in ("flag", "category"):
        return ""
    text = labels.format_value(feature, median, lang)
    if text == shown:
        return ""
    if kind in SHOWN_AS_MAGNITUDE:
        below, _, above = population.position(feature, 0.0)
        if below > 0 and above > 0:
            return ""
    below, _, above = population.position(feature, median)
    if below == 0 or above == 0:
        return catalogue.t("reason_median_at", lang, median=text)
    return catalogue.t("reason_median_hour" if kind == "hours" else "reason_median", lang, median=text)
