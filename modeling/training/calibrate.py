"""The calibration map a model serves, chosen and fitted on its out-of-fold scores (the maps themselves are
``modeling.serving.calibration``), and the calibration curve of the report."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.metrics import brier_score_loss

from modeling.serving.calibration import ELIGIBLE, METHODS, Calibrator
from modeling.training.cv import cross_fit_oof, make_folds

#: Folds of the out-of-fold scores over which each map is cross-fitted: a two-parameter map fitted on 90 % of
#: them is judged on the other 10 % (with the model's 3 folds, the choice on a small bank was mostly noise).
CALIBRATION_FOLDS = 10


@dataclass
class CalibrationResult:
    """The chosen calibrator, honest calibrated OOF probabilities and Brier scores."""

    calibrator: Calibrator
    calibrated_oof: np.ndarray
    brier_raw: float
    brier: dict[str, float]

    @property
    def brier_calibrated(self) -> float:
        return self.brier[self.calibrator.method]


def calibrate(raw_oof: np.ndarray, y: np.ndarray, seed: int = 0) -> CalibrationResult:
    """Pick the eligible method with the lowest Brier score cross-fitted over CALIBRATION_FOLDS stratified folds
    of the OOF scores (identity included), then fit it on all of them; every method's Brier score is reported."""
    y = np.asarray(y)
    folds = make_folds(y, max(2, min(CALIBRATION_FOLDS, int(y.sum()), int(len(y) - y.sum()))), seed)
    honest, brier = {}, {}
    for method in METHODS:
        honest[method] = cross_fit_oof(
            lambda s, t, v, m=method: Calibrator(m).fit(s, t).predict(v), raw_oof, y, folds
        )
        brier[method] = float(brier_score_loss(y, honest[method]))
    best = min(ELIGIBLE, key=lambda m: brier[m])
    calibrator = Calibrator(best).fit(raw_oof, y)
    return CalibrationResult(calibrator, honest[best], float(brier_score_loss(y, raw_oof)), brier)


def calibration_curve_points(y: np.ndarray, p: np.ndarray, bins: int = 10) -> tuple[np.ndarray, np.ndarray]:
    """Mean predicted vs observed default rate per quantile bin."""
    order = np.argsort(p)
    groups = np.array_split(order, bins)
    pred = np.array([p[g].mean() for g in groups if len(g)])
    obs = np.array([np.asarray(y)[g].mean() for g in groups if len(g)])
    return pred, obs
