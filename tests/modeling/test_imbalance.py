"""The strategies' estimators: what LightGBM sees at prediction time."""

import numpy as np
import pandas as pd
import pytest

from modeling.training.imbalance import lightgbm_model, make_estimator

pytestmark = pytest.mark.requirement("EXG-MOD-02")


def test_serving_imputation_equals_the_fitted_imputer():
    rng = np.random.default_rng(3)
    X = pd.DataFrame(rng.normal(size=(300, 5)), columns=list("abcde"))
    X[X > 1.0] = np.nan
    X["e"] = np.nan  # a column with no value at all is kept (filled with 0)
    y = (rng.random(300) < 0.2).astype(int)
    estimator = make_estimator("smote", {"n_estimators": 5}, list(X.columns), seed=0, n_jobs=1).fit(X, y)
    fresh = X.iloc[:40]
    expected = estimator.named_steps["impute"].transform(fresh)
    model = lightgbm_model(estimator, list(X.columns))
    got = pd.DataFrame(model.matrix(fresh), index=fresh.index, columns=fresh.columns)
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)
    assert not got.isna().any().any()
    assert model.raw_probability(model.matrix(fresh)) == pytest.approx(
        estimator.predict_proba(fresh)[:, 1], rel=1e-12)
