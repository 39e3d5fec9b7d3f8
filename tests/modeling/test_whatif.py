"""What-if: changed loan terms move together, are scored by the client's own model through the same features, and
the counterfactual search names an amount that the model does grant."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from whatif_cases import refused_cases

from modeling.serving.loan_terms import MAX_DURATION, Terms, WhatIfError, apply
from modeling.serving.scorer import UnknownClient
from modeling.serving.whatif import WhatIf, round_unit
from modeling.wording import catalogue

pytestmark = pytest.mark.requirement("EXG-CLI-22")

BASE = Terms(amount=250_000.0, annuity=12_500.0, goods_price=225_000.0)  # 20 instalments


def test_a_smaller_amount_keeps_the_duration_and_lowers_the_annuity():
    terms = apply(BASE, {"amount": 180_000})
    assert terms.amount == 180_000 and math.isclose(terms.duration, 20) and math.isclose(terms.annuity, 9_000)
    assert terms.goods_price == BASE.goods_price


def test_annuity_and_duration_follow_each_other():
    assert math.isclose(apply(BASE, {"annuity": 10_000}).duration, 25)
    assert math.isclose(apply(BASE, {"duration": 40}).annuity, 6_250)


def test_a_cheaper_good_or_a_down_payment_lowers_the_credit():
    assert apply(BASE, {"goods_price": 200_000}).amount == 225_000
    with_down = apply(BASE, {"down_payment": 50_000})
    assert with_down.amount == 200_000 and math.isclose(with_down.duration, 20)


@pytest.mark.parametrize(("changes", "field"), [
    ({"annuity": 10_000, "duration": 24}, "duration"),
    ({"duration": MAX_DURATION + 1}, "duration"),
    ({"amount": "lots"}, "amount"),
    ({"amount": -5}, "amount"),
    ({"down_payment": 300_000}, "down_payment"),
    ({"rate": 2}, "rate"),
])
def test_an_impossible_change_is_refused_naming_its_field(changes, field):
    with pytest.raises(WhatIfError) as error:
        apply(BASE, changes)
    assert error.value.field == field and str(error.value).startswith(f"{field}: ")


@pytest.fixture(scope="module")
def cases(lightgbm_stack):
    return refused_cases(lightgbm_stack)


@pytest.fixture(scope="module")
def scorer(cases):
    return cases[0]


@pytest.fixture(scope="module")
def refused(cases):
    return cases[1], cases[2]


def test_the_counterfactual_amount_is_granted_and_said_in_one_sentence(refused):
    (whatif, counterfactual), _ = refused
    assert counterfactual.amount < whatif.base.amount
    sentence = catalogue.t("cf_amount", "fr", new=catalogue.money(counterfactual.amount, "fr"),
                           old=catalogue.money(whatif.base.amount, "fr"))
    assert sentence in counterfactual.sentences
    granted = whatif.simulate({"amount": counterfactual.amount}, "fr").result
    assert granted.decision == "grant" and granted.basis == whatif.scorer.bundle.basis(whatif.client_id)
    assert whatif.simulate({}, "fr").result.decision == "refuse"


def test_the_counterfactual_amount_is_the_largest_granted_to_the_rounding_unit(refused):
    """One rounding unit more than the amount found is refused: the search tried every rounded amount above the
    largest granted point of its grid, up to the next point."""
    (whatif, counterfactual), _ = refused
    unit = round_unit(whatif.base.amount)
    assert counterfactual.amount % unit == 0
    assert whatif.granted(apply(whatif.base, {"amount": counterfactual.amount}))
    assert not whatif.granted(apply(whatif.base, {"amount": counterfactual.amount + unit}))


def test_the_unchanged_application_gives_back_the_clients_own_score(scorer, refused):
    """The simulation scores with the model that scored the client (its fold model for a training client): with
    no change it reads the card's probability, decision and basis, never a 'granted' for a refused client."""
    (whatif, counterfactual), _ = refused
    unchanged = whatif.simulate({}, "en").result
    card = scorer.score(whatif.client_id, lang="en")
    assert unchanged.probability == pytest.approx(card.probability, abs=1e-12)
    assert (unchanged.decision, unchanged.basis) == (card.decision, card.basis)
    smaller = whatif.simulate({"amount": counterfactual.amount}, "en").result
    assert smaller.probability < unchanged.probability
    assert unchanged.reasons and all(r.sentence for r in smaller.reasons)


def test_terms_scored_together_get_the_probability_each_gets_alone(refused):
    """The search scores its amounts and durations in one pass over copies of the client's tables: each copy
    gets, to the bit, the features and probability the client's terms get alone, history tables included."""
    (whatif, _), _ = refused
    assert len(whatif.tables["bureau"]["SK_ID_CURR"]) or len(whatif.tables["previous_application"]["SK_ID_CURR"])
    many = [apply(whatif.base, {"amount": whatif.base.amount * share}) for share in (1.0, 0.9, 0.5, 0.25)]
    many += [apply(whatif.base, {"duration": months}) for months in (12, 36, MAX_DURATION)]
    together = whatif._features_of_each(many)
    alone = pd.concat([whatif._features(terms) for terms in many])
    pd.testing.assert_frame_equal(together, alone, check_exact=True)
    assert list(whatif.granted_each(many)) == [whatif.granted(terms) for terms in many]
    served = whatif.scorer.bundle.served(together)[0]
    assert served[0] == whatif.probability(whatif.base) and len(set(served)) > 1


def test_when_nothing_alone_is_enough_the_search_says_so(refused):
    _, none = refused
    if none is None:
        pytest.skip("every refused client of the test bank can be granted by one change")
    whatif, counterfactual = none
    assert counterfactual.sentences == [catalogue.t("cf_none", "fr", max=MAX_DURATION)]
    assert whatif.simulate({"duration": MAX_DURATION}, "fr").result.decision == "refuse"


def test_an_unknown_client_cannot_be_simulated(scorer):
    with pytest.raises(UnknownClient):
        WhatIf(scorer, 999_999_999)


def test_reasons_on_the_loan_terms_are_actionable_and_others_are_not():
    assert catalogue.actionable("AMT_CREDIT") and catalogue.actionable("ANNUITY_INCOME_RATIO")
    assert not catalogue.actionable("EXT_SOURCE_MEAN") and not catalogue.actionable("DAYS_BIRTH")
    assert catalogue.action("AMT_CREDIT", "en") == "ask for a smaller amount"
