"""Training pipeline: features, strategy comparison, tuning, calibration, threshold, scorecard, artifact."""
from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import average_precision_score
from sklearn.model_selection import train_test_split

from modeling import artifact, baselines
from modeling.calibration import CalibrationResult, calibrate
from modeling.config import TrainConfig, default_true_pd, model_dir
from modeling.cv import CVResult, cross_validate, fit_full, make_folds
from modeling.imbalance import DEFAULT_PARAMS, monotone_constraints
from modeling.scorecard import PointsScale, fit_grades, grade_table, is_monotone
from modeling.threshold import (
    CostMatrix,
    ThresholdChoice,
    best_cost_threshold,
    best_f1_threshold,
    threshold_table,
)
from modeling.tuning import save_trials, tune

TIE_COST = 0.01  # strategies within 1% of the lowest cost are tied
TIE_AUC = 0.001
IMPORTANCE_COLUMNS = ("feature", "mean_abs_shap", "share", "group", "group_mean_abs_shap", "group_share")
OOF_FILE = "oof.parquet"


class Progress:
    """Timestamped progress lines on stderr."""

    def __init__(self, stream=None):
        self.stream = stream or sys.stderr
        self.start = time.perf_counter()

    def __call__(self, message: str) -> None:
        print(f"[train {time.perf_counter() - self.start:7.1f}s] {message}", file=self.stream, flush=True)


@dataclass
class TrainResult:
    """Everything a training run measured; the report and the model card are written from it."""

    config: TrainConfig
    version: str = ""
    folder: Path | None = None
    meta: dict = field(default_factory=dict)
    comparison: pd.DataFrame | None = None
    comparison_note: str = ""
    strategy: str = ""
    strategy_reason: str = ""
    default_cv: CVResult | None = None
    final_cv: CVResult | None = None
    params: dict = field(default_factory=dict)
    tuning: dict = field(default_factory=dict)
    trials: pd.DataFrame | None = None
    monotone: dict = field(default_factory=dict)
    y: np.ndarray | None = None
    ids: np.ndarray | None = None  # SK_ID_CURR of the rows of y
    amounts: np.ndarray | None = None  # AMT_CREDIT of the rows of y
    p_oof: np.ndarray | None = None  # final calibrator applied to OOF raw scores
    calibration: CalibrationResult | None = None
    cost: CostMatrix | None = None
    cost_table: pd.DataFrame | None = None
    business: ThresholdChoice | None = None
    f1: ThresholdChoice | None = None
    grades: pd.DataFrame | None = None
    grades_monotone: bool = True
    baselines: list = field(default_factory=list)
    true_pd: dict | None = None
    importance: pd.DataFrame | None = None
    bundle: object = None
    seconds: float = 0.0


def subset_tables(tables: dict[str, pd.DataFrame], ids) -> dict[str, pd.DataFrame]:
    """Only the rows of the given clients in every table (bureau_balance through bureau)."""
    ids = pd.Index(ids)
    out = {}
    for name, frame in tables.items():
        if "SK_ID_CURR" in frame.columns:
            out[name] = frame[frame["SK_ID_CURR"].isin(ids)]
        else:
            out[name] = frame
    if "bureau_balance" in tables and "bureau" in out and "SK_ID_BUREAU" in tables["bureau_balance"].columns:
        bb = tables["bureau_balance"]
        out["bureau_balance"] = bb[bb["SK_ID_BUREAU"].isin(out["bureau"]["SK_ID_BUREAU"])]
    return out


def load_training_tables(cfg: TrainConfig, engine=None) -> dict[str, pd.DataFrame]:
    """Tables from the CSV folder of --source, else from the database (DATABASE_URL)."""
    from modeling import data

    if cfg.source is not None:
        return data.load_csv_tables(cfg.source)
    if engine is None:
        from database.config import get_engine

        engine = get_engine()
    return data.load_tables(engine)


def training_clients(app: pd.DataFrame, sample: int | None, seed: int) -> pd.Series:
    """TARGET of labelled clients indexed by SK_ID_CURR, optionally a stratified subsample."""
    if "TARGET" not in app.columns:
        raise ValueError("table application has no TARGET column: nothing to train on")
    target = app.dropna(subset=["TARGET"]).set_index("SK_ID_CURR")["TARGET"].astype(int)
    if target.empty or target.nunique() < 2:
        raise ValueError(f"application holds {len(target)} labelled clients with one class only: cannot train")
    if sample and sample < len(target):
        keep, _ = train_test_split(target.index, train_size=sample, stratify=target, random_state=seed)
        target = target.loc[sorted(keep)]
    return target


