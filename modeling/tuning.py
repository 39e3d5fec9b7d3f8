"""Hyperopt TPE search of LightGBM parameters for one imbalance strategy, scored by mean CV AUC.

Search space (the number of trees is not searched: early stopping on a 10% slice of each training
fold picks it, up to 2000):
  num_leaves         integer 8-128 (quantised uniform, step 4)
  learning_rate      log-uniform 0.01-0.2
  min_child_samples  integer 5-200 (quantised log-uniform), capped at 5% of the rows a fold trains on
  subsample          uniform 0.5-1.0 (row bagging every iteration)
  colsample_bytree   uniform 0.3-1.0
  reg_alpha          log-uniform 1e-3-10
  reg_lambda         log-uniform 1e-3-10
"""
from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
from hyperopt import STATUS_OK, Trials, fmin, hp, tpe

from modeling.cv import CVResult, Folds, cross_validate

SPACE = {
    "num_leaves": hp.quniform("num_leaves", 8, 128, 4),
    "learning_rate": hp.loguniform("learning_rate", math.log(0.01), math.log(0.2)),
    "min_child_samples": hp.qloguniform("min_child_samples", math.log(5), math.log(200), 1),
    "subsample": hp.uniform("subsample", 0.5, 1.0),
    "colsample_bytree": hp.uniform("colsample_bytree", 0.3, 1.0),
    "reg_alpha": hp.loguniform("reg_alpha", math.log(1e-3), math.log(10)),
    "reg_lambda": hp.loguniform("reg_lambda", math.log(1e-3), math.log(10)),
}
INTEGER_PARAMS = ("num_leaves", "min_child_samples")


def clean_params(raw: dict) -> dict:
    """Hyperopt draws as LightGBM parameters (integers where needed, bagging switched on)."""
    params = {k: (int(v) if k in INTEGER_PARAMS else float(v)) for k, v in raw.items()}
    params["num_leaves"] = max(params.get("num_leaves", 31), 4)
    params["min_child_samples"] = max(params.get("min_child_samples", 20), 2)
    params["subsample_freq"] = 1
    return params


def tune(
    strategy: str,
    X: pd.DataFrame,
    y: np.ndarray,
    folds: Folds,
    max_evals: int,
    seed: int,
    n_jobs: int,
    progress: Callable[[str], None] | None = None,
) -> tuple[dict, pd.DataFrame, CVResult]:
    """Best parameters by mean CV AUC, one row per trial (parameters, AUC, trees, seconds), best CV result."""
    rows: list[dict] = []
    best_result: list[CVResult] = []

    # a leaf may not need more than 5% of the rows a fold trains on (after undersampling): else no split at all
    k = len(folds)
    rows_fit = len(y) * (k - 1) / k * 0.9 * (2 * float(np.mean(y)) if strategy == "undersample" else 1.0)
    leaf_cap = max(5, int(rows_fit * 0.05))

    def objective(raw: dict) -> dict:
        params = clean_params(raw)
        params["min_child_samples"] = min(params["min_child_samples"], leaf_cap)
        start = time.perf_counter()
        res = cross_validate(strategy, params, X, y, folds, seed, n_jobs)
        rows.append({"trial": len(rows) + 1, **params, "auc_mean": res.auc_mean, "auc_std": res.auc_std,
                     "trees": res.n_estimators, "seconds": round(time.perf_counter() - start, 2)})
        best = max(r["auc_mean"] for r in rows)
        if res.auc_mean >= best:
            best_result[:] = [res]
        if progress:
            progress(f"hyperopt {len(rows)}/{max_evals}: AUC {res.auc_mean:.4f} ± {res.auc_std:.4f} (best {best:.4f})")
        return {"loss": -res.auc_mean, "status": STATUS_OK}

    trials = Trials()
    fmin(objective, SPACE, algo=tpe.suggest, max_evals=max_evals, trials=trials,
         rstate=np.random.default_rng(seed), show_progressbar=False)
    table = pd.DataFrame(rows)
    best = table.loc[table["auc_mean"].idxmax()]
    params = clean_params({k: best[k] for k in list(SPACE) + ["subsample_freq"]})
    params["min_child_samples"] = min(params["min_child_samples"], leaf_cap)
    return params, table, best_result[0]


def save_trials(table: pd.DataFrame, folder: Path) -> None:
    """Write the trials as trials.csv and trials.json in the model folder."""
    table.to_csv(folder / "trials.csv", index=False)
    (folder / "trials.json").write_text(json.dumps(table.to_dict(orient="records"), indent=2, default=float))
