"""Reject-inference training sets: each method gives the refused applicants the outcome it says it does."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from modeling.training.reject_inference import METHODS, PARCEL_FACTOR, augment, parcel


@pytest.fixture
def split():
    rng = np.random.default_rng(3)
    X_g, X_r = pd.DataFrame({"a": rng.random(400)}), pd.DataFrame({"a": rng.random(200)})
    p_g = rng.random(400) * 0.3
    y_g = (rng.random(400) < p_g).astype(int)
    p_r = np.linspace(0.0, 0.6, 200)
    return X_g, y_g, X_r, p_r, p_g


def test_granted_only_is_the_granted_applicants_unchanged(split):
    X_g, y_g, X_r, p_r, p_g = split
    data = augment("none", X_g, y_g, X_r, p_r, p_g, threshold=0.1)
    assert data.X.equals(X_g) and (data.y == y_g).all() and (data.weight == 1).all()


def test_hard_cutoff_makes_defaults_of_the_refused_at_or_above_the_threshold(split):
    X_g, y_g, X_r, p_r, p_g = split
    data = augment("hard_cutoff", X_g, y_g, X_r, p_r, p_g, threshold=0.3)
    inferred = data.y[len(y_g):]
    assert len(data.X) == len(X_g) + len(X_r)
    assert (inferred == (p_r >= 0.3)).all() and 0 < inferred.sum() < len(p_r)


def test_fuzzy_weighs_each_refused_as_a_default_by_its_probability_and_as_good_by_the_rest(split):
    X_g, y_g, X_r, p_r, p_g = split
    data = augment("fuzzy", X_g, y_g, X_r, p_r, p_g, threshold=0.3)
    n = len(y_g)
    assert len(data.y) == n + 2 * len(p_r)
    assert (data.y[n:n + len(p_r)] == 1).all() and (data.y[n + len(p_r):] == 0).all()
    np.testing.assert_allclose(data.weight[n:n + len(p_r)] + data.weight[n + len(p_r):], 1.0)
    # the expected number of defaults among the refused is the sum of their probabilities
    assert data.weight[n:n + len(p_r)].sum() == pytest.approx(p_r.sum())


def test_parcelling_gives_each_band_its_observed_default_rate_times_the_factor():
    p_granted = np.repeat([0.05, 0.5], 1000)
    y_granted = np.r_[np.zeros(900), np.ones(100), np.zeros(800), np.ones(200)].astype(int)  # 10 % and 20 %
    p_refused = np.repeat([0.05, 0.5], 500)
    inferred = parcel(p_granted, y_granted, p_refused, seed=1)
    assert inferred[:500].mean() == pytest.approx(PARCEL_FACTOR * 0.10)
    assert inferred[500:].mean() == pytest.approx(PARCEL_FACTOR * 0.20)


def test_an_unknown_method_is_refused_with_the_list(split):
    X_g, y_g, X_r, p_r, p_g = split
    with pytest.raises(ValueError, match="unknown reject-inference method 'magic'.*parcelling"):
        augment("magic", X_g, y_g, X_r, p_r, p_g, threshold=0.1)
    assert METHODS[0] == "none"
