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

from modeling import policy
from modeling.config import KEY_HELP, SigningKeys, TrainConfig, default_true_pd, model_dir
from modeling.monitoring import drift
from modeling.serving import artifact, signing
from modeling.serving.families import FAMILIES
from modeling.serving.scorecard import PointsScale, fit_grades, grade_table, is_monotone
from modeling.serving.threshold import (
    CostMatrix,
    ThresholdChoice,
    best_cost_threshold,
    best_f1_threshold,
    threshold_table,
)
from modeling.training import baselines, champion, fairness
from modeling.training.calibrate import CalibrationResult, calibrate
from modeling.training.challengers import FITTERS, cross_validate_family
from modeling.training.champion import Candidate
from modeling.training.cv import CVResult, cross_validate, fit_full, make_folds
from modeling.training.imbalance import DEFAULT_PARAMS, lightgbm_model, monotone_constraints
from modeling.training.tuning import complexity, save_trials, startup_trials, tune

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
    keys: SigningKeys | None = None  # the model-signing key, read before the work starts
    cpu_start: float = field(default_factory=time.process_time)
    cpu_seconds: float = 0.0
    removed: list = field(default_factory=list)  # features the protected-attribute policy removed
    candidates: list = field(default_factory=list)  # modeling.training.champion.Candidate of every family
    champion: object = None
    champion_reason: str = ""
    family: str = ""
    lightgbm_cv: CVResult | None = None
    policy: dict = field(default_factory=dict)
    fairness: dict | None = None
    version: str = ""
    folder: Path | None = None
    meta: dict = field(default_factory=dict)
    comparison: pd.DataFrame | None = None
    comparison_note: str = ""
    strategy: str = ""
    strategy_reason: str = ""
    default_cv: CVResult | None = None
    final_cv: CVResult | None = None  # the production family's out-of-fold result
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
    from modeling.serving import data

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
        res = cross_validate(strategy, complexity(yc, cfg.folds, strategy), Xc, yc, folds, cfg.seed, cfg.n_jobs,
                             say, f"{strategy}: ")
        cal = calibrate(res.oof, yc)
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
    """Global mean |SHAP| per feature and per group (modeling.serving.explain), on at most 5000 clients."""
    from modeling.serving.explain import global_importance

    return global_importance(bundle, X, lang="en", max_rows=5000)


def prepare(cfg: TrainConfig, engine, say) -> tuple[dict, pd.Series, object, pd.DataFrame, list[str]]:
    """Tables, labels, the fitted FeatureBuilder, every feature (protected ones included) and those the policy removes."""
    from modeling.features import FeatureBuilder

    tables = load_training_tables(cfg, engine)
    target = training_clients(tables["application"], cfg.sample, cfg.seed)
    tables = subset_tables(tables, target.index)
    say(f"loaded {len(target)} labelled clients ({target.mean():.2%} defaults)")
    builder = FeatureBuilder().fit(tables)
    X_all = builder.transform(tables).reindex(target.index).astype("float64")
    removed = policy.protected_features(X_all.columns, cfg.protected)
    say(f"features: {X_all.shape[0]} clients x {X_all.shape[1] - len(removed)} columns"
        + (f" ({len(removed)} protected removed: {', '.join(removed)})" if removed else ""))
    return tables, target, builder, X_all, removed


def lightgbm_stage(cfg: TrainConfig, r: TrainResult, X: pd.DataFrame, folds, say) -> CVResult:
    """Imbalance strategies compared, then Hyperopt on the chosen one: the LightGBM candidate's CV result."""
    y = r.y
    r.comparison, r.comparison_note, full_results = compare_strategies(cfg, X, y, r.amounts, say)
    r.strategy, r.strategy_reason = choose_strategy(r.comparison)
    say(f"chosen strategy: {r.strategy}")
    base = complexity(y, cfg.folds, r.strategy)
    r.default_cv = full_results.get(r.strategy) or cross_validate(
        r.strategy, base, X, y, folds, cfg.seed, cfg.n_jobs, say, "defaults: ")
    best, r.params = r.default_cv, dict(base)
    if cfg.max_evals > 0:
        params, r.trials, tuned = tune(r.strategy, X, y, folds, cfg.max_evals, cfg.seed, cfg.n_jobs, say)
        if tuned.auc_mean > r.default_cv.auc_mean:
            best, r.params = tuned, params
    r.tuning = {"max_evals": cfg.max_evals, "startup_trials": startup_trials(cfg.max_evals) if cfg.max_evals else 0,
                "default_auc": r.default_cv.auc_mean,
                "tuned_auc": best.auc_mean if best is not r.default_cv else None,
                "gain": best.auc_mean - r.default_cv.auc_mean,
                "used": "tuned" if best is not r.default_cv else "defaults"}
    r.lightgbm_cv = best
    return best


