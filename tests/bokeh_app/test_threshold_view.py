"""Threshold view: costs and confusion matrix come from modeling.threshold on the model's OOF predictions."""
from __future__ import annotations

import numpy as np
import pytest

from modeling.threshold import CostMatrix, best_cost_threshold, threshold_table
from tests.bokeh_app.conftest import model

pytestmark = pytest.mark.requirement("EXG-DSH-03")


def _move(slider, value) -> None:
    """Release a slider at value (the view listens to value_throttled, sent when the mouse is released)."""
    old = slider.value
    slider.value = value
    slider.trigger("value_throttled", old, value)


def test_marks_show_the_model_threshold_and_the_f1_threshold(doc, portfolio, bank):
    import json

    card = json.loads((bank.folder / "model_card.json").read_text())
    marks = model(doc, "threshold_marks").data
    assert marks["x"][0] == pytest.approx(card["threshold"]) == pytest.approx(portfolio.threshold)
    assert marks["x"][1] == pytest.approx(card["threshold_f1"])
    assert "Seuil métier" in marks["name"][0] and "F1" in marks["name"][1]


def test_confusion_matrix_at_the_examined_threshold_matches_the_oof_predictions(doc, portfolio):
    _move(model(doc, "threshold_chosen"), 20.0)
    y = portfolio.oof["TARGET"].to_numpy()
    refused = portfolio.oof["PROBABILITY"].to_numpy() >= 0.20
    fn = int(((~refused) & (y == 1)).sum())
    tp = int((refused & (y == 1)).sum())
    text = model(doc, "threshold_details").text.replace("\u202f", "")
    assert f"{fn} <small>mauvais crédits accordés" in text
    assert f"{tp} <small>défauts évités" in text
    approval = f"{100 * (~refused).mean():.1f}".replace(".", ",")
    assert approval in text


def test_a_dearer_bad_loan_moves_the_optimum_down_and_the_curve_follows(doc, portfolio):
    oof = portfolio.oof
    marks = model(doc, "threshold_marks")
    before = marks.data["x"][2]
    curve_before = list(model(doc, "cost_curve").data["cost"])
    _move(model(doc, "cost_fn"), 40.0)
    after = marks.data["x"][2]
    expected = best_cost_threshold(oof["TARGET"], oof["PROBABILITY"], CostMatrix(fn=40.0, fp=1.0)).threshold
    assert after == pytest.approx(expected)
    assert after <= before
    assert list(model(doc, "cost_curve").data["cost"]) != curve_before
    # the production threshold mark does not move: the view explains, it does not decide
    assert marks.data["x"][0] == pytest.approx(portfolio.threshold)


def test_cost_curve_is_a_bounded_sample_of_modeling_threshold_table(doc, portfolio):
    oof = portfolio.oof
    table = threshold_table(oof["TARGET"], oof["PROBABILITY"], portfolio.cost)
    curve = model(doc, "cost_curve").data
    assert len(curve["threshold"]) <= 400
    lookup = dict(zip(table["threshold"], table["cost_per_client"], strict=True))
    assert all(lookup[t] == pytest.approx(c) for t, c in zip(curve["threshold"], curve["cost"], strict=True))
    assert np.all(np.diff(curve["threshold"]) > 0)
