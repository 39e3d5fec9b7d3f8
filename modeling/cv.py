"""Stratified folds and out-of-fold training with early stopping on a slice of each training fold."""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from lightgbm import early_stopping
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold, train_test_split

from modeling.imbalance import early_stopping_view, final_lgbm, make_estimator

Folds = list[tuple[np.ndarray, np.ndarray]]
STOP_SHARE = 0.1  # share of each training fold kept aside to stop boosting
STOP_ROUNDS = 50


@dataclass
class CVResult:
    """Out-of-fold raw probabilities and per-fold figures of one configuration."""

    oof: np.ndarray
    fold_auc: list[float]
    best_iterations: list[int]
    fit_seconds: float
    extra: dict = field(default_factory=dict)

    @property
    def auc_mean(self) -> float:
        return float(np.mean(self.fold_auc))

    @property
    def auc_std(self) -> float:
        return float(np.std(self.fold_auc))

    @property
    def n_estimators(self) -> int:
        """Trees for a refit on all rows: mean best iteration, plus 10% for the larger training set."""
        return max(10, int(round(np.mean(self.best_iterations) * 1.1)))


def make_folds(y: np.ndarray, k: int, seed: int) -> Folds:
    """Stratified K folds as (train positions, validation positions)."""
    y = np.asarray(y)
    n_pos = int(y.sum())
    if n_pos < k or len(y) - n_pos < k:
        raise ValueError(f"cannot make {k} stratified folds with {n_pos} defaults among {len(y)} clients")
    splitter = StratifiedKFold(n_splits=k, shuffle=True, random_state=seed)
    return [(tr, va) for tr, va in splitter.split(np.zeros(len(y)), y)]


def fit_early_stopped(strategy: str, params: dict, X: pd.DataFrame, y: np.ndarray, seed: int, n_jobs: int):
    """Fit one strategy on X, stopping boosting on a stratified 10% slice; returns (estimator, best iteration)."""
    y = np.asarray(y)
    fit_pos, stop_pos = train_test_split(np.arange(len(y)), test_size=STOP_SHARE, stratify=y, random_state=seed)
    X_fit, y_fit = X.iloc[fit_pos], y[fit_pos]
    X_stop = early_stopping_view(strategy, X_fit, X.iloc[stop_pos])
    estimator = make_estimator(strategy, params, list(X.columns), seed, n_jobs)
    prefix = "model__" if hasattr(estimator, "steps") else ""
    fit_params = {
        f"{prefix}eval_X": X_stop,
        f"{prefix}eval_y": y[stop_pos],
        f"{prefix}eval_metric": "auc",
        f"{prefix}callbacks": [early_stopping(STOP_ROUNDS, first_metric_only=True, verbose=False)],
    }
    estimator.fit(X_fit, y_fit, **fit_params)
    best = final_lgbm(estimator).best_iteration_ or final_lgbm(estimator).n_estimators
    return estimator, int(best)


def fit_full(strategy: str, params: dict, X: pd.DataFrame, y: np.ndarray, n_estimators: int, seed: int, n_jobs: int):
    """Fit one strategy on every row with a fixed number of trees (the final model)."""
    estimator = make_estimator(strategy, {**params, "n_estimators": n_estimators}, list(X.columns), seed, n_jobs)
    return estimator.fit(X, np.asarray(y))


def cross_validate(
    strategy: str,
    params: dict,
    X: pd.DataFrame,
    y: np.ndarray,
    folds: Folds,
    seed: int,
    n_jobs: int,
    progress: Callable[[str], None] | None = None,
    label: str = "",
) -> CVResult:
    """Out-of-fold probabilities of a strategy; resampling happens inside each training fold only."""
    y = np.asarray(y)
    oof = np.full(len(y), np.nan)
    aucs, iters = [], []
    start = time.perf_counter()
    for i, (tr, va) in enumerate(folds, 1):
        estimator, best = fit_early_stopped(strategy, params, X.iloc[tr], y[tr], seed + i, n_jobs)
        oof[va] = estimator.predict_proba(X.iloc[va])[:, 1]
        aucs.append(float(roc_auc_score(y[va], oof[va])))
        iters.append(best)
        if progress:
            progress(f"{label}fold {i}/{len(folds)}: AUC {aucs[-1]:.4f}, {best} trees")
    return CVResult(oof, aucs, iters, time.perf_counter() - start)


def cross_fit_oof(fit_predict: Callable, scores: np.ndarray, y: np.ndarray, folds: Folds) -> np.ndarray:
    """Apply fit_predict(train_scores, train_y, val_scores) fold by fold: honest out-of-fold transforms."""
    out = np.full(len(y), np.nan)
    for tr, va in folds:
        out[va] = fit_predict(scores[tr], y[tr], scores[va])
    return out
