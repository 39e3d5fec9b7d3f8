"""Hyperopt TPE search of LightGBM parameters for one imbalance strategy, scored by mean CV AUC.

Search space (the number of trees is not searched: early stopping on a slice of each training fold
picks it, up to 2000):
  num_leaves         integer 8-128 (quantised uniform, step 4)
  learning_rate      log-uniform 0.01-0.2
  min_child_samples  integer 5-200 (quantised log-uniform), then kept between the data's floor
                     (`complexity`: one leaf holds at least ~1/20 of a fold's defaults) and 5 % of the
                     rows a fold trains on
  subsample          uniform 0.5-1.0 (row bagging every iteration)
  colsample_bytree   uniform 0.3-1.0
  reg_alpha          log-uniform 1e-3-10
  reg_lambda         log-uniform 1e-3-10

TPE only models the search space after its random start-up trials (hyperopt's default: 20). With a
small budget that default would make every evaluation random, so the start-up count is set for the
budget (`startup_trials`) and the report says how many trials were random and how many guided.
"""
from __future__ import annotations

import functools
import json
import math
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
from hyperopt import STATUS_OK, Trials, fmin, hp, tpe

from modeling.training.cv import CVResult, Folds, cross_validate

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
LEAF_DEFAULTS_SHARE = 1 / 20  # a leaf holds at least this share of the defaults a fold trains on
LEAF_FLOOR = (20, 100)


def startup_trials(max_evals: int) -> int:
    """Random trials before TPE models the space: a third of the budget, between 2 and 20."""
    return int(min(20, max(2, max_evals // 3)))


def complexity(y: np.ndarray, k: int, strategy: str = "none") -> dict:
    """Parameters that bound the model by its data: the smallest leaf scales with the defaults a fold sees.

    A LightGBM leaf of 20 clients can isolate a handful of defaults on a few thousand clients; a floor
    of one twentieth of a fold's defaults (20 to 100 clients) keeps every leaf a real group.
    """
    n_pos_fit = float(np.sum(y)) * (k - 1) / k
    if strategy == "smote":  # SMOTE adds as many synthetic defaults as there are good clients
        n_pos_fit = (len(y) - float(np.sum(y))) * (k - 1) / k
    return {"min_child_samples": int(np.clip(round(n_pos_fit * LEAF_DEFAULTS_SHARE), *LEAF_FLOOR))}


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
    rows_fit = len(y) * (k - 1) / k * 0.75 * (2 * float(np.mean(y)) if strategy == "undersample" else 1.0)
    leaf_cap = max(5, int(rows_fit * 0.05))
    leaf_floor = min(complexity(y, k, strategy)["min_child_samples"], leaf_cap)

    def bounded(params: dict) -> dict:
        params["min_child_samples"] = int(np.clip(params["min_child_samples"], leaf_floor, leaf_cap))
        return params

    def objective(raw: dict) -> dict:
        params = bounded(clean_params(raw))
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
    algo = functools.partial(tpe.suggest, n_startup_jobs=startup_trials(max_evals))
    fmin(objective, SPACE, algo=algo, max_evals=max_evals, trials=trials,
         rstate=np.random.default_rng(seed), show_progressbar=False)
    table = pd.DataFrame(rows)
    table["phase"] = ["random start-up" if i < startup_trials(max_evals) else "TPE" for i in range(len(table))]
    best = table.loc[table["auc_mean"].idxmax()]
    params = bounded(clean_params({k: best[k] for k in list(SPACE) + ["subsample_freq"]}))
    return params, table, best_result[0]


def save_trials(table: pd.DataFrame, folder: Path) -> None:
    """Write the trials as trials.csv and trials.json in the model folder."""
    table.to_csv(folder / "trials.csv", index=False)
    (folder / "trials.json").write_text(json.dumps(table.to_dict(orient="records"), indent=2, default=float))
