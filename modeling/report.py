"""Training report: Markdown and HTML pages with PNG plots, written into the model folder."""
from __future__ import annotations

import html
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import (
    average_precision_score,
    precision_recall_curve,
    roc_auc_score,
    roc_curve,
)

from modeling import champion
from modeling import fairness as fairness_audit
from modeling.calibration import calibration_curve_points
from modeling.cv import STOP_DEFAULTS, STOP_SHARE
from modeling.families import DESCRIPTIONS as FAMILY_DESCRIPTIONS
from modeling.imbalance import DEFAULT_PARAMS, DESCRIPTIONS, MONOTONE_METHOD
from modeling.tuning import SPACE


class Doc:
    """Blocks of a report rendered to both Markdown and HTML."""

    def __init__(self):
        self.blocks: list[tuple] = []

    def h(self, level: int, text: str):
        self.blocks.append(("h", level, text))

    def p(self, text: str):
        self.blocks.append(("p", text))

    def ul(self, items: list[str]):
        self.blocks.append(("ul", items))

    def table(self, frame: pd.DataFrame):
        self.blocks.append(("table", frame))

    def img(self, file: str, caption: str):
        self.blocks.append(("img", file, caption))

    def markdown(self) -> str:
        out = []
        for b in self.blocks:
            if b[0] == "h":
                out.append("#" * b[1] + " " + b[2])
            elif b[0] == "p":
                out.append(b[1])
            elif b[0] == "ul":
                out.append("\n".join(f"- {i}" for i in b[1]))
            elif b[0] == "table":
                cols = [str(c) for c in b[1].columns]
                rows = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
                rows += ["| " + " | ".join(_fmt(v) for v in r) + " |" for r in b[1].itertuples(index=False)]
                out.append("\n".join(rows))
            else:
                out.append(f"![{b[2]}]({b[1]})")
        return "\n\n".join(out) + "\n"

    def html(self, title: str) -> str:
        out = []
        for b in self.blocks:
            if b[0] == "h":
                out.append(f"<h{b[1]}>{html.escape(b[2])}</h{b[1]}>")
            elif b[0] == "p":
                out.append(f"<p>{_inline(b[1])}</p>")
            elif b[0] == "ul":
                out.append("<ul>" + "".join(f"<li>{_inline(i)}</li>" for i in b[1]) + "</ul>")
            elif b[0] == "table":
                head = "".join(f"<th>{html.escape(str(c))}</th>" for c in b[1].columns)
                body = "".join("<tr>" + "".join(f"<td>{html.escape(_fmt(v))}</td>" for v in r) + "</tr>"
                               for r in b[1].itertuples(index=False))
                out.append(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
            else:
                out.append(f'<figure><img src="{b[1]}" alt="{html.escape(b[2])}">'
                           f"<figcaption>{html.escape(b[2])}</figcaption></figure>")
        style = ("body{font-family:sans-serif;max-width:980px;margin:2em auto;color:#222}"
                 "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}"
                 "img{max-width:100%}code{background:#f3f3f3}")
        return (f"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{html.escape(title)}"
                f"</title><style>{style}</style></head><body>{''.join(out)}</body></html>\n")


def _fmt(v) -> str:
    if isinstance(v, (float, np.floating)):
        return "" if np.isnan(v) else (f"{v:.4f}" if abs(v) < 100 else f"{v:,.1f}")
    return str(v)


def _inline(text: str) -> str:
    parts = html.escape(text).split("`")
    return "".join(f"<code>{p}</code>" if i % 2 else p for i, p in enumerate(parts))


def _figure():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

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
    cal = r.champion.calibration
    for label, p in (("raw", r.champion.cv.oof), (f"{cal.calibrator.method} (cross-fitted)", cal.calibrated_oof)):
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
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

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
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

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
    from modeling.explain import plot_global_importance

    plot_global_importance(r.artifact.importance, folder / "importance.png", lang="en", top=top)


def write_report(r, folder: Path) -> None:
    """report.md, report.html and the PNG plots of a training run."""
    for plot in (plot_roc, plot_pr, plot_calibration, plot_cost, plot_confusion, plot_strategies, plot_importance):
        plot(r, folder)
    doc = build(r)
    (folder / "report.md").write_text(doc.markdown())
    (folder / "report.html").write_text(doc.html(f"Model {r.artifact.version}"))


def decile_calibration(y: np.ndarray, p: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
    """Expected calibration error over deciles of p (weighted mean |observed - predicted|), and each decile's
    mean probability and observed default rate."""
    pred, obs = calibration_curve_points(y, p, bins=10)
    sizes = np.array([len(g) for g in np.array_split(np.argsort(p), 10) if len(g)])
    return float(np.sum(sizes * np.abs(obs - pred)) / sizes.sum()), pred, obs


def _pct(x: float) -> str:
    return f"{x:.1%}"


def build(r) -> Doc:
    """The report's text, tables and figures."""
    d, cfg, cv, cal, m = Doc(), r.config, r.champion.cv, r.champion.calibration, r.artifact.meta
    pooled = float(roc_auc_score(r.data.y, cv.oof))
    d.h(1, f"Credit scoring model {r.artifact.version}")
    d.p(f"Trained {m['created_at']} on {m['rows']} labelled clients ({m['defaults']} defaults, "
        f"{_pct(m['default_rate'])}) from {m['source']}{', stratified sample' if m['sample'] else ''}; "
        f"{m['features']} features; data fingerprint `{m['fingerprint'][:16]}…`; seed {cfg.seed}; "
        f"{r.seconds:.0f} s ({r.cpu_seconds:.0f} s of CPU).")
    d.ul([
        f"Production model: **{r.champion.family}** ({FAMILY_DESCRIPTIONS[r.champion.family]}), chosen among "
        f"{len(r.champion.candidates)} candidates by the stated rule (see *Champion and challengers*).",
        f"Pooled out-of-fold AUC **{pooled:.4f}**; mean per-fold AUC {cv.auc_mean:.4f} ± {cv.auc_std:.4f} over "
        f"{cfg.folds} stratified folds (per fold: {', '.join(f'{a:.3f}' for a in cv.fold_auc)}).",
        (f"Imbalance strategy of the LightGBM candidate: `{r.search.strategy}`. " if r.search is not None else "")
        + f"Calibration: {cal.calibrator.method}, Brier {cal.brier_raw:.4f} → {cal.brier_calibrated:.4f}.",
        f"Decision: refuse when the calibrated default probability ≥ **{r.decision.business.threshold:.4f}** "
        f"(cost matrix {r.decision.cost.describe()}); approval rate {_pct(r.decision.business.approval_rate)}.",
    ])

    d.p("Two AUC figures appear below. The **mean per-fold AUC** averages the AUCs of the "
        f"{cfg.folds} validation folds, each ranked by its own fold model (± is their standard deviation); "
        "it is the figure used to compare strategies, tune and compare baselines. The **pooled out-of-fold AUC** "
        "ranks all out-of-fold predictions together, as the threshold and grades do; it is usually a little "
        "lower because the fold models' scores are not on exactly the same scale.")

    d.h(2, "Champion and challengers")
    d.p("Every candidate is cross-validated on the same folds and judged with the same cost matrix. "
        + " ".join(champion.__doc__.split("The rule, applied in `choose`:")[1].split()))
    d.table(champion.table(r.champion.candidates, r.champion.chosen)[["family", "pooled_auc", "auc_mean", "auc_std",
                                                     "cost_per_client", "threshold", "approval_rate",
                                                     "calibration", "brier", "fit_seconds", "chosen"]])
    d.ul([f"`{c.family}`: {FAMILY_DESCRIPTIONS[c.family]}" for c in r.champion.candidates])
    d.p(f"Decision: {r.champion.reason} The served model is this family refit on every training client; "
        "training clients themselves are served their out-of-fold probability (the fold model that did not "
        "learn their outcome), so that no figure about observed outcomes comes from a memorised score.")
    if r.champion.family == "scorecard":
        sc = r.artifact.bundle.model
        d.h(3, "Scorecard points")
        d.p(f"Every client starts from {sc.base_points(r.decision.scale):.1f} points and adds the points of the bin "
            "of each variable (higher = safer); the total is the points scale of the section *Points and grades*.")
        d.table(sc.points_table(r.decision.scale))

    d.h(2, "Protected attributes")
    pol = r.checks.policy or {}
    d.p(" ".join([
        (f"Protected attributes: {', '.join(f'`{a}`' for a in cfg.protected)}; removed before training with the "
         f"features derived from them ({', '.join(f'`{f}`' for f in r.data.removed) or 'none present'}). "
         if cfg.protected else "No attribute is protected. "),
        "No explanation can cite them: the served model does not have them.",
    ]))
    if pol.get("measured"):
        d.p(f"What the policy costs (the `{pol['family']}` family, same folds): pooled AUC {pol['auc_with']:.4f} with "
            f"the protected features, {pol['auc_without']:.4f} without ({pol['auc_cost']:+.4f}); business cost per "
            f"client {pol['cost_with']:.4f} with, {pol['cost_without']:.4f} without ({pol['cost_increase']:+.4f}).")
    if r.checks.fairness:
        f = r.checks.fairness
        d.h(2, "Fairness")
        d.p(f"Decisions at the business threshold {f['threshold']:.4f} on out-of-fold scores of the {f['clients']} "
            f"training clients (fairlearn `MetricFrame`). `approval_rate` is the share granted, "
            "`default_rate_approved` the observed default rate among them, `tpr` the share of defaulters refused, "
            "`fpr` the share of good clients refused. The parity ratio is the lowest approval rate over the highest "
            f"(groups of at least {fairness_audit.MIN_GROUP} clients); below {f['four_fifths']} the four-fifths rule "
            "flags it. The equalised-odds difference is the largest gap in `tpr` or `fpr`.")
        d.table(fairness_audit.table(f))
        for name, proxy in f["proxy"].items():
            d.p(f"Proxy check: the model's own features predict `{name}` with a cross-validated AUC of "
                f"{proxy['auc']:.3f} (0.5 = not at all).")

    d.h(2, "Method and leakage control")
    d.ul([
        "FeatureBuilder is fitted once on all training clients before cross-validation. This is acceptable "
        "only because what it learns is unsupervised (category lists, no target encoding): it sees no label.",
        "Every resampling (SMOTE, undersampling) happens inside the training part of each fold through an "
        "imblearn Pipeline, never before the split; validation folds keep the true class balance.",
        f"Early stopping uses a stratified slice of each training fold holding at least {STOP_DEFAULTS} defaults "
        f"({STOP_SHARE[0]:.0%} to {STOP_SHARE[1]:.0%} of the fold), never the validation fold, with a patience that "
        "grows as the learning rate falls; the final LightGBM is refit on all clients with the mean best number of "
        "trees + 10%.",
        "Calibration and thresholds use out-of-fold predictions only. Brier scores and the strategy comparison "
        "use cross-fitted calibration (the calibrator of each fold never saw that fold); the decision threshold "
        "and grades use the final calibrator applied to OOF raw scores, the very map the served model applies.",
    ])

    if r.search is None:
        return _rest(d, r, cfg, cv, cal, pooled)
    d.h(2, "Imbalance strategies")
    if r.search.comparison_note:
        d.p(r.search.comparison_note)
    d.ul([f"`{k}`: {DESCRIPTIONS[k]}" for k in r.search.comparison["strategy"]])
    d.table(r.search.comparison[["strategy", "auc_mean", "auc_std", "cost_per_client", "threshold",
                          "raw_cost_per_client", "brier_raw", "brier_calibrated", "fit_seconds"]])
    d.p("Cost per client is measured at each strategy's own cost-optimal threshold on calibrated OOF "
        "probabilities (`raw_cost_per_client`: the same on raw scores). Rule: lowest cost; within 1% of it, "
        "highest AUC; within 0.001 AUC, fastest. " + r.search.strategy_reason)
    d.img("strategies.png", "Strategy comparison")

    d.h(2, "Hyperparameters")
    t = r.search.tuning
    guided = t["max_evals"] - t.get("startup_trials", 0)
    d.p(f"Hyperopt, {t['max_evals']} evaluations: {t.get('startup_trials', 0)} random start-up trials, then {guided} "
        f"guided by TPE; objective: mean CV AUC on the same {cfg.folds} folds. "
        f"Search space: {', '.join(SPACE)} (see `modeling/tuning.py`: num_leaves 8-128, learning_rate "
        f"log 0.01-0.2, min_child_samples log 5-200, subsample 0.5-1, colsample_bytree 0.3-1, reg_alpha and "
        f"reg_lambda log 1e-3-10); the number of trees comes from early stopping. Trials: `trials.csv`, `trials.json`.")
    tuned = "n/a (no search)" if t["tuned_auc"] is None else f"{t['tuned_auc']:.4f}"
    d.p(f"AUC with default parameters {t['default_auc']:.4f}, tuned {tuned}: gain {t['gain']:+.4f}; "
        f"the model uses the **{t['used']}** parameters.")
    d.table(pd.DataFrame([{"parameter": k, "value": f"{v:.4g}" if isinstance(v, float) else str(v)}
                          for k, v in r.artifact.bundle.params.items()]))
    d.p(f"Speed settings: `max_bin` {DEFAULT_PARAMS['max_bin']} (histogram bins per feature instead of "
        "LightGBM's 255: building histograms is most of the cost on hundreds of columns) and monotone "
        f"constraints method `{MONOTONE_METHOD}` (the `intermediate` method was 2-3x slower per tree with two "
        "threads). Together they cut cross-validation time 1.5-3x; on 5,179 synthetic clients the mean per-fold "
        "AUC moved by less than 0.001 (see `modeling/imbalance.py`).")
    d.p("Monotone constraints (business direction beyond doubt; +1 = higher value, higher risk): "
        + (", ".join(f"`{k}` {v:+d}" for k, v in r.data.monotone.items())
           or "none of the rule features is present") + ".")

    return _rest(d, r, cfg, cv, cal, pooled)


def _rest(d: Doc, r, cfg, cv, cal, pooled: float) -> Doc:
    """Discrimination, calibration, threshold, grades and importance of the production model."""
    d.h(2, "Discrimination")
    d.img("roc.png", "ROC curve (out-of-fold)")
    d.img("precision_recall.png", "Precision-recall curve (out-of-fold)")
    d.p(f"Pooled out-of-fold AUC {pooled:.4f}; the table gives mean per-fold AUCs (`auc_mean`) and their "
        "standard deviation.")
    rows = [{"model": f"this model ({r.champion.family})", "auc_mean": cv.auc_mean, "auc_std": cv.auc_std}]
    rows += [{"model": b["name"], "auc_mean": b["auc_mean"], "auc_std": b["auc_std"]} for b in r.checks.baselines]
    d.h(3, "Baselines (same folds)")
    d.table(pd.DataFrame(rows))
    if r.checks.true_pd:
        tp = r.checks.true_pd
        d.p(f"The synthetic generator's true default probabilities (`{tp['file']}`) reach AUC {tp['best_auc']:.4f} "
            f"on these {tp['clients']} clients (pooled): the best any model can expect. The model's pooled "
            f"out-of-fold AUC {tp['model_auc']:.4f} (not the mean per-fold AUC {cv.auc_mean:.4f}) is {_pct(tp['share'])} of it ({_pct(tp['share_above_random'])} of the "
            f"distance from random to the ceiling).")

    d.h(2, "Calibration")
    d.p("Raw scores are mapped to probabilities by a calibrator fitted on out-of-fold scores; the final model is "
        "the production family refit on all data followed by this calibrator. Cross-fitted Brier score: "
        + ", ".join(f"{k} {v:.4f}" for k, v in cal.brier.items())
        + f"; chosen: {cal.calibrator.method} (lowest Brier; `identity` keeps the raw scores, so calibration is "
        "applied only when it improves the Brier score).")
    ece, pred, obs = decile_calibration(r.data.y, r.decision.p_oof)
    d.p(f"The probabilities served for the training clients are these calibrated out-of-fold ones: over their "
        f"deciles the expected calibration error is {ece:.4f}; observed default rates run from {obs.min():.1%} "
        f"(mean probability {pred[obs.argmin()]:.1%}) to {obs.max():.1%} (mean probability {pred[obs.argmax()]:.1%}).")
    d.img("calibration.png", "Calibration curve")

    d.h(2, "Decision threshold")
    d.p(f"Cost matrix {r.decision.cost.describe()}. The decision threshold minimises the total cost on calibrated OOF "
        f"probabilities. With perfectly calibrated probabilities theory gives C_FP/(C_FP+C_FN) = "
        f"{r.decision.cost.bayes_threshold():.4f}.")
    ch = pd.DataFrame([c.to_dict() for c in (r.decision.business, r.decision.f1)])
    d.table(ch[["name", "threshold", "cost", "cost_per_client", "tp", "fp", "fn", "tn", "f1", "approval_rate"]])
    d.img("cost_threshold.png", "Cost per client vs threshold")
    d.img("confusion.png", "Confusion matrices (rows: outcome, columns: decision)")

    d.h(2, "Points and grades")
    s = r.decision.scale
    d.p(f"points = {s.offset:.2f} + {s.factor:.4f} × ln((1−p)/p): {s.base_points:g} points at {s.base_odds:g}:1 "
        f"good:bad odds, {s.pdo:g} points to double the odds. Grades A–D are granted (cut-offs at the quartiles "
        f"of granted clients' points, rounded down to 5), D/E is the decision threshold, E/F the median of "
        f"refused clients. Observed default rate per grade on OOF predictions "
        f"({'monotone' if r.decision.grades_monotone else 'NOT monotone'}):")
    d.table(r.decision.grade_table)

    d.h(2, "Global importance")
    d.p("Mean absolute SHAP value (log-odds) over the training clients, per group of features and per feature.")
    d.img("importance.png", "Global SHAP importance")
    imp = r.artifact.importance.nlargest(15, "mean_abs_shap")
    d.table(imp[[c for c in ("feature", "label", "group", "mean_abs_shap", "share") if c in imp.columns]])
    return d
