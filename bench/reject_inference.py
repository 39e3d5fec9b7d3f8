"""Reject inference measured: training on granted loans only vs hard cut-off, fuzzy augmentation and
parcelling, judged on the whole through-the-door population of a synthetic bank (docs/methodology.md).

The bank is generated with a legacy policy that refuses a share of the applicants
(``python -m database.synthetic --through-the-door``); the refused have no TARGET, but the generator keeps
their true default probability and the outcome they would have had. Each repeat splits the applicants in
two halves (stratified on the legacy decision and the outcome): every method trains on one half (the
granted with their TARGET, the refused with an inferred outcome) and is judged on every applicant of the
other half, granted or refused. The cost is the bank's cost matrix (a granted default costs 10, a refused
good client 1) taken in expectation over the true default probability, with each model's decision at the
cost-matrix threshold.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

import click
import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold

from bench.performance_doc import machine, write_section
from database.synthetic import generate
from modeling.config import PROTECTED_ATTRIBUTES
from modeling.features.builder import FeatureBuilder
from modeling.policy import protected_features
from modeling.serving.data import load_csv_tables
from modeling.serving.threshold import CostMatrix
from modeling.training.cv import fit_early_stopped
from modeling.training.imbalance import make_lgbm
from modeling.training.reject_inference import METHODS, augment
from settings.cli import CONTEXT, run

METHODOLOGY = Path(__file__).resolve().parent.parent / "docs" / "methodology.md"
SECTION = "reject-inference"
LABELS = {"none": "granted loans only (the product)", "hard_cutoff": "hard cut-off",
          "fuzzy": "fuzzy augmentation", "parcelling": "parcelling"}


def _say(message: str) -> None:
    print(f"[reject-inference] {message}", file=sys.stderr, flush=True)


def population(folder: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Feature table of every applicant (protected attributes removed) and the through-the-door file."""
    tables = load_csv_tables(folder)
    features = FeatureBuilder().fit(tables).transform(tables)
    features = features.drop(columns=protected_features(features.columns, PROTECTED_ATTRIBUTES))
    ttd = pd.read_csv(folder / "through_the_door.csv").set_index("SK_ID_CURR")
    return features.loc[ttd.index], ttd


def _oof(X: pd.DataFrame, y: np.ndarray, n_trees: int, seed: int) -> np.ndarray:
    oof = np.zeros(len(y))
    for fit, val in StratifiedKFold(3, shuffle=True, random_state=seed).split(X, y):
        model = make_lgbm({"n_estimators": n_trees}, list(X.columns), seed).fit(X.iloc[fit], y[fit])
        oof[val] = model.predict_proba(X.iloc[val])[:, 1]
    return oof


def judge(p: np.ndarray, ttd: pd.DataFrame, threshold: float, cost: CostMatrix) -> dict:
    """Ranking, calibration on the refused and expected cost of probabilities ``p`` over every applicant."""
    granted = p < threshold
    true_pd, refused = ttd["TRUE_PD"].to_numpy(), (ttd["LEGACY_DECISION"] == "refused").to_numpy()
    expected = np.where(granted, cost.fn * true_pd, cost.fp * (1.0 - true_pd))
    return {"auc_all": roc_auc_score(ttd["OUTCOME"], p),
            "auc_granted": roc_auc_score(ttd["OUTCOME"][~refused], p[~refused]),
            "refused_gap": float(p[refused].mean() - true_pd[refused].mean()),
            "approval": float(granted.mean()), "cost": float(expected.mean())}


def repeat(X: pd.DataFrame, ttd: pd.DataFrame, seed: int, cost: CostMatrix) -> dict[str, dict]:
    """One split in halves: each method trained on one half and judged on the other, both ways."""
    strata = ttd["LEGACY_DECISION"].str.cat(ttd["OUTCOME"].astype(str))
    scores: dict[str, list[dict]] = {m: [] for m in METHODS}
    for train, test in StratifiedKFold(2, shuffle=True, random_state=seed).split(X, strata):
        half = ttd.iloc[train]
        is_granted = (half["LEGACY_DECISION"] == "granted").to_numpy()
        X_g, X_r = X.iloc[train][is_granted], X.iloc[train][~is_granted]
        y_g = half["OUTCOME"].to_numpy()[is_granted]
        base, n_trees = fit_early_stopped("none", {}, X_g, y_g, seed, n_jobs=2)
        p_refused, p_granted = base.predict_proba(X_r)[:, 1], _oof(X_g, y_g, n_trees, seed)
        for method in METHODS:
            data = augment(method, X_g, y_g, X_r, p_refused, p_granted, cost.bayes_threshold(), seed)
            model = make_lgbm({"n_estimators": n_trees}, list(X.columns), seed)
            model.fit(data.X, data.y, sample_weight=data.weight)
            p = model.predict_proba(X.iloc[test])[:, 1]
            scores[method].append(judge(p, ttd.iloc[test], cost.bayes_threshold(), cost))
    return {m: {k: float(np.mean([s[k] for s in runs])) for k in runs[0]} for m, runs in scores.items()}


