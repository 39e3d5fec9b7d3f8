"""The cost matrix chooses the decision threshold: hand-made cases and a large calibrated sample."""

from __future__ import annotations

import numpy as np
import pytest

from modeling.serving.threshold import (
    CostMatrix,
    best_cost_threshold,
    best_f1_threshold,
    decide,
    threshold_table,
)

pytestmark = pytest.mark.requirement("EXG-MOD-05")


def test_hand_made_example_has_known_best_threshold():
    p = np.array([0.05, 0.10, 0.20, 0.30, 0.60, 0.90])
    y = np.array([0, 0, 1, 0, 1, 1])
    # FN = 10, FP = 1: refusing from 0.20 up costs 1 (the good client at 0.30); any higher threshold lets a
    # default through (cost 10), any lower one refuses more good clients.
    choice = best_cost_threshold(y, p, CostMatrix(fn=10, fp=1))
    assert choice.threshold == pytest.approx(0.15)
    assert (choice.cost, choice.fn, choice.fp, choice.tp, choice.tn) == (1, 0, 1, 3, 2)
    assert choice.approval_rate == pytest.approx(2 / 6)
    assert list(decide(p, choice.threshold)) == ["grant", "grant", "refuse", "refuse", "refuse", "refuse"]


def test_cheap_defaults_move_the_threshold_up():
    p = np.array([0.05, 0.10, 0.20, 0.30, 0.60, 0.90])
    y = np.array([0, 0, 1, 0, 1, 1])
    # FN = 1, FP = 10: letting the default at 0.20 through (1) is cheaper than refusing the good 0.30 (10).
    choice = best_cost_threshold(y, p, CostMatrix(fn=1, fp=10))
    assert choice.threshold == pytest.approx(0.45)
    assert choice.cost == 1


def test_f1_threshold_differs_from_cost_threshold():
    p = np.array([0.05, 0.10, 0.20, 0.30, 0.60, 0.90])
    y = np.array([0, 1, 0, 0, 1, 1])
    cost = CostMatrix(fn=10, fp=1)
    business, f1 = best_cost_threshold(y, p, cost), best_f1_threshold(y, p, cost)
    assert business.threshold == pytest.approx(0.075)  # catch the default at 0.10 whatever the refusals
    assert f1.threshold == pytest.approx(0.45)  # F1 prefers 2 of 3 defaults with no false alarm
    assert business.cost < f1.cost


def test_threshold_on_calibrated_sample_is_near_the_theoretical_optimum():
    rng = np.random.default_rng(0)
    p = rng.beta(1, 9, size=200_000)
    y = (rng.random(len(p)) < p).astype(int)
    cost = CostMatrix(fn=10, fp=1)
    assert cost.bayes_threshold() == pytest.approx(1 / 11)
    assert best_cost_threshold(y, p, cost).threshold == pytest.approx(1 / 11, abs=0.01)


def test_money_mode_weighs_errors_by_loan_amount():
    p = np.array([0.1, 0.2, 0.3, 0.4])
    y = np.array([0, 1, 0, 0])
    amounts = np.array([1000.0, 100.0, 50_000.0, 1000.0])
    cost = CostMatrix(mode="money", lgd=0.6, margin=0.1)
    table = threshold_table(y, p, cost, amounts)
    # refusing from 0.2 up loses the margins of the 50k and 1k good loans (5100) > the small default (60)
    choice = best_cost_threshold(y, p, cost, amounts, table)
    assert choice.threshold == pytest.approx(1.0) and choice.cost == pytest.approx(60.0)
    assert cost.bayes_threshold() == pytest.approx(0.1 / 0.7)
    with pytest.raises(ValueError, match="AMT_CREDIT"):
        cost.per_client(4)


def test_table_counts_every_client_once():
    rng = np.random.default_rng(1)
    p = rng.random(500).round(2)
    y = (rng.random(500) < p).astype(int)
    table = threshold_table(y, p, CostMatrix())
    assert ((table["tp"] + table["fp"] + table["fn"] + table["tn"]) == 500).all()
    assert table["approval_rate"].is_monotonic_increasing
