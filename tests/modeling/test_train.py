"""The training run: strategy comparison, tuning, report and what it writes."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pandas as pd
import pytest
from imblearn.pipeline import Pipeline

from modeling.__main__ import main
from modeling.serving import signing
from modeling.serving.threshold import best_cost_threshold
from modeling.training.cv import cross_validate, make_folds
from modeling.training.imbalance import make_estimator, monotone_constraints
from modeling.training.stages import choose_strategy

pytestmark = pytest.mark.requirement("EXG-MOD-02", "EXG-MOD-03", "EXG-MOD-08")


def test_run_publishes_a_complete_version(trained_model):
    files = {p.name for p in trained_model.folder.iterdir()}
    expected = {"model.pkl", "model_card.json", "report.md", "report.html", "trials.csv", "trials.json",
                "roc.png", "precision_recall.png", "calibration.png", "cost_threshold.png", "confusion.png",
                "strategies.png", "importance.png", "signature.json"}
    assert expected <= files
    assert set(signing.verify_folder(trained_model.folder).files) == files - {"signature.json"}  # signed, every file
    assert (trained_model.folder.parent / "latest").resolve() == trained_model.folder.resolve()
    assert not [p for p in trained_model.folder.parent.iterdir() if p.name.startswith(".tmp-")]
    oof = pd.read_parquet(trained_model.folder / "oof.parquet")
    assert list(oof.columns) == ["SK_ID_CURR", "TARGET", "PROBABILITY", "AMT_CREDIT"]
    assert len(oof) == len(trained_model.data.y) and oof["SK_ID_CURR"].is_unique and oof["PROBABILITY"].between(0, 1).all()
    choice = best_cost_threshold(oof["TARGET"].to_numpy(), oof["PROBABILITY"].to_numpy(), trained_model.artifact.bundle.cost,
                                 oof["AMT_CREDIT"].to_numpy())
    assert choice.threshold == pytest.approx(trained_model.artifact.bundle.threshold)


def test_report_states_choices_and_figures(trained_model):
    text = (trained_model.folder / "report.md").read_text()
    for needle in ("Imbalance strategies", "`none`", "`undersample`", "Hyperopt", "Brier", "max_bin",
                   "mean per-fold AUC", "Pooled out-of-fold AUC", "Champion and challengers", "`scorecard`",
                   "`ext_source`", "random start-up trials", "Protected attributes", "`CODE_GENDER`", "Fairness",
                   "Proxy check", "four-fifths",
                   f"{trained_model.decision.business.threshold:.4f}", f"{trained_model.decision.f1.threshold:.4f}", "unsupervised",
                   "EXT_SOURCE", "true default probabilities", "Logistic regression"):
        assert needle in text, needle
    assert "<table>" in (trained_model.folder / "report.html").read_text()


def test_strategies_compared_on_same_folds(trained_model):
    table = trained_model.search.comparison
    assert list(table["strategy"]) == ["none", "undersample"]
    assert (table["auc_mean"] > 0.55).all() and (table["auc_std"] > 0).all()
    assert trained_model.search.strategy in set(table["strategy"])
    assert trained_model.search.strategy_reason


def test_trials_are_saved(trained_model):
    trials = pd.read_csv(trained_model.folder / "trials.csv")
    assert len(trials) == 2 and {"learning_rate", "num_leaves", "auc_mean"} <= set(trials.columns)
    assert len(json.loads((trained_model.folder / "trials.json").read_text())) == 2


def test_stage_results_are_frozen_and_the_card_states_their_figures(trained_model):
    """What each stage produced cannot change once the card is written, and the card says exactly that."""
    data, search, chosen, decision, checks = trained_model.data, trained_model.search, trained_model.champion, trained_model.decision, trained_model.checks
    for stage in (trained_model, data, search, chosen, decision, checks, trained_model.artifact):
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(stage, dataclasses.fields(stage)[0].name, None)
    card = json.loads((trained_model.folder / "model_card.json").read_text())
    assert card["data"]["rows"] == len(data.y) and card["data"]["defaults"] == int(data.y.sum())
    assert card["features"] == list(data.X.columns) == trained_model.artifact.bundle.feature_names
    assert card["protected_attributes"]["removed_features"] == list(data.removed) and data.removed
    assert card["monotone_constraints"] == data.monotone
    assert card["strategy"] == search.strategy and card["tuning"] == search.tuning
    pd.testing.assert_frame_equal(pd.DataFrame(card["strategy_comparison"]), search.comparison, check_dtype=False)
    assert card["family"] == chosen.family and card["champion"]["reason"] == chosen.reason
    rows = pd.DataFrame(card["champion"]["candidates"])
    assert list(rows["family"]) == [c.family for c in chosen.candidates]
    assert list(rows["pooled_auc"]) == [c.pooled_auc for c in chosen.candidates]
    assert rows.loc[rows["chosen"], "family"].item() == chosen.chosen.family
    assert card["cv"]["pooled_auc"] == chosen.cv.pooled_auc and card["cv"]["fold_auc"] == chosen.cv.fold_auc
    assert card["calibration"]["method"] == chosen.calibration.calibrator.method
    assert card["threshold"] == decision.business.threshold == trained_model.artifact.bundle.threshold
    assert card["threshold_f1"] == decision.f1.threshold
    assert card["business_optimum"]["cost_per_client"] == decision.business.cost_per_client
    assert card["grades"]["cuts_points"] == list(decision.grades.cuts)
    assert card["grades"]["monotone"] == decision.grades_monotone
    pd.testing.assert_frame_equal(pd.DataFrame(card["grades"]["table"]), decision.grade_table, check_dtype=False)
    assert card["baselines"] == list(checks.baselines) and card["true_pd"] == checks.true_pd
    assert card["fairness"]["threshold"] == decision.business.threshold
    served = pd.read_parquet(trained_model.folder / "oof.parquet")
    assert list(served["SK_ID_CURR"]) == list(data.ids) and (served["PROBABILITY"] == decision.p_oof).all()


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


def test_model_beats_chance_but_not_the_true_probabilities(trained_model):
    assert trained_model.champion.cv.auc_mean > 0.6
    ceiling = trained_model.checks.true_pd
    assert ceiling is not None and ceiling["clients"] > 1000
    assert ceiling["model_auc"] < ceiling["best_auc"] + 0.02


