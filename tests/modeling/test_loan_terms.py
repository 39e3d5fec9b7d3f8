"""What a what-if accepts: every lever within its bounds (stated once, in modeling.serving.loan_terms, and in the user guide),
numbers only, and terms that the application can take."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from modeling.serving.loan_terms import (
    BOUNDS,
    LEVERS,
    TERMS_KINDS,
    Terms,
    WhatIfError,
    apply,
    check_changes,
    duration_text,
)
from modeling.wording import catalogue

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "user-guide.md"
BASE = Terms(amount=867_894.0, annuity=92_892.0, goods_price=800_000.0)  # 9.34 instalments


@pytest.mark.parametrize(("changes", "field", "kind"), [
    ({"amount": 1e11}, "amount", "range"),
    ({"amount": 840_514_781_000}, "amount", "range"),
    ({"goods_price": 1e30}, "goods_price", "range"),
    ({"annuity": 0.5}, "annuity", "range"),
    ({"duration": 61}, "duration", "range"),
    ({"duration": 10**400}, "duration", "range"),  # an integer too large for a float
    ({"down_payment": -1}, "down_payment", "range"),
    ({"amount": float("nan")}, "amount", "range"),
    ({"amount": float("inf")}, "amount", "range"),
    ({"duration": None}, "duration", "number"),  # null does not mean "unchanged": leave the field out
    ({"duration": "abc"}, "duration", "number"),
])
def test_a_value_out_of_its_bounds_or_not_a_number_is_refused_naming_its_field(changes, field, kind):
    with pytest.raises(WhatIfError) as error:
        check_changes(changes)
    assert (error.value.field, error.value.kind) == (field, kind)
    assert "\n" not in error.value.message and len(error.value.message) < 120


def test_the_bounds_themselves_are_accepted():
    for lever in LEVERS:
        for value in BOUNDS[lever]:
            assert check_changes({lever: value}) == {lever: float(value)}


def test_the_advisor_reads_the_bounds_in_the_error():
    with pytest.raises(WhatIfError) as error:
        check_changes({"duration": 600})
    assert error.value.words("fr") == catalogue.t("whatif_err_range", "fr", field="Durée (mensualités)", low="1",
                                                  high="60")


@pytest.mark.parametrize(("changes", "field"), [
    ({"annuity": 900_000}, "annuity"),  # more than the whole credit: less than one instalment
    ({"annuity": 10_000}, "annuity"),  # more than 60 instalments
    ({"down_payment": 900_000}, "down_payment"),  # nothing left to lend
])
def test_terms_the_application_cannot_take_are_told_apart_from_malformed_ones(changes, field):
    check_changes(changes)  # well formed
    with pytest.raises(WhatIfError) as error:
        apply(BASE, changes)
    assert error.value.field == field and error.value.kind in TERMS_KINDS


def test_a_duration_is_written_as_simulated():
    assert duration_text(BASE.duration, "fr") == "9,34" and duration_text(BASE.duration, "en") == "9.34"
    assert duration_text(24.0, "fr") == "24" and duration_text(23.999, "fr") == "24"


def test_the_user_guide_states_the_bounds_of_the_code():
    guide = re.sub(r"[\u00a0\u202f]", " ", GUIDE.read_text(encoding="utf-8"))
    for lever in LEVERS:
        low, high = (catalogue.number(v, "fr").replace("\u202f", " ") for v in BOUNDS[lever])
        line = f"- {catalogue.t(f'whatif_{lever}', 'fr')} : de {low} à {high}"
        assert line in guide, f"the user guide does not say: {line}"
