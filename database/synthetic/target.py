"""The latent default probability behind TARGET (formula documented in docs/synthetic-data.md)."""

from __future__ import annotations

import numpy as np
from scipy.optimize import brentq

from database.synthetic.core import sigmoid

DEFAULT_RATE = 0.0807   # share of train clients with TARGET = 1 in the Kaggle data
APP_WEIGHT = 1.5        # weight of the application score
RISK_WEIGHT = 0.5       # weight of the latent riskiness (seen only through EXT_SOURCE_* and the history)
HISTORY_WEIGHT = 0.42   # weight of the history score


def _share(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    return np.divide(numerator, denominator, out=np.zeros_like(numerator, dtype=float), where=denominator > 0)


def history_score(s: dict, years: np.ndarray) -> np.ndarray:
    """Risk points from the behaviour recorded in the child tables."""
    late = _share(s["inst_late"], s["inst_count"])
    short = _share(s["inst_short"], s["inst_count"])
    late_days = _share(s["inst_late_days"], s["inst_count"])
    util = _share(s["card_util"], s["card_months"])
    score = 0.45 * (s["bureau_overdue"] > 0) + 0.5 * (s["bureau_overdue_now"] > 0)
    score += 0.3 * np.log1p(s["bureau_dpd_months"])
    score += 2.0 * late + 3.0 * np.clip(late - 0.2, 0, None) + 2.0 * short + 0.4 * np.log1p(late_days)
    score += 0.3 * np.minimum(s["prev_refused"], 3)
    score += 1.5 * np.clip(util - 0.5, 0, None) + 0.35 * (s["card_dpd"] > 0) + 0.35 * (s["pos_dpd"] > 0)
    score += 0.25 * ((s["bureau_count"] == 0) & (s["prev_count"] == 0))
    score += 1.0 * late * (years < 30)  # young clients who already pay late
    return score


def calibrate_intercept(score: np.ndarray, rate: float = DEFAULT_RATE) -> float:
    """Intercept b such that the mean of sigmoid(b + score) equals rate."""
    return brentq(lambda b: sigmoid(b + score).mean() - rate, -30.0, 30.0, xtol=1e-10)


def default_score(app_score: np.ndarray, risk: np.ndarray, hist_score: np.ndarray) -> np.ndarray:
    """Default logit without its intercept."""
    return APP_WEIGHT * app_score + RISK_WEIGHT * risk + HISTORY_WEIGHT * hist_score
