"""Loan terms and how a what-if changes them: the levers, the bounds of each, and how the terms move together.

How the terms move together (``apply``):

- ``goods_price`` changed and ``amount`` not given: the credit moves by the same difference (a cheaper good
  needs a smaller loan);
- ``down_payment``: paid by the client, it is taken off the credit (the goods price stays);
- the duration, in monthly instalments, is ``AMT_CREDIT / AMT_ANNUITY`` (interest left out, as the feature
  ``CREDIT_ANNUITY_RATIO`` reads it); it is kept when the amount changes, so the annuity is recomputed;
- ``annuity`` given: the duration follows (amount / annuity); ``duration`` given: the annuity follows;
  giving both is refused.

Nothing here scores: ``modeling.serving.whatif`` asks the model about the terms made here; the API checks a request with
``check_changes`` before it looks the client up, and its OpenAPI schema states ``BOUNDS``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from modeling.wording import catalogue

#: The levers, in the order a form shows them (API field names).
LEVERS = ("amount", "annuity", "duration", "goods_price", "down_payment")
#: The longest duration (monthly instalments) a what-if or the counterfactual search may propose.
MAX_DURATION = 60
#: The values a what-if accepts for each lever, (lowest, highest): amounts in the application's currency, the
#: duration in monthly instalments. The API's schema, the dashboard's panel and the user guide state these.
BOUNDS: dict[str, tuple[int, int]] = {
    "amount": (1, 10_000_000),
    "annuity": (1, 1_000_000),
    "duration": (1, MAX_DURATION),
    "goods_price": (1, 10_000_000),
    "down_payment": (0, 10_000_000),
}
#: Kinds of WhatIfError that the client's own terms cause (the changes alone are well formed).
TERMS_KINDS = frozenset({"nothing", "long", "short"})


class WhatIfError(ValueError):
    """A change that cannot be applied; ``field`` names the offending lever, ``kind`` the catalogue's words
    for advisors (text ``whatif_err_<kind>``), ``message`` the English one-liner of the API."""

    def __init__(self, field_name: str, kind: str, message: str):
        super().__init__(f"{field_name}: {message}")
        self.field, self.kind, self.message = field_name, kind, message

    def words(self, lang: str) -> str:
        """The error in the advisor's language, naming the field by its label (and its bounds)."""
        label = catalogue.t(f"whatif_{self.field}", lang) if self.field in LEVERS else self.field
        low, high = BOUNDS.get(self.field, (0, 0))
        return catalogue.t(f"whatif_err_{self.kind}", lang, field=label, max=MAX_DURATION,
                           low=catalogue.number(low, lang), high=catalogue.number(high, lang))


@dataclass(frozen=True)
class Terms:
    """The loan terms of an application: credit amount, annuity and goods price."""

    amount: float
    annuity: float
    goods_price: float

    @property
    def duration(self) -> float:
        """Number of monthly instalments (amount / annuity)."""
        return self.amount / self.annuity

    def to_dict(self) -> dict:
        """JSON-ready terms (an unknown goods price as None)."""
        out = {"amount": self.amount, "annuity": self.annuity, "goods_price": self.goods_price, "duration": self.duration}
        return {k: v if math.isfinite(v) else None for k, v in out.items()}


def check_changes(changes: dict) -> dict[str, float]:
    """The changes as floats within BOUNDS; WhatIfError naming the first unknown lever or bad value."""
    out = {}
    for name, value in changes.items():
        if name not in LEVERS:
            raise WhatIfError(name, "unknown", f"unknown field; the levers are {', '.join(LEVERS)}")
        if isinstance(value, bool) or not isinstance(value, int | float):  # null too: leave a field out to keep it
            raise WhatIfError(name, "number", f"{_shown(value)} is not a number")
        low, high = BOUNDS[name]
        if not low <= value <= high:  # compared before any float(): NaN, infinities and huge integers fail here
            raise WhatIfError(name, "range", f"{_shown(value)} is out of range: give a number from {low} to {high}")
        out[name] = float(value)
    if "annuity" in out and "duration" in out:
        raise WhatIfError("duration", "both", "give the annuity or the duration, not both (one follows from the other)")
    return out


def _shown(value: object) -> str:
    """A caller's value quoted in an error, cut to 20 characters."""
    text = repr(value)
    return text if len(text) <= 20 else text[:19] + "…"


def apply(base: Terms, changes: dict) -> Terms:
    """The terms after the changes, moved together as the module says; WhatIfError for impossible ones."""
    changes = check_changes(changes)
    goods = changes.get("goods_price", base.goods_price)
    moved = goods - base.goods_price if "goods_price" in changes and math.isfinite(base.goods_price) else 0.0
    amount = changes.get("amount", base.amount + moved)
    amount -= changes.get("down_payment", 0.0)
    if amount < 1:
        field_name = "down_payment" if "down_payment" in changes else "goods_price" if "amount" not in changes else "amount"
        raise WhatIfError(field_name, "nothing", f"the credit would be {amount:,.0f}: nothing left to lend")
    if "annuity" in changes:
        annuity = changes["annuity"]
        shortest, longest = BOUNDS["duration"]
        if amount / annuity > longest:
            raise WhatIfError("annuity", "long", f"{annuity:g} repays {amount:,.0f} in more than {longest} instalments")
        if amount / annuity < shortest:
            raise WhatIfError("annuity", "short", f"{annuity:g} is more than the whole credit of {amount:,.0f}")
    else:
        annuity = amount / changes.get("duration", base.duration)
    return Terms(amount=amount, annuity=annuity, goods_price=goods)


def duration_text(months: float, lang: str) -> str:
    """A duration as people read it: whole instalments ('24'), else with two decimals ('9,34': amount / annuity)."""
    return catalogue.number(months, lang, digits=0 if round(months, 2) == round(months) else 2)
