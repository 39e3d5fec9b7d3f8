"""Points scale (600 points at 50:1 good:bad odds, 20 points to double the odds) and grades A-F."""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from modeling.config import BASE_ODDS, BASE_POINTS, PDO
from modeling.serving.calibration import P_MAX, P_MIN

GRADES = ("A", "B", "C", "D", "E", "F")


@dataclass(frozen=True)
class PointsScale:
    """points = offset + factor * ln((1 - p) / p)."""

    base_points: float = BASE_POINTS
    base_odds: float = BASE_ODDS
    pdo: float = PDO

    @property
    def factor(self) -> float:
        return self.pdo / math.log(2)

    @property
    def offset(self) -> float:
        return self.base_points - self.factor * math.log(self.base_odds)

    def points(self, p) -> np.ndarray:
        """Score points of default probabilities (higher = safer)."""
        p = np.clip(np.asarray(p, dtype=float), P_MIN, P_MAX)
        return self.offset + self.factor * np.log((1 - p) / p)

    def probability(self, points) -> np.ndarray:
        """Default probability of a number of points (inverse of points)."""
        odds = np.exp((np.asarray(points, dtype=float) - self.offset) / self.factor)
        return 1 / (1 + odds)

    def to_dict(self) -> dict:
        return {**asdict(self), "factor": self.factor, "offset": self.offset}


@dataclass(frozen=True)
class Grades:
    """Grades by points: A > cuts[0] >= B > cuts[1] ... >= F; cuts[3] is the threshold, so A-D grant and E-F refuse."""

    cuts: tuple[float, ...]  # five descending point cut-offs
    labels: tuple[str, ...] = GRADES

    def grade(self, points) -> np.ndarray:
        """Grade letter of each number of points."""
        idx = np.searchsorted(-np.asarray(self.cuts), -np.asarray(points, dtype=float), side="right")
        return np.asarray(self.labels)[idx]

    def to_dict(self) -> dict:
        return {"cuts_points": list(self.cuts), "labels": list(self.labels)}


def _round_down(x: float, step: float = 5.0) -> float:
    return math.floor(x / step) * step


def fit_grades(points: np.ndarray, threshold_points: float) -> Grades:
    """Cut-offs: quartiles of granted clients (A-D, rounded to 5 points), the decision threshold (D/E), refused median (E/F)."""
    points = np.asarray(points, dtype=float)
    granted = points[points > threshold_points]
    refused = points[points <= threshold_points]
    top = [_round_down(q) for q in np.quantile(granted, [0.75, 0.5, 0.25])] if len(granted) else []
    cuts: list[float] = []
    for c in top:  # keep strictly descending cuts above the threshold
        if c > threshold_points and (not cuts or c < cuts[-1]):
            cuts.append(c)
    while len(cuts) < 3:  # too few distinct granted scores: spread evenly above the threshold
        cuts = [threshold_points + 15.0 * k for k in (3, 2, 1)]
    e_f = _round_down(float(np.median(refused))) if len(refused) else threshold_points - 20.0
    if e_f >= threshold_points:
        e_f = threshold_points - 10.0
    return Grades(tuple(cuts) + (threshold_points, e_f))


def grade_table(y: np.ndarray, p: np.ndarray, scale: PointsScale, grades: Grades) -> pd.DataFrame:
    """Clients, share, observed and predicted default rate and points range of each grade."""
    pts = scale.points(p)
    letter = grades.grade(pts)
    frame = pd.DataFrame({"grade": letter, "y": np.asarray(y), "p": p, "points": pts})
    out = frame.groupby("grade").agg(
        clients=("y", "size"), observed_default_rate=("y", "mean"),
        mean_probability=("p", "mean"), min_points=("points", "min"), max_points=("points", "max"),
    ).reindex(list(grades.labels))
    out["share"] = out["clients"] / len(frame)
    return out.reset_index()


def is_monotone(rates: pd.Series) -> bool:
    """True if default rates never decrease from A to F (empty grades ignored)."""
    r = rates.dropna().to_numpy()
    return bool(np.all(np.diff(r) >= -1e-12))