def choose_strategy(table: pd.DataFrame) -> tuple[str, str]:
    """Lowest cost; within 1% of it, highest AUC; within 0.001 AUC, fastest. Returns (name, reason)."""
    best_cost = table["cost_per_client"].min()
    tied = table[table["cost_per_client"] <= best_cost * (1 + TIE_COST) + 1e-12]
    best_auc = tied["auc_mean"].max()
    tied_auc = tied[tied["auc_mean"] >= best_auc - TIE_AUC]
    pick = tied_auc.sort_values("fit_seconds").iloc[0]
    reason = (f"`{pick['strategy']}` has the lowest business cost per client ({pick['cost_per_client']:.4f}"
              f" at its cost-optimal threshold)")
    if len(tied) > 1:
        reason = (f"{', '.join(f'`{s}`' for s in tied['strategy'])} are within {TIE_COST:.0%} of the lowest "
                  f"cost; among them `{pick['strategy']}` has the best AUC")
        if len(tied_auc) > 1:
            reason += f" (AUCs within {TIE_AUC}) and the shortest fit time ({pick['fit_seconds']:.1f}s)"
    return str(pick["strategy"]), reason + "."


def compare_strategies(cfg, X, y, amounts, say) -> tuple[pd.DataFrame, str, dict]:
    """CV of every strategy with default parameters: AUC, cost at its own optimum, fit time."""
    note = ""
    pos = np.arange(len(y))
    if len(y) > cfg.compare_rows:
        pos, _ = train_test_split(pos, train_size=cfg.compare_rows, stratify=y, random_state=cfg.seed)
        pos = np.sort(pos)
        note = (f"The comparison runs on a stratified subsample of {cfg.compare_rows} of {len(y)} clients "
                f"(SMOTE on every row is slow); the same subsample and folds serve every strategy.")
    Xc, yc = X.iloc[pos], y[pos]
    ac = None if amounts is None else amounts[pos]
    folds = make_folds(yc, cfg.folds, cfg.seed)
    cost = CostMatrix(cfg.cost_fn, cfg.cost_fp, cfg.cost_mode, cfg.lgd, cfg.margin)
    rows, results = [], {}
    for strategy in cfg.strategies:
        res = cross_validate(strategy, {}, Xc, yc, folds, cfg.seed, cfg.n_jobs, say, f"{strategy}: ")
        cal = calibrate(res.oof, yc, folds)
        choice = best_cost_threshold(yc, cal.calibrated_oof, cost, ac)
        raw_choice = best_cost_threshold(yc, res.oof, cost, ac)
        rows.append({"strategy": strategy, "auc_mean": res.auc_mean, "auc_std": res.auc_std,
                     "cost_per_client": choice.cost_per_client, "threshold": choice.threshold,
                     "raw_cost_per_client": raw_choice.cost_per_client, "raw_threshold": raw_choice.threshold,
                     "brier_raw": cal.brier_raw, "brier_calibrated": cal.brier_calibrated,
                     "fit_seconds": res.fit_seconds, "trees": res.n_estimators})
        results[strategy] = res
        say(f"strategy {strategy}: AUC {res.auc_mean:.4f} ± {res.auc_std:.4f}, "
            f"cost/client {choice.cost_per_client:.4f}, {res.fit_seconds:.1f}s")
    return pd.DataFrame(rows), note, (results if len(pos) == len(y) else {})


def _importance(bundle, X: pd.DataFrame) -> pd.DataFrame:
    """Global mean |SHAP| per feature and per group (modeling.explain), on at most 5000 clients."""
    from modeling.explain import global_importance

    return global_importance(bundle, X, lang="en", max_rows=5000)


