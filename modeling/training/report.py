"""Training report: report.md from its template, the same as an HTML page, and the PNG plots, in the model folder."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import (
    average_precision_score,
    precision_recall_curve,
    roc_auc_score,
    roc_curve,
)

from modeling import documents
from modeling.serving.explain import plot_global_importance
from modeling.serving.families import DESCRIPTIONS as FAMILY_DESCRIPTIONS
from modeling.training import champion
from modeling.training import fairness as fairness_audit
from modeling.training.calibrate import calibration_curve_points
from modeling.training.cv import STOP_DEFAULTS, STOP_SHARE
from modeling.training.imbalance import DEFAULT_PARAMS, DESCRIPTIONS, MONOTONE_METHOD
from modeling.training.tuning import SPACE

TEMPLATE = "model-report.md.j2"


def _fmt(v) -> str:
    """A table cell: floats with 4 decimals (1 with thousands separators from 100), missing ones empty."""
    if isinstance(v, (float, np.floating)):
        return "" if np.isnan(v) else (f"{v:.4f}" if abs(v) < 100 else f"{v:,.1f}")
    return str(v)


def table(frame: pd.DataFrame) -> str:
    """A data frame as a Markdown table."""
    rows = ["| " + " | ".join(str(c) for c in frame.columns) + " |", "|" + "---|" * len(frame.columns)]
    return "\n".join(rows + ["| " + " | ".join(_fmt(v) for v in r) + " |" for r in frame.itertuples(index=False)])


FILTERS = {"table": table, "fmt": format, "code": lambda name: f"`{name}`"}


def _figure():
    import matplotlib  # deferred: training package

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # deferred: training package

    return plt, *plt.subplots(figsize=(6.4, 4.4), dpi=100)


def _save(plt, fig, path: Path) -> None:
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def plot_roc(r, folder: Path) -> None:
    plt, fig, ax = _figure()
    fpr, tpr, _ = roc_curve(r.data.y, r.champion.cv.oof)
    ax.plot(fpr, tpr, label=f"model (pooled OOF AUC {roc_auc_score(r.data.y, r.champion.cv.oof):.3f})")
    ax.plot([0, 1], [0, 1], "--", color="grey", label="random")
    ax.set(xlabel="false positive rate", ylabel="true positive rate (defaults caught)", title="ROC curve")
    ax.legend(loc="lower right")
    _save(plt, fig, folder / "roc.png")


def plot_pr(r, folder: Path) -> None:
    plt, fig, ax = _figure()
    prec, rec, _ = precision_recall_curve(r.data.y, r.champion.cv.oof)
    ax.plot(rec, prec, label=f"model (average precision {average_precision_score(r.data.y, r.champion.cv.oof):.3f})")
    ax.axhline(r.data.y.mean(), ls="--", color="grey", label=f"default rate {r.data.y.mean():.3f}")
    ax.set(xlabel="recall (defaults caught)", ylabel="precision", title="Precision-recall curve")
    ax.legend()
    _save(plt, fig, folder / "precision_recall.png")


def plot_calibration(r, folder: Path) -> None:
    plt, fig, ax = _figure()
    for label, p in (("raw", r.champion.cv.oof),
                     (f"{r.champion.calibration.calibrator.method} (cross-fitted)", r.champion.calibration.calibrated_oof)):
        pred, obs = calibration_curve_points(r.data.y, p, bins=10)
        ax.plot(pred, obs, "o-", label=label)
    hi = max(0.05, float(np.quantile(r.champion.cv.oof, 0.99)))
    ax.plot([0, hi], [0, hi], "--", color="grey", label="perfect")
    ax.set(xlabel="mean predicted probability (decile)", ylabel="observed default rate", title="Calibration")
    ax.legend()
    _save(plt, fig, folder / "calibration.png")


def plot_cost(r, folder: Path) -> None:
    plt, fig, ax = _figure()
    t = r.decision.cost_table[r.decision.cost_table["threshold"] <= max(0.6, r.decision.f1.threshold + 0.1)]
    ax.plot(t["threshold"], t["cost_per_client"], color="black")
    for choice, color in ((r.decision.business, "tab:green"), (r.decision.f1, "tab:orange")):
        ax.axvline(choice.threshold, color=color, ls="--",
                   label=f"{choice.name} optimum {choice.threshold:.3f} (cost {choice.cost_per_client:.3f})")
    ax.set(xlabel="threshold (refuse if p >= threshold)", ylabel="cost per client", title="Business cost vs threshold")
    ax.legend()
    _save(plt, fig, folder / "cost_threshold.png")


def plot_confusion(r, folder: Path) -> None:
    import matplotlib  # deferred: training package

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # deferred: training package

    fig, axes = plt.subplots(1, 2, figsize=(8, 3.8), dpi=100)
    for ax, c in zip(axes, (r.decision.business, r.decision.f1), strict=True):
        m = np.array([[c.tn, c.fp], [c.fn, c.tp]])
        ax.imshow(m, cmap="Blues")
        for (i, j), v in np.ndenumerate(m):
            ax.text(j, i, f"{v}", ha="center", va="center", color="black", fontsize=12)
        ax.set_xticks([0, 1], ["grant", "refuse"])
        ax.set_yticks([0, 1], ["repaid", "defaulted"])
        ax.set_title(f"{c.name} threshold {c.threshold:.3f}")
    _save(plt, fig, folder / "confusion.png")


def plot_strategies(r, folder: Path) -> None:
    import matplotlib  # deferred: training package

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # deferred: training package

    if r.search is None:  # LightGBM was not a candidate: no strategy was compared
        return
    c = r.search.comparison
    fig, axes = plt.subplots(1, 3, figsize=(11, 3.8), dpi=100)
    axes[0].bar(c["strategy"], c["auc_mean"], yerr=c["auc_std"], capsize=4)
    axes[0].set_ylim(max(0.5, c["auc_mean"].min() - 3 * c["auc_std"].max() - 0.02), None)
    axes[0].set_title("CV AUC (mean ± std)")
    axes[1].bar(c["strategy"], c["cost_per_client"], color="tab:red")
    axes[1].set_title("cost per client at optimum")
    axes[2].bar(c["strategy"], c["fit_seconds"], color="tab:grey")
    axes[2].set_title("fit time (s, all folds)")
    for ax in axes:
        ax.tick_params(axis="x", rotation=30)
    _save(plt, fig, folder / "strategies.png")


def plot_importance(r, folder: Path, top: int = 15) -> None:
    plot_global_importance(r.artifact.importance, folder / "importance.png", lang="en", top=top)


def write_report(r, folder: Path) -> None:
    """report.md, report.html and the PNG plots of a training run."""
    for plot in (plot_roc, plot_pr, plot_calibration, plot_cost, plot_confusion, plot_strategies, plot_importance):
        plot(r, folder)
    text = markdown(r)
    (folder / "report.md").write_text(text)
    (folder / "report.html").write_text(documents.html_page(text, f"Model {r.artifact.version}"))


def markdown(r) -> str:
    """The report's text, tables and figures in Markdown."""
    return documents.render(TEMPLATE, context(r), FILTERS)


