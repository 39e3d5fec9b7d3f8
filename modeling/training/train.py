"""Training pipeline: features, strategy comparison, tuning, calibration, threshold, scorecard, artifact."""
from __future__ import annotations

import sys
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import average_precision_score

from modeling import policy
from modeling.config import KEY_HELP, SigningKeys, TrainConfig, default_true_pd, model_dir
from modeling.monitoring import drift
from modeling.serving import artifact, signing
from modeling.serving.artifact import ModelBundle
from modeling.serving.explain import PopulationStats, global_importance
from modeling.serving.families import FittedModel
from modeling.serving.threshold import CostMatrix
from modeling.training import baselines, champion, fairness
from modeling.training.challengers import IV_MIN, SCORECARD_C, SCORECARD_MAX, cross_validate_family
from modeling.training.cv import cross_validate
from modeling.training.imbalance import DEFAULT_PARAMS
from modeling.training.report import write_report
from modeling.training.stages import (
    Champion,
    Data,
    Decision,
    Say,
    Search,
    choose_champion,
    cost_matrix,
    decide,
    prepare,
    refit,
    search_lightgbm,
)
from modeling.training.tuning import save_trials

IMPORTANCE_COLUMNS = ("feature", "mean_abs_shap", "share", "group", "group_mean_abs_shap", "group_share")
OOF_FILE = "oof.parquet"


class Progress:
    """Timestamped progress lines on stderr."""

    def __init__(self, stream=None):
        self.stream = stream or sys.stderr
        self.start = time.perf_counter()

    def __call__(self, message: str) -> None:
        print(f"[train {time.perf_counter() - self.start:7.1f}s] {message}", file=self.stream, flush=True)


@dataclass(frozen=True)
class Checks:
    """What the chosen model is measured against: the protected-attribute policy, fairness, baselines, true PD."""

    policy: dict  # AUC and cost with and without the protected features
    fairness: dict | None  # modeling.training.fairness.audit, None when skipped
    baselines: tuple[dict, ...]  # simpler models on the same folds
    true_pd: dict | None  # the synthetic generator's ceiling, when its true probabilities are known


@dataclass(frozen=True)
class Artifact:
    """The production model packaged for serving, its global importance and the facts of the run."""

    bundle: ModelBundle
    importance: pd.DataFrame  # mean |SHAP| per feature and per group
    meta: dict  # data fingerprint, rows, defaults, features, source, creation time

    @property
    def version(self) -> str:
        return self.bundle.version


@dataclass(frozen=True)
class TrainResult:
    """What each stage of a training run produced; the report and the model card are written from it."""

    config: TrainConfig
    data: Data
    search: Search | None  # None when LightGBM is not a candidate
    champion: Champion
    decision: Decision
    checks: Checks
    artifact: Artifact
    seconds: float
    cpu_seconds: float
    folder: Path | None = None  # the published version, once written


def signing_keys() -> SigningKeys:
    """The environment's model-signing keys, refused before any work when none can sign (ValueError)."""
    keys = SigningKeys.from_env()
    if keys.current is None:
        raise ValueError(f"no model-signing key: a model nobody signed would be refused by every server; {KEY_HELP}")
    return keys


def train(cfg: TrainConfig, engine=None, say: Say | None = None) -> TrainResult:
    """Run the whole pipeline and publish models/<version>/; returns what each stage produced."""
    say = say or Progress()
    start, cpu_start = time.perf_counter(), time.process_time()
    keys = signing_keys()
    data = prepare(cfg, engine, say)
    cost = cost_matrix(cfg)
    search = search_lightgbm(cfg, data, cost, say) if "lightgbm" in cfg.candidates else None
    chosen = choose_champion(cfg, data, search, cost, say)
    decision = decide(data, chosen, cost, say)
    production = refit(cfg, data, search, chosen, say)
    checks = check(cfg, data, search, chosen, decision, say)
    packed = package(cfg, data, search, chosen, decision, production)
    result = TrainResult(cfg, data, search, chosen, decision, checks, packed,
                         time.perf_counter() - start, time.process_time() - cpu_start)
    packed.bundle.card = model_card(result)
    return replace(result, folder=publish(result, keys, say))


