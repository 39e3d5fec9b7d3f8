"""Reference models for the report: application-only LightGBM, EXT_SOURCE logistic regression, true PD."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

from modeling.features import FeatureBuilder
from modeling.training.challengers import cross_validate_family
from modeling.training.cv import Folds, cross_validate


def application_only(tables: dict, ids: pd.Index, y: np.ndarray, folds: Folds, seed: int, n_jobs: int) -> dict:
    """LightGBM (no resampling, default parameters) on features built from the application table alone."""
    only_app = {"application": tables["application"]}
    X = FeatureBuilder().fit(only_app).transform(only_app).reindex(ids)
    X = X.loc[:, X.notna().any()]  # child-table columns are all empty here
    res = cross_validate("none", {}, X, y, folds, seed, n_jobs)
    return {"name": "LightGBM, application table only", "auc_mean": res.auc_mean, "auc_std": res.auc_std,
            "features": X.shape[1]}


def ext_source_logit(X: pd.DataFrame, y: np.ndarray, folds: Folds) -> dict:
    """Logistic regression on EXT_SOURCE_1..3 on the given folds: the `ext_source` challenger itself."""
    return baseline_row(cross_validate_family("ext_source", X, y, folds))


def baseline_row(cv) -> dict:
    """The baselines-table row of an EXT_SOURCE regression's cross-validation result."""
    return {"name": "Logistic regression on EXT_SOURCE_1..3", "auc_mean": cv.auc_mean, "auc_std": cv.auc_std,
            "pooled_auc": cv.pooled_auc, "features": len(cv.models[0].columns)}


def read_true_pd(path: Path) -> pd.Series:
    """True default probabilities of a synthetic set: SK_ID_CURR and one probability column."""
    frame = pd.read_csv(path)
    if "SK_ID_CURR" not in frame.columns:
        raise ValueError(f"{path}: column SK_ID_CURR missing")
    others = [c for c in frame.columns if c != "SK_ID_CURR" and pd.api.types.is_numeric_dtype(frame[c])]
    preferred = [c for c in others if "PD" in c.upper() or "PROB" in c.upper()]
    if not (preferred or others):
        raise ValueError(f"{path}: no probability column next to SK_ID_CURR")
    return frame.set_index("SK_ID_CURR")[(preferred or others)[0]].astype(float)


def true_pd_ceiling(path: Path, ids: pd.Index, y: np.ndarray, oof: np.ndarray) -> dict | None:
    """AUC of the true PD (the best any model can expect) and the model's share of it, on shared clients."""
    true_pd = read_true_pd(path).reindex(ids)
    mask = true_pd.notna().to_numpy()
    if mask.sum() < 10 or len(np.unique(y[mask])) < 2:
        return None
    best = float(roc_auc_score(y[mask], true_pd.to_numpy()[mask]))
    model = float(roc_auc_score(y[mask], oof[mask]))
    lift = (model - 0.5) / (best - 0.5) if best > 0.5 else float("nan")
    return {"file": str(path), "clients": int(mask.sum()), "best_auc": best, "model_auc": model,
            "share": model / best, "share_above_random": lift}