def train(cfg: TrainConfig, engine=None, say=None) -> TrainResult:
    """Run the whole pipeline and publish models/<version>/; returns what was measured."""
    from modeling.explain import PopulationStats
    from modeling.features import FeatureBuilder

    say = say or Progress()
    start = time.perf_counter()
    r = TrainResult(config=cfg)
    tables = load_training_tables(cfg, engine)
    target = training_clients(tables["application"], cfg.sample, cfg.seed)
    tables = subset_tables(tables, target.index)
    say(f"loaded {len(target)} labelled clients ({target.mean():.2%} defaults)")
    builder = FeatureBuilder().fit(tables)
    X = builder.transform(tables).reindex(target.index).astype("float64")
    y = target.to_numpy()
    r.y = y
    r.ids = X.index.to_numpy()
    amounts = tables["application"].set_index("SK_ID_CURR")["AMT_CREDIT"].reindex(X.index).to_numpy(dtype=float)
    r.amounts = amounts
    say(f"features: {X.shape[0]} clients x {X.shape[1]} columns")
    r.monotone = {c: s for c, s in zip(X.columns, monotone_constraints(list(X.columns)), strict=True) if s}

    r.comparison, r.comparison_note, full_results = compare_strategies(cfg, X, y, amounts, say)
    r.strategy, r.strategy_reason = choose_strategy(r.comparison)
    say(f"chosen strategy: {r.strategy}")

    folds = make_folds(y, cfg.folds, cfg.seed)
    r.default_cv = full_results.get(r.strategy) or cross_validate(
        r.strategy, {}, X, y, folds, cfg.seed, cfg.n_jobs, say, "defaults: ")
    r.final_cv, r.params = r.default_cv, {}
    if cfg.max_evals > 0:
        params, r.trials, tuned = tune(r.strategy, X, y, folds, cfg.max_evals, cfg.seed, cfg.n_jobs, say)
        if tuned.auc_mean > r.default_cv.auc_mean:
            r.final_cv, r.params = tuned, params
    r.tuning = {"max_evals": cfg.max_evals, "default_auc": r.default_cv.auc_mean,
                "tuned_auc": r.final_cv.auc_mean if r.params else None,
                "gain": r.final_cv.auc_mean - r.default_cv.auc_mean, "used": "tuned" if r.params else "defaults"}

    r.calibration = calibrate(r.final_cv.oof, y, folds)
    # The served model applies the final calibrator to raw scores: choose the threshold and grades on
    # the same map applied to OOF raw scores (Brier figures stay cross-fitted, see calibration.py).
    p_oof = r.calibration.calibrator.predict(r.final_cv.oof)
    r.p_oof = p_oof
    r.cost = CostMatrix(cfg.cost_fn, cfg.cost_fp, cfg.cost_mode, cfg.lgd, cfg.margin)
    r.cost_table = threshold_table(y, p_oof, r.cost, amounts)
    r.business = best_cost_threshold(y, p_oof, r.cost, amounts, r.cost_table)
    r.f1 = best_f1_threshold(y, p_oof, r.cost, amounts, r.cost_table)
    say(f"threshold {r.business.threshold:.4f} (cost/client {r.business.cost_per_client:.4f}); "
        f"F1 threshold {r.f1.threshold:.4f} (cost/client {r.f1.cost_per_client:.4f})")

    scale = PointsScale()
    grades = fit_grades(scale.points(p_oof), float(scale.points(r.business.threshold)))
    r.grades = grade_table(y, p_oof, scale, grades)
    r.grades_monotone = is_monotone(r.grades["observed_default_rate"])

    say(f"refitting {r.strategy} on all {len(y)} clients with {r.final_cv.n_estimators} trees")
    estimator = fit_full(r.strategy, r.params, X, y, r.final_cv.n_estimators, cfg.seed, cfg.n_jobs)

    if cfg.baselines:
        r.baselines.append(baselines.ext_source_logit(X, y, folds))
        r.baselines.append(baselines.application_only(tables, X.index, y, folds, cfg.seed, cfg.n_jobs))
        say("baselines: " + ", ".join(f"{b['name']} AUC {b['auc_mean']:.4f}" for b in r.baselines))
    true_pd = cfg.true_pd or next((p for p in _true_pd_candidates(cfg) if p.is_file()), None)
    if true_pd is not None:
        r.true_pd = baselines.true_pd_ceiling(Path(true_pd), X.index, y, r.final_cv.oof)

    fingerprint = artifact.data_fingerprint(target.index.to_numpy(), y)
    r.version = artifact.free_version(artifact.make_version(fingerprint), cfg.out_dir)
    rng = np.random.default_rng(cfg.seed)
    background = X.iloc[np.sort(rng.choice(len(X), size=min(200, len(X)), replace=False))]
    r.bundle = artifact.ModelBundle(
        version=r.version, features=builder, feature_names=list(X.columns), estimator=estimator,
        calibrator=r.calibration.calibrator, threshold=r.business.threshold, cost=r.cost, scale=scale,
        grades=grades, strategy=r.strategy, params={**DEFAULT_PARAMS, **r.params,
                                                    "n_estimators": r.final_cv.n_estimators},
        population=population_stats(X, y, p_oof), feature_stats=PopulationStats.from_frame(X),
        background=background,
    )
    r.importance = _importance(r.bundle, X)
    r.bundle.importance = r.importance[list(IMPORTANCE_COLUMNS)].copy()
    # Serving predicts one row at a time in forked workers: one thread is fastest there, and a model that
    # predicted with several threads in the parent process makes forked gunicorn workers hang.
    r.bundle.lgbm.set_params(n_jobs=1)
    r.meta = {"fingerprint": fingerprint, "rows": len(y), "defaults": int(y.sum()),
              "default_rate": float(y.mean()), "features": X.shape[1],
              "source": str(cfg.source) if cfg.source else "database",
              "sample": cfg.sample, "created_at": datetime.now(UTC).isoformat(timespec="seconds")}
    r.seconds = time.perf_counter() - start
    r.bundle.card = model_card(r)
    r.folder = publish(r, say)
    return r