def policy_cost(cfg: TrainConfig, data: Data, search: Search | None, chosen: Champion, cost: CostMatrix,
                say: Say) -> dict:
    """AUC and business cost of the winning family with and without the protected features, same folds."""
    if not data.removed:
        return {"measured": False, "why": "no feature is protected"}
    y, folds = data.y, data.folds
    if chosen.family == "lightgbm":
        cv = cross_validate(search.strategy, search.params, data.X_all, y, folds, cfg.seed, cfg.n_jobs)
    else:
        cv = cross_validate_family(chosen.family, data.X_all, y, folds)
    with_protected = champion.evaluate(chosen.family, cv, y, folds, cost, data.amounts)
    out = {"measured": True, "family": chosen.family,
           "auc_without": chosen.chosen.pooled_auc, "auc_with": with_protected.pooled_auc,
           "cost_without": chosen.chosen.choice.cost_per_client, "cost_with": with_protected.choice.cost_per_client}
    out["auc_cost"] = out["auc_with"] - out["auc_without"]
    out["cost_increase"] = out["cost_without"] - out["cost_with"]
    say(f"protected-attribute policy: AUC {out['auc_with']:.4f} -> {out['auc_without']:.4f}, "
        f"cost/client {out['cost_with']:.4f} -> {out['cost_without']:.4f}")
    return out


def check(cfg: TrainConfig, data: Data, search: Search | None, chosen: Champion, decision: Decision,
          say: Say) -> Checks:
    """The policy's cost, the fairness audit, the baselines and the true-PD ceiling, each as the options ask."""
    X, y = data.X, data.y
    pol = policy_cost(cfg, data, search, chosen, decision.cost, say) if cfg.policy_cost else {}
    audit = None
    if cfg.fairness:
        audit = fairness.audit(data.tables["application"], data.ids, y, decision.p_oof, decision.business.threshold,
                               X, cfg.protected, cfg.seed, cfg.n_jobs)
        say("fairness: " + ", ".join(f"{k} parity ratio {v['demographic_parity_ratio']:.2f}"
                                     for k, v in audit["attributes"].items()))
    rows = ()
    if cfg.baselines:
        ext = next((c for c in chosen.candidates if c.family == "ext_source"), None)
        rows = (baselines.baseline_row(ext.cv) if ext else baselines.ext_source_logit(X, y, data.folds),
                baselines.application_only(data.tables, X.index, y, data.folds, cfg.seed, cfg.n_jobs))
        say("baselines: " + ", ".join(f"{b['name']} AUC {b['auc_mean']:.4f}" for b in rows))
    true_pd = cfg.true_pd or next((p for p in _true_pd_candidates(cfg) if p.is_file()), None)
    ceiling = None if true_pd is None else baselines.true_pd_ceiling(Path(true_pd), X.index, y, chosen.cv.oof)
    return Checks(pol, audit, rows, ceiling)


def package(cfg: TrainConfig, data: Data, search: Search | None, chosen: Champion, decision: Decision,
            production: FittedModel) -> Artifact:
    """The ModelBundle serving loads (fold models, population, importance, monitoring reference) and the run's facts."""
    X, y, ids = data.X, data.y, data.ids
    fingerprint = artifact.data_fingerprint(ids, y)
    version = artifact.free_version(artifact.make_version(fingerprint), cfg.out_dir)
    rng = np.random.default_rng(cfg.seed)
    background = X.iloc[np.sort(rng.choice(len(X), size=min(200, len(X)), replace=False))]
    fold_of = np.empty(len(y), dtype=np.int16)
    for k, (_, va) in enumerate(data.folds):
        fold_of[va] = k
    order = np.argsort(ids)
    bundle = ModelBundle(
        version=version, features=data.builder, feature_names=list(X.columns), model=production,
        calibrator=chosen.calibration.calibrator, threshold=decision.business.threshold, cost=decision.cost,
        scale=decision.scale, grades=decision.grades, family=chosen.family,
        strategy=search.strategy if chosen.family == "lightgbm" else "none",
        params=_served_params(search, chosen), population=population_stats(X, y, decision.p_oof),
        feature_stats=PopulationStats.from_frame(X), background=background,
        fold_models=list(chosen.cv.models), fold_ids=np.asarray(ids, dtype="int64")[order], fold_of=fold_of[order],
    )
    importance = global_importance(bundle, X, lang="en", max_rows=5000)
    bundle.importance = importance[list(IMPORTANCE_COLUMNS)].copy()
    bundle.reference = drift.build_reference(X, decision.p_oof, data.tables["application"], bundle=bundle)
    # Serving predicts one row at a time in forked workers: one thread is fastest there, and a model that
    # predicted with several threads in the parent process makes forked gunicorn workers hang.
    for model in (production, *bundle.fold_models):
        if getattr(model, "lgbm", None) is not None:
            model.lgbm.set_params(n_jobs=1)
    meta = {"fingerprint": fingerprint, "rows": len(y), "defaults": int(y.sum()), "default_rate": float(y.mean()),
            "features": X.shape[1], "source": str(cfg.source) if cfg.source else "database",
            "sample": cfg.sample, "created_at": datetime.now(UTC).isoformat(timespec="seconds")}
    return Artifact(bundle, importance, meta)


