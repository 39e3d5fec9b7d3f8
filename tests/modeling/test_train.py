"""The training run: strategy comparison, tuning, report and what it writes."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from imblearn.pipeline import Pipeline
from training_setup import trained

from modeling import signing
from modeling.__main__ import main
from modeling.cv import cross_validate, make_folds
from modeling.imbalance import make_estimator, monotone_constraints
from modeling.threshold import best_cost_threshold
from modeling.train import choose_strategy

pytestmark = pytest.mark.requirement("EXG-MOD-02", "EXG-MOD-03", "EXG-MOD-08")


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    return trained(tmp_path_factory.getbasetemp())


def test_run_publishes_a_complete_version(result):
    files = {p.name for p in result.folder.iterdir()}
    expected = {"model.pkl", "model_card.json", "report.md", "report.html", "trials.csv", "trials.json",
                "roc.png", "precision_recall.png", "calibration.png", "cost_threshold.png", "confusion.png",
                "strategies.png", "importance.png", "signature.json"}
    assert expected <= files
    assert set(signing.verify_folder(result.folder).files) == files - {"signature.json"}  # signed, every file
    assert (result.folder.parent / "latest").resolve() == result.folder.resolve()
    assert not [p for p in result.folder.parent.iterdir() if p.name.startswith(".tmp-")]
    oof = pd.read_parquet(result.folder / "oof.parquet")
    assert list(oof.columns) == ["SK_ID_CURR", "TARGET", "PROBABILITY", "AMT_CREDIT"]
    assert len(oof) == len(result.y) and oof["SK_ID_CURR"].is_unique and oof["PROBABILITY"].between(0, 1).all()
    choice = best_cost_threshold(oof["TARGET"].to_numpy(), oof["PROBABILITY"].to_numpy(), result.bundle.cost,
                                 oof["AMT_CREDIT"].to_numpy())
    assert choice.threshold == pytest.approx(result.bundle.threshold)


def test_report_states_choices_and_figures(result):
    text = (result.folder / "report.md").read_text()
    for needle in ("Imbalance strategies", "`none`", "`undersample`", "Hyperopt", "Brier", "max_bin",
                   "mean per-fold AUC", "Pooled out-of-fold AUC", "Champion and challengers", "`scorecard`",
                   "`ext_source`", "random start-up trials", "Protected attributes", "`CODE_GENDER`", "Fairness",
                   "Proxy check", "four-fifths",
                   f"{result.business.threshold:.4f}", f"{result.f1.threshold:.4f}", "unsupervised",
                   "EXT_SOURCE", "true default probabilities", "Logistic regression"):
        assert needle in text, needle
    assert "<table>" in (result.folder / "report.html").read_text()


def test_strategies_compared_on_same_folds(result):
    table = result.comparison
    assert list(table["strategy"]) == ["none", "undersample"]
    assert (table["auc_mean"] > 0.55).all() and (table["auc_std"] > 0).all()
    assert result.strategy in set(table["strategy"])
    assert result.strategy_reason


def test_trials_are_saved(result):
    trials = pd.read_csv(result.folder / "trials.csv")
    assert len(trials) == 2 and {"learning_rate", "num_leaves", "auc_mean"} <= set(trials.columns)
    assert len(json.loads((result.folder / "trials.json").read_text())) == 2


def test_model_beats_chance_but_not_the_true_probabilities(result):
    assert result.final_cv.auc_mean > 0.6
    ceiling = result.true_pd
    assert ceiling is not None and ceiling["clients"] > 1000
    assert ceiling["model_auc"] < ceiling["best_auc"] + 0.02


def test_choice_rule_cost_then_auc_then_speed():
    table = pd.DataFrame({
        "strategy": ["none", "class_weight", "smote", "undersample"],
        "auc_mean": [0.75, 0.76, 0.76, 0.7605],
        "cost_per_client": [0.50, 0.452, 0.451, 0.450],
        "fit_seconds": [5.0, 6.0, 60.0, 2.0],
    })
    name, reason = choose_strategy(table)
    assert name == "undersample"  # tied on cost, tied on AUC, fastest
    table.loc[3, "cost_per_client"] = 0.40
    assert choose_strategy(table)[0] == "undersample"
    table.loc[3, "cost_per_client"] = 0.60
    assert choose_strategy(table)[0] == "class_weight"  # tied cost with smote, same AUC, faster


def test_smote_resamples_training_folds_only():
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(400, 4)), columns=["EXT_SOURCE_2", "A", "B", "C"])
    X.iloc[::7, 1] = np.nan  # SMOTE cannot take NaN: the pipeline imputes first
    y = (rng.random(400) < 1 / (1 + np.exp(3 + 2 * X["EXT_SOURCE_2"]))).astype(int).to_numpy()
    est = make_estimator("smote", {"n_estimators": 20}, list(X.columns), seed=0)
    assert isinstance(est, Pipeline) and [s for s, _ in est.steps] == ["impute", "smote", "model"]
    res = cross_validate("smote", {"n_estimators": 50}, X, y, make_folds(y, 3, 0), seed=0, n_jobs=1)
    assert res.oof.shape == (400,) and not np.isnan(res.oof).any()
    assert monotone_constraints(list(X.columns)) == [-1, 0, 0, 0]


def test_cli_help_and_bad_strategy(capsys):
    assert main(["train", "--help"]) == 0
    assert "--max-evals" in capsys.readouterr().out
    assert main(["train", "--strategies", "none,oversample"]) == 2
    assert "unknown strategy 'oversample'" in capsys.readouterr().err
