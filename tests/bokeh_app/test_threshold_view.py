"""Threshold view: costs and confusion matrix come from modeling.serving.threshold on the model's OOF predictions."""
from __future__ import annotations

import numpy as np
import pytest

from modeling.serving.threshold import CostMatrix, best_cost_threshold, threshold_table
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
    assert "Seuil du modèle" in marks["name"][0] and "F1" in marks["name"][1]
    # each line is labelled on the plot at its own height, so that close lines stay apart
    assert len(set(marks["y_text"])) == len(marks["x"])


def test_without_fairness_in_the_card_the_panel_says_so(portfolio):
    from dataclasses import replace

    from tests.bokeh_app.conftest import make_document

    card = {key: value for key, value in portfolio.card.items() if key != "fairness"}
    doc = make_document(replace(portfolio, card=card))
    assert "pas de mesure d'équité" in model(doc, "fairness").text


def test_the_fairness_panel_shows_the_section_the_training_wrote(doc, portfolio):
    section = portfolio.card["fairness"]
    text = model(doc, "fairness").text
    for attribute in section["attributes"].values():
        for group in attribute["groups"]:
            assert f"<td>{group['clients']}</td>" in text


FAIRNESS = {
    "threshold": 0.098, "basis": "out-of-fold",
    "attributes": {
        "CODE_GENDER": {"groups": [
            {"group": "F", "clients": 812, "approval_rate": 0.71, "default_rate_approved": 0.052, "tpr": 0.48, "fpr": 0.21},
            {"group": "M", "clients": 488, "approval_rate": 0.55, "default_rate_approved": 0.081, "tpr": 0.61, "fpr": 0.33}],
            "demographic_parity_ratio": 0.7746, "equalized_odds_difference": 0.13, "four_fifths_ok": False},
        "AGE_BAND": {"groups": [
            {"group": "25-34", "clients": 400, "approval_rate": 0.6, "default_rate_approved": 0.07, "tpr": 0.5, "fpr": 0.3}],
            "demographic_parity_ratio": 0.91, "equalized_odds_difference": 0.05, "four_fifths_ok": True},
    },
    "proxy": {"CODE_GENDER": {"auc": 0.6312}},
}


def test_the_fairness_panel_shows_the_card_section_in_french(portfolio):
    from dataclasses import replace

    from tests.bokeh_app.conftest import make_document

    doc = make_document(replace(portfolio, card={**portfolio.card, "fairness": FAIRNESS}))
    text = model(doc, "fairness").text
    assert "Équité" in text and "Décisions au seuil de 9,8\u00a0%" in text
    assert "<th scope='row'>Femme</th><td>812</td><td>71,0\u00a0%</td><td>5,2\u00a0%</td>" in text
    assert "Homme" in text and "25-34" in text
    assert "0,77" in text and "NON respectée" in text and "respectée." in text
    assert "genre" in text and "AUC de 0,63" in text


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
