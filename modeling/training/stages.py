"""Training stages: each returns a small frozen result (data, search, champion, decision)."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

from database.config import get_engine
from modeling import policy
from modeling.config import TrainConfig
from modeling.features import FeatureBuilder
from modeling.serving import data
from modeling.serving.families import FAMILIES, FittedModel
from modeling.serving.scorecard import Grades, PointsScale, fit_grades, grade_table, is_monotone
from modeling.serving.threshold import (
    CostMatrix,
    ThresholdChoice,
    best_cost_threshold,
    best_f1_threshold,
    threshold_table,
)
from modeling.training import champion as champion_rule
from modeling.training.calibrate import CalibrationResult, calibrate
from modeling.training.challengers import FITTERS, cross_validate_family
from modeling.training.champion import Candidate
from modeling.training.cv import CVResult, Folds, cross_validate, fit_full, make_folds
from modeling.training.imbalance import lightgbm_model, monotone_constraints
from modeling.training.tuning import complexity, startup_trials, tune

Say = Callable[[str], None]  # where a stage writes its progress lines
TIE_COST = 0.01  # strategies within 1% of the lowest cost are tied
TIE_AUC = 0.001


@dataclass(frozen=True)
class Data:
    """The labelled clients, their features and the folds every candidate is judged on."""

    tables: dict[str, pd.DataFrame]  # the source tables, restricted to the training clients
    builder: FeatureBuilder  # fitted on these tables
    X_all: pd.DataFrame  # every feature, protected ones included (to measure what the policy costs)
    removed: tuple[str, ...]  # features the protected-attribute policy removed
    X: pd.DataFrame  # the features the candidates learn from, indexed by SK_ID_CURR
    y: np.ndarray  # TARGET of the rows of X
    amounts: np.ndarray  # AMT_CREDIT of the rows of X
    folds: Folds

    @property
    def ids(self) -> np.ndarray:
        """SK_ID_CURR of the rows of y."""
        return self.X.index.to_numpy()

    @property
    def monotone(self) -> dict[str, int]:
        """The monotone constraint of every constrained feature (+1: higher value, higher risk)."""
        return {c: s for c, s in zip(self.X.columns, monotone_constraints(list(self.X.columns)), strict=True) if s}


@dataclass(frozen=True)
class Search:
    """The LightGBM candidate: imbalance strategies compared, then Hyperopt on the chosen one."""

    comparison: pd.DataFrame  # one row per strategy: AUC, cost at its own optimum, fit time
    comparison_note: str  # how the comparison was subsampled, if it was
    strategy: str
    strategy_reason: str
    default_cv: CVResult  # the chosen strategy with default parameters
    cv: CVResult  # the better of defaults and tuned: the LightGBM candidate
    params: dict  # the parameters of cv
    tuning: dict  # budget, AUC with defaults and tuned, which one is used
    trials: pd.DataFrame | None  # Hyperopt's trials, None without a search


@dataclass(frozen=True)
class Champion:
    """Every candidate family on the same folds, the one the rule chose and why."""

    candidates: tuple[Candidate, ...]
    chosen: Candidate
    reason: str

    @property
    def family(self) -> str:
        return self.chosen.family

    @property
    def cv(self) -> CVResult:
        """The production family's out-of-fold result."""
        return self.chosen.cv

    @property
    def calibration(self) -> CalibrationResult:
        return self.chosen.calibration


@dataclass(frozen=True)
class Decision:
    """The threshold the cost matrix chose on calibrated OOF probabilities, and the grades around it."""

    cost: CostMatrix
    p_oof: np.ndarray  # the final calibrator applied to OOF raw scores: what training clients are served
    cost_table: pd.DataFrame  # cost per client at every threshold
    business: ThresholdChoice
    f1: ThresholdChoice
    scale: PointsScale
    grades: Grades  # point cut-offs of the grades A-F
    grade_table: pd.DataFrame  # observed default rate per grade

    @property
    def grades_monotone(self) -> bool:
        return is_monotone(self.grade_table["observed_default_rate"])


def cost_matrix(cfg: TrainConfig) -> CostMatrix:
    """The cost matrix of the options."""
    return CostMatrix(cfg.cost_fn, cfg.cost_fp, cfg.cost_mode, cfg.lgd, cfg.margin)


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
    if cfg.source is not None:
        return data.load_csv_tables(cfg.source)
    if engine is None:
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


def prepare(cfg: TrainConfig, engine, say: Say) -> Data:
    """Tables, labels, fitted features with the protected ones removed, loan amounts and folds."""
    tables = load_training_tables(cfg, engine)
    target = training_clients(tables["application"], cfg.sample, cfg.seed)
    tables = subset_tables(tables, target.index)
    say(f"loaded {len(target)} labelled clients ({target.mean():.2%} defaults)")
    builder = FeatureBuilder().fit(tables)
    X_all = builder.transform(tables).reindex(target.index).astype("float64")
    removed = tuple(policy.protected_features(X_all.columns, cfg.protected))
    say(f"features: {X_all.shape[0]} clients x {X_all.shape[1] - len(removed)} columns"
        + (f" ({len(removed)} protected removed: {', '.join(removed)})" if removed else ""))
    X = X_all.drop(columns=list(removed))
    y = target.to_numpy()
    amounts = tables["application"].set_index("SK_ID_CURR")["AMT_CREDIT"].reindex(X.index).to_numpy(dtype=float)
    return Data(tables, builder, X_all, removed, X, y, amounts, make_folds(y, cfg.folds, cfg.seed))


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