def _served_params(search: Search | None, chosen: Champion) -> dict:
    if chosen.family == "lightgbm":
        return {**DEFAULT_PARAMS, **search.params, "n_estimators": chosen.cv.n_estimators}
    if chosen.family == "scorecard":
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
    cfg, data, search, chosen, decision, checks = r.config, r.data, r.search, r.champion, r.decision, r.checks
    bundle, meta, cv, cal = r.artifact.bundle, r.artifact.meta, chosen.cv, chosen.calibration
    card = {
        "version": bundle.version,
        "created_at": meta["created_at"],
        "data": {k: meta[k] for k in ("fingerprint", "rows", "defaults", "default_rate", "source", "sample")},
        "family": chosen.family,
        "features_count": meta["features"],
        "features": list(bundle.feature_names),
        "champion": {"rule": "\n".join(f"{i}. {step}" for i, step in enumerate(champion.RULE, 1)),
                     "reason": chosen.reason,
                     "candidates": champion.table(chosen.candidates, chosen.chosen).to_dict(orient="records")},
        "served_scores": ("Training clients are served their out-of-fold probability (the fold model that did not "
                          "learn their outcome); other clients are scored by the production model refit on all "
                          "training clients."),
        "protected_attributes": {"attributes": list(cfg.protected), "removed_features": list(data.removed),
                                 "policy": policy.describe(cfg.protected), "cost": checks.policy},
        "strategy": search.strategy if search else "",
        "strategy_reason": search.strategy_reason if search else "",
        "strategy_comparison": search.comparison.to_dict(orient="records") if search else [],
        "cv": {"folds": cfg.folds, "pooled_auc": cv.pooled_auc, "auc_mean": cv.auc_mean, "auc_std": cv.auc_std,
               "fold_auc": cv.fold_auc, "pr_auc": float(average_precision_score(data.y, cv.oof)),
               "brier_raw": cal.brier_raw, "brier_calibrated": cal.brier_calibrated},
        "hyperparameters": bundle.params,
        "tuning": search.tuning if search else {},
        "monotone_constraints": data.monotone,
        "calibration": {"method": cal.calibrator.method, "brier": cal.brier},
        "threshold": decision.business.threshold,
        "threshold_f1": decision.f1.threshold,
        "decision_rule": "refuse if calibrated probability >= threshold",
        "cost_matrix": {**decision.cost.to_dict(), "description": decision.cost.describe(),
                        "bayes_threshold": decision.cost.bayes_threshold()},
        "business_optimum": decision.business.to_dict(),
        "f1_optimum": decision.f1.to_dict(),
        "points": decision.scale.to_dict(),
        "grades": {**decision.grades.to_dict(), "monotone": decision.grades_monotone,
                   "table": decision.grade_table.to_dict(orient="records")},
        "baselines": list(checks.baselines),
        "true_pd": checks.true_pd,
        "seed": cfg.seed,
        "training_seconds": round(r.seconds, 1),
        "training_cpu_seconds": round(r.cpu_seconds, 1),
    }
    if checks.fairness is not None:
        card["fairness"] = checks.fairness
    if chosen.family == "scorecard":
        card["scorecard"] = {"base_points": bundle.model.base_points(decision.scale),
                             "points": bundle.model.points_table(decision.scale).to_dict(orient="records")}
    return card


def oof_frame(r: TrainResult) -> pd.DataFrame:
    """SK_ID_CURR, TARGET, calibrated OOF PROBABILITY (the one the threshold was chosen on), AMT_CREDIT."""
    return pd.DataFrame({"SK_ID_CURR": np.asarray(r.data.ids, dtype="int64"),
                         "TARGET": np.asarray(r.data.y, dtype="int64"),
                         "PROBABILITY": np.asarray(r.decision.p_oof, dtype="float64"),
                         "AMT_CREDIT": np.asarray(r.data.amounts, dtype="float64")})


def publish(r: TrainResult, keys: SigningKeys, say: Say) -> Path:
    """Write bundle, card, OOF predictions, trials and report into a staging folder, sign it, then publish it."""
    root = Path(r.config.out_dir or model_dir())
    staging = artifact.staging_dir(root)
    try:
        artifact.write_bundle(r.artifact.bundle, staging)
        oof_frame(r).to_parquet(staging / OOF_FILE, index=False)
        if r.search is not None and r.search.trials is not None:
            save_trials(r.search.trials, staging)
        write_report(r, staging)
        key = signing.sign_folder(staging, keys)  # last: the signature covers every file written above
        folder = artifact.publish(staging, r.artifact.version, root)
    except BaseException:
        artifact.remove_staging(staging)
        raise
    say(f"model written to {folder}, signed with key {key}")
    return folder