def _true_pd_candidates(cfg: TrainConfig) -> list[Path]:
    out = [Path(cfg.source) / "true_pd.csv"] if cfg.source else []
    return out + [default_true_pd()]


def population_stats(X: pd.DataFrame, y: np.ndarray, p_oof: np.ndarray) -> dict:
    """Quantiles of calibrated OOF probabilities and the default rate, for percentiles in the UIs."""
    return {
        "probability_sorted": np.quantile(p_oof, np.linspace(0, 1, 1001)),
        "default_rate": float(np.mean(y)),
        "clients": int(len(y)),
    }


def model_card(r: TrainResult) -> dict:
    """The model card: what a reviewer needs to know about this version, JSON-ready."""
    cv, cal = r.final_cv, r.calibration
    return {
        "version": r.version,
        "created_at": r.meta["created_at"],
        "data": {k: r.meta[k] for k in ("fingerprint", "rows", "defaults", "default_rate", "source", "sample")},
        "features_count": r.meta["features"],
        "strategy": r.strategy,
        "strategy_reason": r.strategy_reason,
        "strategy_comparison": r.comparison.to_dict(orient="records"),
        "cv": {"folds": r.config.folds, "auc_mean": cv.auc_mean, "auc_std": cv.auc_std, "fold_auc": cv.fold_auc,
               "pr_auc": float(average_precision_score(r.y, cv.oof)),
               "brier_raw": cal.brier_raw, "brier_calibrated": cal.brier_calibrated},
        "hyperparameters": r.bundle.params,
        "tuning": r.tuning,
        "monotone_constraints": r.monotone,
        "calibration": {"method": cal.calibrator.method, "brier": cal.brier},
        "threshold": r.business.threshold,
        "threshold_f1": r.f1.threshold,
        "decision_rule": "refuse if calibrated probability >= threshold",
        "cost_matrix": {**r.cost.to_dict(), "description": r.cost.describe(),
                        "bayes_threshold": r.cost.bayes_threshold()},
        "business_optimum": r.business.to_dict(),
        "f1_optimum": r.f1.to_dict(),
        "points": r.bundle.scale.to_dict(),
        "grades": {**r.bundle.grades.to_dict(), "monotone": r.grades_monotone,
                   "table": r.grades.to_dict(orient="records")},
        "baselines": r.baselines,
        "true_pd": r.true_pd,
        "seed": r.config.seed,
        "training_seconds": round(r.seconds, 1),
    }


def oof_frame(r: TrainResult) -> pd.DataFrame:
    """SK_ID_CURR, TARGET, calibrated OOF PROBABILITY (the one the threshold was chosen on), AMT_CREDIT."""
    return pd.DataFrame({"SK_ID_CURR": np.asarray(r.ids, dtype="int64"), "TARGET": np.asarray(r.y, dtype="int64"),
                         "PROBABILITY": np.asarray(r.p_oof, dtype="float64"),
                         "AMT_CREDIT": np.asarray(r.amounts, dtype="float64")})


def publish(r: TrainResult, say) -> Path:
    """Write bundle, card, OOF predictions, trials and report into a staging folder, then publish it."""
    from modeling.report import write_report

    root = Path(r.config.out_dir or model_dir())
    staging = artifact.staging_dir(root)
    try:
        artifact.write_bundle(r.bundle, staging)
        oof_frame(r).to_parquet(staging / OOF_FILE, index=False)
        if r.trials is not None:
            save_trials(r.trials, staging)
        write_report(r, staging)
        folder = artifact.publish(staging, r.version, root)
    except BaseException:
        artifact.remove_staging(staging)
        raise
    say(f"model written to {folder}")
    return folder
