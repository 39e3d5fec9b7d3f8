"""Calibration turns distorted scores (as SMOTE or class weights give) back into probabilities."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import brier_score_loss

from modeling.serving.calibration import Calibrator
from modeling.training.calibrate import calibrate

pytestmark = pytest.mark.requirement("EXG-MOD-04")


@pytest.fixture(scope="module")
def distorted():
    rng = np.random.default_rng(3)
    true_p = rng.beta(1.2, 12, size=6000)
    y = (rng.random(len(true_p)) < true_p).astype(int)
    raw = true_p ** 0.4  # over-confident in defaults, like a model trained on balanced classes
    return raw, y, true_p


@pytest.mark.parametrize("method", ["isotonic", "sigmoid"])
def test_calibrator_lowers_brier_and_keeps_order(distorted, method):
    raw, y, _ = distorted
    cal = Calibrator(method).fit(raw, y)
    p = cal.predict(raw)
    assert brier_score_loss(y, p) < brier_score_loss(y, raw) * 0.6
    assert abs(p.mean() - y.mean()) < 0.01
    order = np.argsort(raw)
    assert np.all(np.diff(p[order]) >= -1e-12)  # a higher raw score never gets a lower probability
    assert p.min() > 0 and p.max() < 1


def test_calibrate_picks_a_method_with_honest_brier(distorted):
    raw, y, _ = distorted
    res = calibrate(raw, y)
    assert res.calibrator.method == "sigmoid"  # the raw scores are over-confident: identity loses
    assert set(res.brier) == {"identity", "isotonic", "sigmoid"}
    assert res.brier_calibrated == min(res.brier["identity"], res.brier["sigmoid"])
    assert res.brier_calibrated < res.brier_raw


def test_calibration_keeps_the_models_ranking(distorted):
    """Served probabilities never tie clients the model ranks apart (isotonic steps would)."""
    raw, y, _ = distorted
    res = calibrate(raw, y)
    p = res.calibrator.predict(raw)
    assert len(np.unique(p)) == len(np.unique(raw))
    assert len(np.unique(Calibrator("isotonic").fit(raw, y).predict(raw))) < len(np.unique(raw)) / 10


def test_unknown_method_is_refused():
    with pytest.raises(ValueError, match="unknown calibration method 'beta'"):
        Calibrator("beta")
