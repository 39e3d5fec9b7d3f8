"""The whole pipeline on real Home Credit rows: it must not lose to a logistic regression on the external scores."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold

from modeling.config import TrainConfig
from modeling.serving.data import load_csv_tables
from modeling.training.challengers import fit_ext_source
from modeling.training.stages import subset_tables
from modeling.training.train import train

pytestmark = pytest.mark.requirement("EXG-MOD-13")

SAMPLE_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "homecredit-sample"
#: Kaggle file name of each table, to write a subset the loader-free CSV reader understands.
FILES = {"application": "application_train.csv", "bureau": "bureau.csv", "bureau_balance": "bureau_balance.csv",
         "previous_application": "previous_application.csv", "pos_cash_balance": "POS_CASH_balance.csv",
         "credit_card_balance": "credit_card_balance.csv", "installments_payments": "installments_payments.csv"}


def config(source: Path, out: Path) -> TrainConfig:
    """The full candidate set on small real data, with a budget a test can afford."""
    return TrainConfig(folds=5, max_evals=0, strategies=("none",), seed=42, source=source, out_dir=out, n_jobs=1,
                       baselines=False, policy_cost=False, fairness=False)


def write_subset(tables: dict[str, pd.DataFrame], ids, folder: Path) -> Path:
    folder.mkdir(parents=True)
    for name, frame in subset_tables(tables, ids).items():
        frame.to_csv(folder / FILES[name], index=False)
    return folder


@pytest.fixture(scope="module")
def real_tables() -> dict[str, pd.DataFrame]:
    return load_csv_tables(SAMPLE_DIR)


def test_chosen_model_is_at_least_the_ext_source_logit_on_the_same_folds(tmp_path_factory):
    r = train(config(SAMPLE_DIR, tmp_path_factory.mktemp("real-models")), say=lambda _message: None)
    assert r.artifact.meta["rows"] == 1000 and r.artifact.meta["defaults"] == 70  # the real labelled sample
    by_family = {c.family: c for c in r.champion.candidates}
    assert set(by_family) == {"ext_source", "scorecard", "lightgbm"}
    assert r.champion.chosen.pooled_auc >= by_family["ext_source"].pooled_auc
    assert r.champion.chosen.choice.cost_per_client <= by_family["ext_source"].choice.cost_per_client * 1.05


def test_trained_with_history_it_holds_on_applications_without_history(real_tables, tmp_path_factory):
    """Outer folds: train on two thirds (with their history rows), score the other third from the application
    alone (as for applications that come with no history) and compare with the EXT_SOURCE logit."""
    app = real_tables["application"].dropna(subset=["TARGET"])
    ids, y = app["SK_ID_CURR"].to_numpy(), app["TARGET"].to_numpy(dtype=int)
    model_p, logit_p = np.zeros(len(y)), np.zeros(len(y))
    base = tmp_path_factory.mktemp("real-outer")
    for k, (tr, va) in enumerate(StratifiedKFold(3, shuffle=True, random_state=1).split(ids, y)):
        r = train(config(write_subset(real_tables, ids[tr], base / f"train-{k}"), base / f"models-{k}"),
                  say=lambda _message: None)
        only_app = {"application": app.iloc[va]}
        X_new = r.artifact.bundle.features.transform(only_app)
        assert (r.artifact.bundle.route(X_new.index) == -1).all()  # never seen: the production model scores them
        model_p[va] = r.artifact.bundle.predict_proba(X_new)
        X_train = r.artifact.bundle.in_order(r.artifact.bundle.features.transform(subset_tables(real_tables, ids[tr])))
        logit = fit_ext_source(X_train, y[tr])
        logit_p[va] = logit.raw_probability(logit.matrix(r.artifact.bundle.in_order(X_new)))
    model_auc, logit_auc = roc_auc_score(y, model_p), roc_auc_score(y, logit_p)
    assert model_auc >= logit_auc - 0.005, f"pipeline {model_auc:.4f} vs EXT_SOURCE logit {logit_auc:.4f}"