def decile_calibration(y: np.ndarray, p: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
    """Expected calibration error over deciles of p (weighted mean |observed - predicted|), and each decile's
    mean probability and observed default rate."""
    pred, obs = calibration_curve_points(y, p, bins=10)
    sizes = np.array([len(g) for g in np.array_split(np.argsort(p), 10) if len(g)])
    return float(np.sum(sizes * np.abs(obs - pred)) / sizes.sum()), pred, obs


def context(r) -> dict:
    """What the report states about a training run, by section."""
    return {**_run(r), **_champion(r), **_protection(r), **_lightgbm(r), **_quality(r)}


def _run(r) -> dict:
    """The data, the run and the headline figures."""
    m = r.artifact.meta
    return {"version": r.artifact.version, "seed": r.config.seed, "seconds": r.seconds, "cpu_seconds": r.cpu_seconds,
            "data": {"created_at": m["created_at"], "features": m["features"],
                     **{k: m[k] for k in ("rows", "defaults", "default_rate", "source", "sample", "fingerprint")}},
            "family": r.champion.family, "families": FAMILY_DESCRIPTIONS, "folds": r.config.folds, "cv": r.champion.cv,
            "pooled_auc": float(roc_auc_score(r.data.y, r.champion.cv.oof)),
            "calibration": {"method": r.champion.calibration.calibrator.method, "brier": r.champion.calibration.brier,
                            "brier_raw": r.champion.calibration.brier_raw, "brier_calibrated": r.champion.calibration.brier_calibrated},
            "business": r.decision.business, "cost_matrix": r.decision.cost.describe(), "stop_defaults": STOP_DEFAULTS,
            "stop_share": STOP_SHARE}


def _champion(r) -> dict:
    """The candidates, the rule that chose among them and the scorecard's points when it won."""
    columns = ["family", "pooled_auc", "auc_mean", "auc_std", "cost_per_client", "threshold", "approval_rate",
               "calibration", "brier", "fit_seconds", "chosen"]
    scorecard = None
    if r.champion.family == "scorecard":
        scale = r.artifact.bundle.scale
        scorecard = {"base_points": r.artifact.bundle.model.base_points(scale), "points": r.artifact.bundle.model.points_table(scale)}
    return {"candidates": r.champion.candidates, "champion_rule": champion.RULE, "champion_reason": r.champion.reason,
            "candidates_table": champion.table(r.champion.candidates, r.champion.chosen)[columns], "scorecard": scorecard}


def _protection(r) -> dict:
    """The protected attributes, what leaving them out costs, and the fairness audit."""
    policy = r.checks.policy if (r.checks.policy or {}).get("measured") else None
    return {"protected": r.config.protected, "removed": r.data.removed, "policy": policy, "fairness": r.checks.fairness,
            "fairness_table": fairness_audit.table(r.checks.fairness) if r.checks.fairness else None,
            "fairness_min_group": fairness_audit.MIN_GROUP}


def _lightgbm(r) -> dict:
    """The imbalance strategies and the hyperparameters of the LightGBM candidate (None when it did not run)."""
    if r.search is None:
        return {"strategies": None}
    columns = ["strategy", "auc_mean", "auc_std", "cost_per_client", "threshold", "raw_cost_per_client",
               "brier_raw", "brier_calibrated", "fit_seconds"]
    parameters = pd.DataFrame([{"parameter": k, "value": f"{v:.4g}" if isinstance(v, float) else str(v)}
                               for k, v in r.artifact.bundle.params.items()])
    return {"strategy": r.search.strategy,
            "strategies": {"table": r.search.comparison[columns], "note": r.search.comparison_note, "reason": r.search.strategy_reason,
                           "descriptions": DESCRIPTIONS},
            "tuning": {**r.search.tuning, "startup_trials": r.search.tuning.get("startup_trials", 0), "space": list(SPACE)},
            "parameters": parameters, "max_bin": DEFAULT_PARAMS["max_bin"], "monotone_method": MONOTONE_METHOD,
            "monotone": r.data.monotone}


def _quality(r) -> dict:
    """Discrimination against the baselines, calibration, the thresholds, points and grades, importance."""
    cv = r.champion.cv
    baselines = [{"model": f"this model ({r.champion.family})", "auc_mean": cv.auc_mean, "auc_std": cv.auc_std}]
    baselines += [{"model": b["name"], "auc_mean": b["auc_mean"], "auc_std": b["auc_std"]} for b in r.checks.baselines]
    ece, pred, obs = decile_calibration(r.data.y, r.decision.p_oof)
    thresholds = pd.DataFrame([c.to_dict() for c in (r.decision.business, r.decision.f1)])
    importance = r.artifact.importance.nlargest(15, "mean_abs_shap")
    return {"baselines": pd.DataFrame(baselines), "true_pd": r.checks.true_pd,
            "deciles": {"ece": ece, "lowest_rate": obs.min(), "lowest_probability": pred[obs.argmin()],
                        "highest_rate": obs.max(), "highest_probability": pred[obs.argmax()]},
            "bayes_threshold": r.decision.cost.bayes_threshold(),
            "thresholds": thresholds[["name", "threshold", "cost", "cost_per_client", "tp", "fp", "fn", "tn", "f1",
                                      "approval_rate"]],
            "scale": r.artifact.bundle.scale, "grades_monotone": r.decision.grades_monotone, "grades": r.decision.grade_table,
            "importance": importance[[c for c in ("feature", "label", "group", "mean_abs_shap", "share")
                                      if c in importance.columns]]}
