"""Stratified folds and out-of-fold training with early stopping on a slice of each training fold.

Early stopping must stay stable on few defaults: the slice that stops boosting holds at least
``STOP_DEFAULTS`` defaults where the fold has them (10 % to 25 % of the fold), and the patience grows
as the learning rate falls (``STOP_PATIENCE`` / learning rate rounds, at least 50), so that a noisy
slice cannot stop a fold after a handful of trees.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from lightgbm import early_stopping
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold, train_test_split

from modeling.training.imbalance import (
    DEFAULT_PARAMS,
    early_stopping_view,
    final_lgbm,
    lightgbm_model,
    make_estimator,
)

Folds = list[tuple[np.ndarray, np.ndarray]]
STOP_SHARE = (0.1, 0.25)  # share of each training fold kept aside to stop boosting: at least, at most
STOP_DEFAULTS = 150  # defaults wanted in the stopping slice
STOP_PATIENCE = 5.0  # rounds without improvement = STOP_PATIENCE / learning_rate (100 at 0.05)
MIN_TREES = 20


@dataclass
class CVResult:
    """Out-of-fold raw probabilities and per-fold figures of one configuration."""

    oof: np.ndarray
    fold_auc: list[float]
    best_iterations: list[int]
    fit_seconds: float
    extra: dict = field(default_factory=dict)
    models: list = field(default_factory=list)  # one fitted modeling.serving.families model per fold

    @property
    def pooled_auc(self) -> float:
        """AUC of all out-of-fold predictions ranked together (what the threshold and grades see)."""
        return float(roc_auc_score(self.y_, self.oof)) if self.y_ is not None else float("nan")

    y_: np.ndarray | None = None

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


def stop_share(y: np.ndarray) -> float:
    """Share of a training fold kept to stop boosting: enough defaults for a stable AUC, within STOP_SHARE."""
    n_pos = max(int(np.sum(y)), 1)
    return float(np.clip(STOP_DEFAULTS / n_pos, *STOP_SHARE))


def patience(params: dict) -> int:
    """Rounds without improvement before boosting stops, scaled to the learning rate."""
    rate = float(params.get("learning_rate", DEFAULT_PARAMS["learning_rate"]))
    return max(50, int(round(STOP_PATIENCE / rate)))


def fit_early_stopped(strategy: str, params: dict, X: pd.DataFrame, y: np.ndarray, seed: int, n_jobs: int):
    """Fit one strategy on X, stopping boosting on a stratified slice of it; returns (estimator, best iteration)."""
    y = np.asarray(y)
    fit_pos, stop_pos = train_test_split(np.arange(len(y)), test_size=stop_share(y), stratify=y,
                                         random_state=seed)
    X_fit, y_fit = X.iloc[fit_pos], y[fit_pos]
    X_stop = early_stopping_view(strategy, X_fit, X.iloc[stop_pos])
    estimator = make_estimator(strategy, params, list(X.columns), seed, n_jobs)
    prefix = "model__" if hasattr(estimator, "steps") else ""
    fit_params = {
        f"{prefix}eval_X": X_stop,
        f"{prefix}eval_y": y[stop_pos],
        f"{prefix}eval_metric": "auc",
        f"{prefix}callbacks": [early_stopping(patience(params), first_metric_only=True, verbose=False,
                                              min_delta=0.0)],
    }
    estimator.fit(X_fit, y_fit, **fit_params)
    best = final_lgbm(estimator).best_iteration_ or final_lgbm(estimator).n_estimators
    if best < MIN_TREES:  # a stop this early is noise in the slice, not a model: keep a minimum of trees
        estimator = make_estimator(strategy, {**params, "n_estimators": MIN_TREES}, list(X.columns), seed, n_jobs)
        estimator.fit(X_fit, y_fit)
        best = MIN_TREES
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
    aucs, iters, models = [], [], []
    start = time.perf_counter()
    for i, (tr, va) in enumerate(folds, 1):
        estimator, best = fit_early_stopped(strategy, params, X.iloc[tr], y[tr], seed + i, n_jobs)
        model = lightgbm_model(estimator, list(X.columns))
        oof[va] = model.raw_probability(model.matrix(X.iloc[va]))
        aucs.append(float(roc_auc_score(y[va], oof[va])))
        iters.append(best)
        models.append(model)
        if progress:
            progress(f"{label}fold {i}/{len(folds)}: AUC {aucs[-1]:.4f}, {best} trees")
    return CVResult(oof, aucs, iters, time.perf_counter() - start, models=models, y_=y)


def cross_fit_oof(fit_predict: Callable, scores: np.ndarray, y: np.ndarray, folds: Folds) -> np.ndarray:
    """Apply fit_predict(train_scores, train_y, val_scores) fold by fold: honest out-of-fold transforms."""
    out = np.full(len(y), np.nan)
    for tr, va in folds:
        out[va] = fit_predict(scores[tr], y[tr], scores[va])
    return out