def candidates_stage(cfg: TrainConfig, r: TrainResult, X: pd.DataFrame, folds, say) -> list[Candidate]:
    """Every candidate family cross-validated on the same folds and judged with the same cost matrix."""
    out = []
    for family in FAMILIES:
        if family not in cfg.candidates:
            continue
        cv = (lightgbm_stage(cfg, r, X, folds, say) if family == "lightgbm"
              else cross_validate_family(family, X, r.y, folds, say))
        cand = champion.evaluate(family, cv, r.y, folds, r.cost, r.amounts)
        say(f"candidate {family}: pooled AUC {cand.pooled_auc:.4f}, cost/client {cand.choice.cost_per_client:.4f}")
        out.append(cand)
    return out


def refit(r: TrainResult, X: pd.DataFrame, cfg: TrainConfig):
    """The winning family fitted on every training client (the production model)."""
    if r.family == "lightgbm":
        estimator = fit_full(r.strategy, r.params, X, r.y, r.final_cv.n_estimators, cfg.seed, cfg.n_jobs)
        return lightgbm_model(estimator, list(X.columns))
    return FITTERS[r.family](X, r.y)


def policy_cost(cfg: TrainConfig, r: TrainResult, X_all: pd.DataFrame, folds, say) -> dict:
    """AUC and business cost of the winning family with and without the protected features, same folds."""
    if not r.removed:
        return {"measured": False, "why": "no feature is protected"}
    if r.family == "lightgbm":
        cv = cross_validate(r.strategy, r.params, X_all, r.y, folds, cfg.seed, cfg.n_jobs)
    else:
        cv = cross_validate_family(r.family, X_all, r.y, folds)
    with_protected = champion.evaluate(r.family, cv, r.y, folds, r.cost, r.amounts)
    out = {"measured": True, "family": r.family,
           "auc_without": r.champion.pooled_auc, "auc_with": with_protected.pooled_auc,
           "cost_without": r.champion.choice.cost_per_client, "cost_with": with_protected.choice.cost_per_client}
    out["auc_cost"] = out["auc_with"] - out["auc_without"]
    out["cost_increase"] = out["cost_without"] - out["cost_with"]
    say(f"protected-attribute policy: AUC {out['auc_with']:.4f} -> {out['auc_without']:.4f}, "
        f"cost/client {out['cost_with']:.4f} -> {out['cost_without']:.4f}")
    return out


def signing_keys() -> SigningKeys:
    """The environment's model-signing keys, refused before any work when none can sign (ValueError)."""
    keys = SigningKeys.from_env()
    if keys.current is None:
        raise ValueError(f"no model-signing key: a model nobody signed would be refused by every server; {KEY_HELP}")
    return keys


