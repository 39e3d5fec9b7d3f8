"""Champion and challengers: every candidate family judged on the same folds and cost matrix, one rule picks production.

The rule is ``RULE``, applied in `choose`; the model card and the training report state it from there.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from modeling.serving.families import DESCRIPTIONS, FAMILIES
from modeling.serving.threshold import CostMatrix, ThresholdChoice, best_cost_threshold
from modeling.training.calibrate import CalibrationResult, calibrate
from modeling.training.cv import CVResult, Folds

TIE_COST = 0.01
TIE_AUC = 0.002
RULE = (
    "the lowest business cost per client (each candidate at its own cost-optimal threshold on its cross-fitted "
    "calibrated out-of-fold probabilities);",
    f"costs closer than the larger of {TIE_COST:.0%} and one standard error of their paired per-client difference "
    "are tied: on a few hundred defaults a smaller gap is noise;",
    f"among tied candidates, the highest pooled out-of-fold AUC; AUCs within {TIE_AUC} are tied;",
    f"among those, the simplest family, in the order {', '.join(FAMILIES)}.",
)


@dataclass(frozen=True)
class Candidate:
    """One family's out-of-fold results on the shared folds."""

    family: str
    cv: CVResult
    calibration: CalibrationResult
    choice: ThresholdChoice  # at its own cost-optimal threshold, cross-fitted calibrated probabilities
    client_cost: np.ndarray  # cost of each client's decision at that threshold

    @property
    def pooled_auc(self) -> float:
        return self.cv.pooled_auc

    def row(self) -> dict:
        """A line of the candidates table."""
        return {"family": self.family, "description": DESCRIPTIONS[self.family],
                "pooled_auc": self.pooled_auc, "auc_mean": self.cv.auc_mean, "auc_std": self.cv.auc_std,
                "cost_per_client": self.choice.cost_per_client, "threshold": self.choice.threshold,
                "approval_rate": self.choice.approval_rate, "calibration": self.calibration.calibrator.method,
                "brier": self.calibration.brier_calibrated, "fit_seconds": round(self.cv.fit_seconds, 1)}


def client_costs(y: np.ndarray, p: np.ndarray, threshold: float, cost: CostMatrix,
                 amounts: np.ndarray | None) -> np.ndarray:
    """Cost of each client's decision (refuse when p >= threshold)."""
    y = np.asarray(y, dtype=int)
    c_fn, c_fp = cost.per_client(len(y), amounts)
    refuse = np.asarray(p) >= threshold
    return np.where((y == 1) & ~refuse, c_fn, 0.0) + np.where((y == 0) & refuse, c_fp, 0.0)


def evaluate(family: str, cv: CVResult, y: np.ndarray, folds: Folds, cost: CostMatrix,
             amounts: np.ndarray | None) -> Candidate:
    """Calibrate a family's OOF scores (cross-fitted) and measure its cost and AUC."""
    cal = calibrate(cv.oof, y)
    choice = best_cost_threshold(y, cal.calibrated_oof, cost, amounts)
    costs = client_costs(y, cal.calibrated_oof, choice.threshold, cost, amounts)
    return Candidate(family, cv, cal, choice, costs)


def _tied_on_cost(best: Candidate, other: Candidate) -> bool:
    diff = other.client_cost - best.client_cost
    se = float(np.std(diff, ddof=1) / np.sqrt(len(diff))) if len(diff) > 1 else 0.0
    gap = other.choice.cost_per_client - best.choice.cost_per_client
    return gap <= max(TIE_COST * best.choice.cost_per_client, se) + 1e-12


def choose(candidates: list[Candidate]) -> tuple[Candidate, str]:
    """The production model by the rule of this module, and the sentence that says why."""
    if not candidates:
        raise ValueError("no candidate model to choose from")
    cheapest = min(candidates, key=lambda c: c.choice.cost_per_client)
    tied = [c for c in candidates if _tied_on_cost(cheapest, c)]
    best_auc = max(c.pooled_auc for c in tied)
    tied_auc = [c for c in tied if c.pooled_auc >= best_auc - TIE_AUC]
    winner = min(tied_auc, key=lambda c: FAMILIES.index(c.family))
    if len(tied) == 1:
        reason = (f"`{winner.family}` has the lowest business cost per client ({winner.choice.cost_per_client:.4f}), "
                  "lower than every other candidate by more than the tie band")
    else:
        reason = (f"{', '.join(f'`{c.family}`' for c in tied)} are tied on cost (within the larger of "
                  f"{TIE_COST:.0%} and one standard error of the paired difference); among them `{winner.family}` "
                  f"has the best pooled AUC ({winner.pooled_auc:.4f})")
        if len(tied_auc) > 1:
            reason += f", and is the simplest of those within {TIE_AUC} AUC"
    return winner, reason + "."


def table(candidates: list[Candidate], winner: Candidate) -> pd.DataFrame:
    """Every candidate's figures, the winner marked."""
    out = pd.DataFrame([c.row() for c in candidates])
    out["chosen"] = out["family"] == winner.family
    return out
