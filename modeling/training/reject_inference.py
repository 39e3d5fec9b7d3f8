"""Reject inference: give the applicants a past policy refused an inferred outcome, so a model learns on the
whole through-the-door population and not only on the granted loans that have a TARGET.

Each method takes the features and outcomes of the granted applicants, the features of the refused ones and
the probability that a model trained on the granted alone gives the refused, and returns one training set
(features, outcomes, weights):

- ``none``: the granted applicants only (what the product does).
- ``hard_cutoff``: a refused applicant is a default when that probability reaches the bank's cost-matrix
  threshold, a good client otherwise.
- ``fuzzy``: each refused applicant enters twice, as a default weighted by the probability and as a good
  client weighted by its complement.
- ``parcelling``: the refused are put in the score bands of the granted; in each band a random share of
  them, the band's observed default rate times ``PARCEL_FACTOR``, becomes defaults.

docs/methodology.md (section "Reject inference") gives the comparison that ``bench/reject_inference.py``
measures against the true default probabilities of a synthetic through-the-door population.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

METHODS = ("none", "hard_cutoff", "fuzzy", "parcelling")
#: Refused applicants are riskier than granted ones of the same score (the policy saw what the score misses):
#: parcelling assigns them the band's default rate times this factor, a common choice in scorecard practice.
PARCEL_FACTOR = 2.0
PARCEL_BANDS = 10


@dataclass(frozen=True)
class Augmented:
    """A training set: features, outcomes and sample weights, granted applicants first."""

    X: pd.DataFrame
    y: np.ndarray
    weight: np.ndarray


def augment(method: str, X_granted: pd.DataFrame, y_granted: np.ndarray, X_refused: pd.DataFrame,
            p_refused: np.ndarray, p_granted: np.ndarray, threshold: float, seed: int = 0) -> Augmented:
    """The training set of one reject-inference ``method`` (see the module's docstring)."""
    y_granted = np.asarray(y_granted, dtype=np.int64)
    p_refused = np.asarray(p_refused, dtype=float)
    ones = np.ones(len(y_granted))
    if method == "none":
        return Augmented(X_granted, y_granted, ones)
    if method == "hard_cutoff":
        inferred = (p_refused >= threshold).astype(np.int64)
        return _join(X_granted, y_granted, ones, X_refused, inferred, np.ones(len(inferred)))
    if method == "fuzzy":
        both = pd.concat([X_refused, X_refused])
        inferred = np.r_[np.ones(len(p_refused), dtype=np.int64), np.zeros(len(p_refused), dtype=np.int64)]
        return _join(X_granted, y_granted, ones, both, inferred, np.r_[p_refused, 1.0 - p_refused])
    if method == "parcelling":
        inferred = parcel(np.asarray(p_granted, dtype=float), y_granted, p_refused, seed)
        return _join(X_granted, y_granted, ones, X_refused, inferred, np.ones(len(inferred)))
    raise ValueError(f"unknown reject-inference method {method!r}: choose among {', '.join(METHODS)}")


def parcel(p_granted: np.ndarray, y_granted: np.ndarray, p_refused: np.ndarray, seed: int = 0) -> np.ndarray:
    """Inferred outcomes of the refused: in each score band of the granted, a random share of the band's
    refused, its observed default rate times PARCEL_FACTOR (at most 1), are defaults."""
    edges = np.unique(np.quantile(p_granted, np.linspace(0, 1, PARCEL_BANDS + 1)[1:-1]))
    band_granted, band_refused = np.searchsorted(edges, p_granted), np.searchsorted(edges, p_refused)
    rng = np.random.default_rng(seed)
    inferred = np.zeros(len(p_refused), dtype=np.int64)
    for band in np.unique(band_refused):
        rows = np.flatnonzero(band_refused == band)
        observed = y_granted[band_granted == band]
        rate = min(1.0, PARCEL_FACTOR * (observed.mean() if len(observed) else y_granted.mean()))
        inferred[rng.choice(rows, size=int(round(rate * len(rows))), replace=False)] = 1
    return inferred


def _join(X_granted: pd.DataFrame, y_granted: np.ndarray, w_granted: np.ndarray, X_refused: pd.DataFrame,
          y_refused: np.ndarray, w_refused: np.ndarray) -> Augmented:
    return Augmented(pd.concat([X_granted, X_refused]), np.r_[y_granted, y_refused], np.r_[w_granted, w_refused])