def compare_strategies(cfg: TrainConfig, data: Data, cost: CostMatrix,
                       say: Say) -> tuple[pd.DataFrame, str, dict]:
    """CV of every strategy with default parameters: AUC, cost at its own optimum, fit time."""
    note, y = "", data.y
    pos = np.arange(len(y))
    if len(y) > cfg.compare_rows:
        pos, _ = train_test_split(pos, train_size=cfg.compare_rows, stratify=y, random_state=cfg.seed)
        pos = np.sort(pos)
        note = (f"The comparison runs on a stratified subsample of {cfg.compare_rows} of {len(y)} clients "
                f"(SMOTE on every row is slow); the same subsample and folds serve every strategy.")
    Xc, yc, ac = data.X.iloc[pos], y[pos], data.amounts[pos]
    folds = make_folds(yc, cfg.folds, cfg.seed)
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


def search_lightgbm(cfg: TrainConfig, data: Data, cost: CostMatrix, say: Say) -> Search:
    """Imbalance strategies compared, then Hyperopt on the chosen one: the LightGBM candidate."""
    X, y, folds = data.X, data.y, data.folds
    comparison, note, full_results = compare_strategies(cfg, data, cost, say)
    strategy, reason = choose_strategy(comparison)
    say(f"chosen strategy: {strategy}")
    base = complexity(y, cfg.folds, strategy)
    default_cv = full_results.get(strategy) or cross_validate(
        strategy, base, X, y, folds, cfg.seed, cfg.n_jobs, say, "defaults: ")
    best, params, trials = default_cv, dict(base), None
    if cfg.max_evals > 0:
        tuned_params, trials, tuned = tune(strategy, X, y, folds, cfg.max_evals, cfg.seed, cfg.n_jobs, say)
        if tuned.auc_mean > default_cv.auc_mean:
            best, params = tuned, tuned_params
    tuning = {"max_evals": cfg.max_evals, "startup_trials": startup_trials(cfg.max_evals) if cfg.max_evals else 0,
              "default_auc": default_cv.auc_mean,
              "tuned_auc": best.auc_mean if best is not default_cv else None,
              "gain": best.auc_mean - default_cv.auc_mean,
              "used": "tuned" if best is not default_cv else "defaults"}
    return Search(comparison, note, strategy, reason, default_cv, best, params, tuning, trials)


def choose_champion(cfg: TrainConfig, data: Data, search: Search | None, cost: CostMatrix,
                    say: Say) -> Champion:
    """Every candidate family cross-validated on the same folds and cost matrix; the stated rule picks one."""
    candidates = []
    for family in FAMILIES:
        if family not in cfg.candidates:
            continue
        cv = search.cv if family == "lightgbm" else cross_validate_family(family, data.X, data.y, data.folds, say)
        candidate = champion_rule.evaluate(family, cv, data.y, data.folds, cost, data.amounts)
        say(f"candidate {family}: pooled AUC {candidate.pooled_auc:.4f}, "
            f"cost/client {candidate.choice.cost_per_client:.4f}")
        candidates.append(candidate)
    chosen, reason = champion_rule.choose(candidates)
    say(f"production model: {chosen.family} ({reason})")
    return Champion(tuple(candidates), chosen, reason)


def decide(data: Data, champion: Champion, cost: CostMatrix, say: Say) -> Decision:
    """The business and F1 thresholds and the grades, on the final calibrator applied to OOF raw scores."""
    # The served model applies the final calibrator to raw scores: choose the threshold and grades on
    # the same map applied to OOF raw scores (Brier figures stay cross-fitted, see calibration.py).
    y, amounts = data.y, data.amounts
    p_oof = champion.calibration.calibrator.predict(champion.cv.oof)
    table = threshold_table(y, p_oof, cost, amounts)
    business = best_cost_threshold(y, p_oof, cost, amounts, table)
    f1 = best_f1_threshold(y, p_oof, cost, amounts, table)
    say(f"threshold {business.threshold:.4f} (cost/client {business.cost_per_client:.4f}); "
        f"F1 threshold {f1.threshold:.4f} (cost/client {f1.cost_per_client:.4f})")
    scale = PointsScale()
    grades = fit_grades(scale.points(p_oof), float(scale.points(business.threshold)))
    return Decision(cost, p_oof, table, business, f1, scale, grades, grade_table(y, p_oof, scale, grades))


def refit(cfg: TrainConfig, data: Data, search: Search | None, champion: Champion,
          say: Say) -> FittedModel:
    """The winning family fitted on every training client (the production model)."""
    say(f"refitting {champion.family} on all {len(data.y)} clients")
    if champion.family == "lightgbm":
        estimator = fit_full(search.strategy, search.params, data.X, data.y, champion.cv.n_estimators, cfg.seed,
                             cfg.n_jobs)
        return lightgbm_model(estimator, list(data.X.columns))
    return FITTERS[champion.family](data.X, data.y)
