"""The simpler challengers of LightGBM, fitted and cross-validated on the same folds: a WoE scorecard and
the EXT_SOURCE logistic regression. Each returns a `modeling.serving.families` model, so the winner is served as is.
"""
from __future__ import annotations

import time
import warnings
from collections.abc import Callable

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

from modeling.serving.families import StandardisedLogit, WoEScorecard
from modeling.training.cv import CVResult, Folds
from modeling.training.imbalance import monotone_direction

#: optbinning's trend of the default rate over a variable's bins, from the variable's business direction.
TRENDS = {1: "ascending", -1: "descending", 0: "auto_asc_desc"}

EXT_SOURCES = ("EXT_SOURCE_1", "EXT_SOURCE_2", "EXT_SOURCE_3")
#: Variables offered to the scorecard's binning: the strongest by univariate AUC on the training rows.
SCORECARD_CANDIDATES = 30
#: Binning keeps variables with an information value of at least IV_MIN, at most SCORECARD_MAX of them.
IV_MIN = 0.02
SCORECARD_MAX = 15
SCORECARD_C = 0.5  # L2 strength of the scorecard's logistic regression (WoE inputs are on one scale)


def fit_ext_source(X: pd.DataFrame, y: np.ndarray) -> StandardisedLogit:
    """Logistic regression on EXT_SOURCE_1..3, median-imputed and standardised on these rows."""
    columns = [c for c in EXT_SOURCES if c in X.columns]
    if not columns:
        raise ValueError("no EXT_SOURCE_1..3 column among the features: the baseline cannot be fitted")
    values = X[columns].to_numpy(dtype=float)
    medians = np.nan_to_num(np.nanmedian(values, axis=0), nan=0.5) if len(values) else np.full(len(columns), 0.5)
    filled = np.where(np.isnan(values), medians, values)
    means, scales = filled.mean(axis=0), filled.std(axis=0)
    scales = np.where(scales > 0, scales, 1.0)
    model = LogisticRegression().fit((filled - means) / scales, y)
    return StandardisedLogit(list(X.columns), columns, model.coef_[0], model.intercept_[0], medians, means, scales)


def univariate_strength(X: pd.DataFrame, y: np.ndarray) -> pd.Series:
    """|AUC - 0.5| of each column alone (missing values set to the median), strongest first."""
    out = {}
    for name in X.columns:
        x = X[name].to_numpy(dtype=float)
        finite = np.isfinite(x)
        if finite.sum() < 30 or np.nanstd(x[finite]) == 0:
            continue
        x = np.where(finite, x, np.median(x[finite]))
        out[name] = abs(roc_auc_score(y, x) - 0.5)
    return pd.Series(out, dtype=float).sort_values(ascending=False)


def fit_scorecard(X: pd.DataFrame, y: np.ndarray) -> WoEScorecard:
    """Monotone optimal bins (optbinning) of the strongest variables, then an L2 logistic regression on their WoE."""
    from optbinning import BinningProcess  # deferred: training package

    names = list(univariate_strength(X, y).index[:SCORECARD_CANDIDATES])
    if not names:
        raise ValueError("no variable with enough values to bin: the scorecard cannot be fitted")
    process = BinningProcess(
        names, binning_fit_params={n: {"monotonic_trend": TRENDS[monotone_direction(n)]} for n in names},
        selection_criteria={"iv": {"min": IV_MIN, "top": SCORECARD_MAX}},
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # optbinning warns about constant prebins on sparse columns
        process.fit(X[names], y)
    kept = [n for n in process.get_support(names=True) if len(process.get_binned_variable(n).splits)]
    if not kept:  # nothing informative enough: fall back to the strongest variable alone
        kept = names[:1]
    splits, woe, woe_missing = [], [], []
    for name in kept:
        binning = process.get_binned_variable(name)
        s = np.asarray(binning.splits, dtype=float)
        reps = np.r_[s[0] - 1.0, (s[:-1] + s[1:]) / 2, s[-1] + 1.0] if len(s) else np.array([0.0])
        w = binning.transform(np.r_[reps, np.nan], metric="woe", metric_missing="empirical")
        splits.append(s)
        woe.append(np.asarray(w[:-1], dtype=float))
        woe_missing.append(float(w[-1]))
    shell = WoEScorecard(list(X.columns), kept, np.zeros(len(kept)), 0.0, splits, woe, woe_missing,
                         np.zeros(len(kept)))
    inputs = shell.inputs(shell.matrix(X))
    model = LogisticRegression(C=SCORECARD_C, max_iter=1000).fit(inputs, y)
    return WoEScorecard(list(X.columns), kept, model.coef_[0], model.intercept_[0], splits, woe, woe_missing,
                        inputs.mean(axis=0))


FITTERS: dict[str, Callable] = {"ext_source": fit_ext_source, "scorecard": fit_scorecard}


def cross_validate_family(family: str, X: pd.DataFrame, y: np.ndarray, folds: Folds,
                          progress: Callable[[str], None] | None = None) -> CVResult:
    """Out-of-fold raw probabilities of a challenger family, one model fitted per training fold."""
    fit = FITTERS[family]
    y = np.asarray(y)
    oof = np.full(len(y), np.nan)
    aucs, models = [], []
    start = time.perf_counter()
    for i, (tr, va) in enumerate(folds, 1):
        model = fit(X.iloc[tr], y[tr])
        oof[va] = model.raw_probability(model.matrix(X.iloc[va]))
        aucs.append(float(roc_auc_score(y[va], oof[va])))
        models.append(model)
        if progress:
            progress(f"{family}: fold {i}/{len(folds)}: AUC {aucs[-1]:.4f}")
    return CVResult(oof, aucs, [0] * len(folds), time.perf_counter() - start, models=models, y_=y)