def verdict(results: dict[str, list[dict]]) -> tuple[str | None, str]:
    """The method that helps (None: granted loans only stay best) and the sentence that says why, from the
    figures: a method helps only if its median cost beats the product's by more than the product's own spread
    over the repeats, without a lower median AUC on the whole population."""
    def median(method: str, key: str) -> float:
        return float(np.median([r[key] for r in results[method]]))
    base_costs = [r["cost"] for r in results["none"]]
    spread = max(base_costs) - min(base_costs)
    best = min((m for m in METHODS if m != "none"), key=lambda m: median(m, "cost"))
    gain = median("none", "cost") - median(best, "cost")
    if gain > spread and median(best, "auc_all") >= median("none", "auc_all"):
        return best, (f"It helps: {LABELS[best]} lowers the median expected cost per applicant by {gain:.4f}, more "
                      f"than the spread of the product's own cost over the repeats ({spread:.4f}), without "
                      f"lowering the AUC on the whole population. `python -m modeling train` does not apply it "
                      f"yet: the bank's tables do not say which unlabelled applicants a policy refused, and "
                      f"training needs that list.")
    return None, (f"Not adopted: the best method, {LABELS[best]}, changes the median expected cost per applicant "
                  f"by {-gain:+.4f}, against a spread of {spread:.4f} for the product's own cost over the repeats "
                  f"(and its median AUC on the whole population is {median(best, 'auc_all'):.4f} against "
                  f"{median('none', 'auc_all'):.4f}). The product keeps training on granted loans only.")


def render(results: dict[str, list[dict]], setup: dict) -> str:
    """The methodology section: the setup, the table of medians (min-max) and the verdict."""
    def cell(method: str, key: str, fmt: str) -> str:
        values = [r[key] for r in results[method]]
        return f"{np.median(values):{fmt}} ({min(values):{fmt}}–{max(values):{fmt}})"
    rows = [f"| {LABELS[m]} | {cell(m, 'auc_all', '.4f')} | {cell(m, 'auc_granted', '.4f')} | "
            f"{cell(m, 'refused_gap', '+.4f')} | {cell(m, 'approval', '.1%')} | {cell(m, 'cost', '.4f')} |"
            for m in METHODS]
    _, sentence = verdict(results)
    return "\n".join([
        f"Measured by `bench/reject_inference.py` on {setup['machine']}: a synthetic bank of "
        f"{setup['clients']:,} clients (seed {setup['seed']}) generated with `--through-the-door "
        f"{setup['share']}`: {setup['applicants']:,} applicants, of whom the legacy policy refused "
        f"{setup['refused']:,} (default rate {setup['rate_granted']:.1%} among the granted, "
        f"{setup['rate_refused']:.1%} among the refused; legacy score AUC {setup['legacy_auc']:.3f}). "
        f"{setup['repeats']} repeats of a split in halves, each half trained on and judged on the other; "
        f"LightGBM with the product's default parameters, its trees set by early stopping on the granted "
        f"loans; decision at the cost-matrix threshold {setup['threshold']:.4f}. Median over the repeats, "
        f"min–max in brackets. Run in {setup['seconds']:.0f} s.",
        "",
        "| training set | AUC, all applicants | AUC, granted only | mean PD − true PD, refused | "
        "approval | expected cost per applicant |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
        *rows,
        "",
        sentence,
    ])


@click.command(name="python -m bench.reject_inference", context_settings=CONTEXT,
               help=__doc__.split("\n")[0])
@click.option("--clients", type=int, default=20_000, help="clients to generate")
@click.option("--seed", type=int, default=2026, help="seed of the synthetic bank")
@click.option("--refused-share", type=float, default=0.3, help="share of the applicants the legacy policy refuses")
@click.option("--repeats", type=int, default=3, help="splits in halves")
@click.option("--doc", type=click.Path(path_type=Path), default=METHODOLOGY, help="document whose section is rewritten")
def cli(**options) -> int:
    """Command-line entry point."""
    args = SimpleNamespace(**options)
    start, cost = time.perf_counter(), CostMatrix()
    with tempfile.TemporaryDirectory() as tmp:
        _say(f"generating {args.clients:,} clients with a legacy policy refusing {args.refused_share:.0%}")
        generate(args.clients, args.seed, Path(tmp), progress=None, refused_share=args.refused_share)
        _say("building the features of every applicant")
        X, ttd = population(Path(tmp))
    results: dict[str, list[dict]] = {m: [] for m in METHODS}
    for r in range(args.repeats):
        for method, scores in repeat(X, ttd, args.seed + r, cost).items():
            results[method].append(scores)
        _say(f"repeat {r + 1}/{args.repeats} done in {time.perf_counter() - start:.0f} s: " + ", ".join(
            f"{m} cost {results[m][-1]['cost']:.4f}" for m in METHODS))
    refused = ttd["LEGACY_DECISION"] == "refused"
    setup = {"machine": machine(), "clients": args.clients, "seed": args.seed, "share": args.refused_share,
             "applicants": len(ttd), "refused": int(refused.sum()),
             "rate_granted": ttd.loc[~refused, "OUTCOME"].mean(), "rate_refused": ttd.loc[refused, "OUTCOME"].mean(),
             "legacy_auc": roc_auc_score(ttd["OUTCOME"], ttd["LEGACY_SCORE"]), "repeats": args.repeats,
             "threshold": cost.bayes_threshold(), "seconds": time.perf_counter() - start}
    write_section(SECTION, render(results, setup), path=args.doc)
    adopted, sentence = verdict(results)
    _say(f"done in {setup['seconds']:.0f} s: {sentence} -> {args.doc}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    return run(cli, argv, cli.name)


if __name__ == "__main__":
    sys.exit(main())