def train(cfg: TrainConfig, engine=None, say=None) -> TrainResult:
    """Run the whole pipeline and publish models/<version>/; returns what was measured."""
    from modeling.serving.explain import PopulationStats

    say = say or Progress()
    start = time.perf_counter()
    r = TrainResult(config=cfg, keys=signing_keys())
    tables, target, builder, X_all, r.removed = prepare(cfg, engine, say)
    X = X_all.drop(columns=r.removed)
    r.y, r.ids = target.to_numpy(), X.index.to_numpy()
    r.amounts = tables["application"].set_index("SK_ID_CURR")["AMT_CREDIT"].reindex(X.index).to_numpy(dtype=float)
    r.monotone = {c: s for c, s in zip(X.columns, monotone_constraints(list(X.columns)), strict=True) if s}
    r.cost = CostMatrix(cfg.cost_fn, cfg.cost_fp, cfg.cost_mode, cfg.lgd, cfg.margin)
    folds = make_folds(r.y, cfg.folds, cfg.seed)

    r.candidates = candidates_stage(cfg, r, X, folds, say)
    r.champion, r.champion_reason = champion.choose(r.candidates)
    r.family, r.final_cv, r.calibration = r.champion.family, r.champion.cv, r.champion.calibration
    say(f"production model: {r.family} ({r.champion_reason})")

    # The served model applies the final calibrator to raw scores: choose the threshold and grades on
    # the same map applied to OOF raw scores (Brier figures stay cross-fitted, see calibration.py).
    r.p_oof = r.calibration.calibrator.predict(r.final_cv.oof)
    r.cost_table = threshold_table(r.y, r.p_oof, r.cost, r.amounts)
    r.business = best_cost_threshold(r.y, r.p_oof, r.cost, r.amounts, r.cost_table)
    r.f1 = best_f1_threshold(r.y, r.p_oof, r.cost, r.amounts, r.cost_table)
    say(f"threshold {r.business.threshold:.4f} (cost/client {r.business.cost_per_client:.4f}); "
        f"F1 threshold {r.f1.threshold:.4f} (cost/client {r.f1.cost_per_client:.4f})")
    scale = PointsScale()
    grades = fit_grades(scale.points(r.p_oof), float(scale.points(r.business.threshold)))
    r.grades = grade_table(r.y, r.p_oof, scale, grades)
    r.grades_monotone = is_monotone(r.grades["observed_default_rate"])

    say(f"refitting {r.family} on all {len(r.y)} clients")
    production = refit(r, X, cfg)
    if cfg.policy_cost:
        r.policy = policy_cost(cfg, r, X_all, folds, say)
    if cfg.fairness:
        r.fairness = fairness.audit(tables["application"], r.ids, r.y, r.p_oof, r.business.threshold, X,
                                    cfg.protected, cfg.seed, cfg.n_jobs)
        say("fairness: " + ", ".join(f"{k} parity ratio {v['demographic_parity_ratio']:.2f}"
                                     for k, v in r.fairness["attributes"].items()))
    if cfg.baselines:
        ext = next((c for c in r.candidates if c.family == "ext_source"), None)
        r.baselines.append(baselines.baseline_row(ext.cv) if ext else baselines.ext_source_logit(X, r.y, folds))
        r.baselines.append(baselines.application_only(tables, X.index, r.y, folds, cfg.seed, cfg.n_jobs))
        say("baselines: " + ", ".join(f"{b['name']} AUC {b['auc_mean']:.4f}" for b in r.baselines))
    true_pd = cfg.true_pd or next((p for p in _true_pd_candidates(cfg) if p.is_file()), None)
    if true_pd is not None:
        r.true_pd = baselines.true_pd_ceiling(Path(true_pd), X.index, r.y, r.final_cv.oof)

    fingerprint = artifact.data_fingerprint(target.index.to_numpy(), r.y)
    r.version = artifact.free_version(artifact.make_version(fingerprint), cfg.out_dir)
    rng = np.random.default_rng(cfg.seed)
    background = X.iloc[np.sort(rng.choice(len(X), size=min(200, len(X)), replace=False))]
    fold_of = np.empty(len(r.y), dtype=np.int16)
    for k, (_, va) in enumerate(folds):
        fold_of[va] = k
    order = np.argsort(r.ids)
    r.bundle = artifact.ModelBundle(
        version=r.version, features=builder, feature_names=list(X.columns), model=production,
        calibrator=r.calibration.calibrator, threshold=r.business.threshold, cost=r.cost, scale=scale,
        grades=grades, family=r.family, strategy=r.strategy if r.family == "lightgbm" else "none",
        params=_served_params(r), population=population_stats(X, r.y, r.p_oof),
        feature_stats=PopulationStats.from_frame(X), background=background,
        fold_models=list(r.final_cv.models), fold_ids=np.asarray(r.ids, dtype="int64")[order],
        fold_of=fold_of[order],
    )
    r.importance = _importance(r.bundle, X)
    r.bundle.importance = r.importance[list(IMPORTANCE_COLUMNS)].copy()
    r.bundle.reference = drift.build_reference(X, r.p_oof, tables["application"], bundle=r.bundle)  # monitoring (#14)
    # Serving predicts one row at a time in forked workers: one thread is fastest there, and a model that
    # predicted with several threads in the parent process makes forked gunicorn workers hang.
    for model in (production, *r.bundle.fold_models):
        if getattr(model, "lgbm", None) is not None:
            model.lgbm.set_params(n_jobs=1)
    r.meta = {"fingerprint": fingerprint, "rows": len(r.y), "defaults": int(r.y.sum()),
              "default_rate": float(r.y.mean()), "features": X.shape[1],
              "source": str(cfg.source) if cfg.source else "database",
              "sample": cfg.sample, "created_at": datetime.now(UTC).isoformat(timespec="seconds")}
    r.seconds = time.perf_counter() - start
    r.cpu_seconds = time.process_time() - r.cpu_start
    r.bundle.card = model_card(r)
    r.folder = publish(r, say)
    return r


