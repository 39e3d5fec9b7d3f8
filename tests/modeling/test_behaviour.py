"""Behaviour a risk manager expects from the trained model, checked on real rows of the synthetic set."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from modeling.serving.data import load_csv_tables
from modeling.training.stages import subset_tables

pytestmark = pytest.mark.requirement("EXG-MOD-07")


@pytest.fixture(scope="module")
def rows(trained_model):
    return trained_model.artifact.bundle.background.iloc[:60]


def _sweep(bundle, rows: pd.DataFrame, feature: str, values) -> np.ndarray:
    """Probabilities (rows x values) when only `feature` changes."""
    out = []
    for v in values:
        X = rows.copy()
        X[feature] = v
        out.append(bundle.predict_proba(X))
    return np.array(out).T


@pytest.mark.parametrize("feature", ["EXT_SOURCE_1", "EXT_SOURCE_2", "EXT_SOURCE_3"])
def test_better_external_score_never_raises_risk(trained_model, rows, feature):
    p = _sweep(trained_model.artifact.bundle, rows, feature, np.linspace(0.0, 1.0, 21))
    assert (np.diff(p, axis=1) <= 1e-12).all()


def test_external_scores_are_used(trained_model, training_csv):
    tables = load_csv_tables(training_csv)
    own = subset_tables(tables, trained_model.artifact.bundle.background.index[:60])
    b, p = trained_model.artifact.bundle, []
    for value in (0.1, 0.9):  # every external score low, then high, in the application rows themselves
        app = own["application"].assign(EXT_SOURCE_1=value, EXT_SOURCE_2=value, EXT_SOURCE_3=value)
        p.append(b.predict_proba(b.features.transform({**own, "application": app})))
    # The session's model is tiny (1,300 clients, few trees, isotonic steps): ask for a clear relative effect.
    assert p[0].mean() > 1.1 * p[1].mean()


def test_more_days_late_never_lowers_risk(trained_model, rows):
    late = [c for c, s in trained_model.data.monotone.items() if s > 0 and "DAYS_LATE" in c]
    assert late, "no days-late feature is constrained"
    for feature in late:
        p = _sweep(trained_model.artifact.bundle, rows, feature, np.linspace(0, 120, 13))
        assert (np.diff(p, axis=1) >= -1e-12).all(), feature


def test_changing_only_the_client_id_keeps_the_score(trained_model, training_csv):
    tables = load_csv_tables(training_csv)
    client = int(trained_model.artifact.bundle.background.index[0])
    own = subset_tables(tables, [client])
    renamed = {name: frame.assign(SK_ID_CURR=123456789) if "SK_ID_CURR" in frame.columns else frame
               for name, frame in own.items()}
    b = trained_model.artifact.bundle
    p_own = b.predict_proba(b.features.transform(own))
    p_renamed = b.predict_proba(b.features.transform(renamed))
    assert b.features.transform(renamed).index.tolist() == [123456789]
    assert p_renamed == pytest.approx(p_own, abs=1e-12)


def test_business_threshold_is_not_the_f1_threshold(trained_model):
    assert trained_model.decision.business.threshold != pytest.approx(trained_model.decision.f1.threshold)
    assert trained_model.decision.business.cost < trained_model.decision.f1.cost
    assert trained_model.decision.business.threshold < trained_model.decision.f1.threshold  # defaults cost 10x: refuse earlier


def test_grades_have_rising_default_rates(trained_model):
    """Default rates rise from A to F; on 1,300 clients a neighbour may dip only within sampling noise."""
    table = trained_model.decision.grade_table.dropna(subset=["observed_default_rate"])
    assert list(trained_model.decision.grade_table["grade"]) == ["A", "B", "C", "D", "E", "F"]
    rate, n = table["observed_default_rate"].to_numpy(), table["clients"].to_numpy()
    se = np.sqrt(rate * (1 - rate) / n)
    dips = np.diff(rate) < -2 * np.hypot(se[1:], se[:-1])
    assert not dips.any(), table
    granted, refused = table[table["grade"] <= "D"], table[table["grade"] >= "E"]
    assert refused["observed_default_rate"].min() > granted["observed_default_rate"].max()
    assert rate[-1] > 2 * rate[0]


def test_points_follow_the_scale(trained_model):
    scale = trained_model.artifact.bundle.scale
    assert scale.points(1 / 51) == pytest.approx(600)  # 50:1 good:bad odds
    assert scale.points(1 / 101) == pytest.approx(620, abs=0.2)  # odds doubled: +20 points
    assert scale.probability(scale.points(0.2)) == pytest.approx(0.2)


def test_calibrated_probabilities_match_the_default_rate(trained_model):
    p = trained_model.artifact.bundle.predict_proba(trained_model.artifact.bundle.background)
    assert abs(p.mean() - trained_model.data.y.mean()) < 0.05
    assert trained_model.champion.calibration.brier_calibrated <= trained_model.champion.calibration.brier_raw + 0.002


def test_higher_debt_ratio_never_lowers_risk(trained_model, rows):
    ratios = [c for c, s in trained_model.data.monotone.items() if s > 0 and c.endswith("_INCOME_RATIO")]
    assert "ANNUITY_INCOME_RATIO" in ratios and "CREDIT_INCOME_RATIO" in ratios, ratios
    for feature in ratios:
        p = _sweep(trained_model.artifact.bundle, rows, feature, np.linspace(0.0, 3.0, 16))
        assert (np.diff(p, axis=1) >= -1e-12).all(), feature
