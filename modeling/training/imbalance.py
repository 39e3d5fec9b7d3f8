"""Class-imbalance strategies: each builds an estimator whose resampling happens only when it is fitted."""
from __future__ import annotations

import re

import numpy as np
import pandas as pd
from imblearn.over_sampling import SMOTE
from imblearn.pipeline import Pipeline
from imblearn.under_sampling import RandomUnderSampler
from lightgbm import LGBMClassifier
from sklearn.impute import SimpleImputer

from modeling.config import LGBM_N_JOBS, MONOTONE_RULES, STRATEGIES
from modeling.serving.families import LightGBMModel

DEFAULT_PARAMS: dict = {
    "n_estimators": 2000,  # upper bound: early stopping picks the number of trees
    # Regularised defaults (measured: 10,000 synthetic clients, 5 folds, strategy none, same folds):
    # pooled OOF AUC 0.7796 against 0.7466 with the earlier 0.05 / 31 leaves / 0.8 columns / no bagging,
    # whose folds stopped after 25-65 trees; CPU 25 s against 22 s.
    "learning_rate": 0.03,
    "num_leaves": 16,
    "min_child_samples": 20,  # raised by modeling.training.tuning.complexity on larger data
    "subsample": 0.8,
    "subsample_freq": 1,
    "colsample_bytree": 0.5,
    "reg_alpha": 0.0,
    "reg_lambda": 1.0,
    # 63 histogram bins instead of 255: building histograms is most of the cost on ~500 columns.
    "max_bin": 63,
}

# "basic" rather than "intermediate": with two threads the intermediate method was 2-3x slower per tree
# under load. Measured together with max_bin=63 (3-fold CV, strategy none, mean per-fold AUC over seeds):
# 5,179 synthetic clients, 3 seeds: 0.7374 vs 0.7382 (intermediate, 255 bins), CV 1.5-3x faster;
# 1,295 clients, 8 seeds: 0.681 vs 0.691, within the seed-to-seed spread there (0.67-0.72).
MONOTONE_METHOD = "basic"

DESCRIPTIONS = {
    "none": "LightGBM on the data as it is",
    "class_weight": "LightGBM with class_weight='balanced' (errors on defaults weigh n_good/n_bad times more)",
    "smote": "median imputation + SMOTE oversampling of defaults, then LightGBM (imblearn Pipeline)",
    "undersample": "RandomUnderSampler down to one good client per default, then LightGBM (imblearn Pipeline)",
}


def monotone_direction(name: str) -> int:
    """+1 if a higher value of the column may never lower the risk, -1 if never raise it, 0 if free."""
    for pattern, direction in MONOTONE_RULES:
        if re.search(pattern, name):
            return direction
    return 0


def monotone_constraints(columns: list[str]) -> list[int]:
    """LightGBM monotone constraint of each column from the business rules in modeling.config."""
    return [monotone_direction(name) for name in columns]


def make_lgbm(params: dict, columns: list[str], seed: int, n_jobs: int = LGBM_N_JOBS) -> LGBMClassifier:
    """A LightGBM classifier with the given parameters and the monotone constraints of the columns."""
    full = {**DEFAULT_PARAMS, **params}
    if full.get("subsample", 1.0) < 1.0 and not full.get("subsample_freq"):
        full["subsample_freq"] = 1
    return LGBMClassifier(
        **full,
        monotone_constraints=monotone_constraints(columns),
        monotone_constraints_method=MONOTONE_METHOD,
        random_state=seed,
        n_jobs=n_jobs,
        verbose=-1,
    )


def make_estimator(strategy: str, params: dict, columns: list[str], seed: int, n_jobs: int = LGBM_N_JOBS):
    """Estimator for one strategy; samplers sit in an imblearn Pipeline so they only touch training folds."""
    if strategy not in STRATEGIES:
        raise ValueError(f"unknown strategy {strategy!r}: choose among {', '.join(STRATEGIES)}")
    model = make_lgbm(params, columns, seed, n_jobs)
    if strategy == "none":
        return model
    if strategy == "class_weight":
        return model.set_params(class_weight="balanced")
    if strategy == "smote":
        # SMOTE interpolates between neighbours and cannot handle NaN; LightGBM can, so impute only here.
        imputer = SimpleImputer(strategy="median", keep_empty_features=True).set_output(transform="pandas")
        return Pipeline([("impute", imputer), ("smote", SMOTE(random_state=seed)), ("model", model)])
    return Pipeline([("under", RandomUnderSampler(random_state=seed)), ("model", model)])


def final_lgbm(estimator) -> LGBMClassifier:
    """The LightGBM model inside an estimator built by make_estimator."""
    return estimator.steps[-1][1] if isinstance(estimator, Pipeline) else estimator


def _imputer(estimator) -> SimpleImputer | None:
    """The fitted imputer of a SMOTE pipeline, None for the other estimators."""
    if isinstance(estimator, Pipeline) and "impute" in estimator.named_steps:
        return estimator.named_steps["impute"]
    return None


def imputer_medians(estimator) -> np.ndarray | None:
    """The medians a SMOTE pipeline imputes with (one per column), None for estimators that do not impute."""
    imputer = _imputer(estimator)
    return None if imputer is None else np.asarray(imputer.statistics_, dtype="float64")


def lightgbm_model(estimator, feature_names: list[str]) -> LightGBMModel:
    """The served form of an estimator built by make_estimator: its LightGBM model and the medians it imputes."""
    return LightGBMModel(final_lgbm(estimator), feature_names, imputer_medians(estimator))


def early_stopping_view(strategy: str, X_fit: pd.DataFrame, X_stop: pd.DataFrame) -> pd.DataFrame:
    """The early-stopping rows as the model will see them (median-imputed from X_fit for SMOTE)."""
    if strategy != "smote":
        return X_stop
    imputer = SimpleImputer(strategy="median", keep_empty_features=True).set_output(transform="pandas")
    return imputer.fit(X_fit).transform(X_stop)


def positive_share_after(strategy: str, y: np.ndarray) -> float:
    """Share of defaults the model trains on after resampling (for the report)."""
    if strategy in ("smote", "undersample"):
        return 0.5
    return float(np.mean(y))