def _served_params(r: TrainResult) -> dict:
    if r.family == "lightgbm":
        return {**DEFAULT_PARAMS, **r.params, "n_estimators": r.final_cv.n_estimators}
    if r.family == "scorecard":
        from modeling.training.challengers import IV_MIN, SCORECARD_C, SCORECARD_MAX

        return {"iv_min": IV_MIN, "max_variables": SCORECARD_MAX, "C": SCORECARD_C}
    return {}


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
    card = {
        "version": r.version,
        "created_at": r.meta["created_at"],
        "data": {k: r.meta[k] for k in ("fingerprint", "rows", "defaults", "default_rate", "source", "sample")},
        "family": r.family,
        "features_count": r.meta["features"],
        "features": list(r.bundle.feature_names),
        "champion": {"rule": "\n".join(f"{i}. {step}" for i, step in enumerate(champion.RULE, 1)),
                     "reason": r.champion_reason,
                     "candidates": champion.table(r.candidates, r.champion).to_dict(orient="records")},
        "served_scores": ("Training clients are served their out-of-fold probability (the fold model that did not "
                          "learn their outcome); other clients are scored by the production model refit on all "
                          "training clients."),
        "protected_attributes": {"attributes": list(r.config.protected), "removed_features": list(r.removed),
                                 "policy": policy.describe(r.config.protected), "cost": r.policy},
        "strategy": r.strategy,
        "strategy_reason": r.strategy_reason,
        "strategy_comparison": r.comparison.to_dict(orient="records") if r.comparison is not None else [],
        "cv": {"folds": r.config.folds, "pooled_auc": cv.pooled_auc, "auc_mean": cv.auc_mean, "auc_std": cv.auc_std,
               "fold_auc": cv.fold_auc, "pr_auc": float(average_precision_score(r.y, cv.oof)),
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
        "training_cpu_seconds": round(r.cpu_seconds, 1),
    }
    if r.fairness is not None:
        card["fairness"] = r.fairness
    if r.family == "scorecard":
        card["scorecard"] = {"base_points": r.bundle.model.base_points(r.bundle.scale),
                             "points": r.bundle.model.points_table(r.bundle.scale).to_dict(orient="records")}
    return card


def oof_frame(r: TrainResult) -> pd.DataFrame:
    """SK_ID_CURR, TARGET, calibrated OOF PROBABILITY (the one the threshold was chosen on), AMT_CREDIT."""
    return pd.DataFrame({"SK_ID_CURR": np.asarray(r.ids, dtype="int64"), "TARGET": np.asarray(r.y, dtype="int64"),
                         "PROBABILITY": np.asarray(r.p_oof, dtype="float64"),
                         "AMT_CREDIT": np.asarray(r.amounts, dtype="float64")})


def publish(r: TrainResult, say) -> Path:
    """Write bundle, card, OOF predictions, trials and report into a staging folder, then publish it."""
    from modeling.training.report import write_report

    root = Path(r.config.out_dir or model_dir())
    staging = artifact.staging_dir(root)
    try:
        artifact.write_bundle(r.bundle, staging)
        oof_frame(r).to_parquet(staging / OOF_FILE, index=False)
        if r.trials is not None:
            save_trials(r.trials, staging)
        write_report(r, staging)
        key = signing.sign_folder(staging, r.keys)  # last: the signature covers every file written above
        folder = artifact.publish(staging, r.version, root)
    except BaseException:
        artifact.remove_staging(staging)
        raise
    say(f"model written to {folder}, signed with key {key}")
    return folder
