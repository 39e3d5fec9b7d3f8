"""The model families a bundle can serve, behind one interface: LightGBM, a WoE scorecard, a logistic regression.

Every fitted model answers the same three questions on the bundle's feature rows, so that the
`Scorer`, the batch store, the report and the dashboard never ask which family won:

- ``matrix(X)``: the rows as this model reads them (float64, the bundle's feature order, imputed
  where the model imputes);
- ``raw_probability(matrix)``: the uncalibrated probability of default;
- ``contributions(matrix)``: each feature's additive share of the log-odds (exact TreeSHAP for
  LightGBM; coefficient x centred input for the linear models), zero for features it does not use.

Fitted models hold plain arrays (and the LightGBM booster), not the training libraries' objects:
serving needs neither imbalanced-learn nor optbinning.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

#: Families in order of simplicity: on a tie the simpler one is preferred.
FAMILIES = ("ext_source", "scorecard", "lightgbm")
DESCRIPTIONS = {
    "ext_source": "logistic regression on EXT_SOURCE_1..3 (median-imputed, standardised)",
    "scorecard": "WoE scorecard: monotone optimal bins (optbinning) and a logistic regression on the WoE",
    "lightgbm": "LightGBM on every feature, imbalance strategy and parameters chosen by cross-validation",
}


#: Below this many rows a prediction runs on one thread: starting the OpenMP team costs more than it saves
#: (one client: 0.2 ms instead of 1.6 ms of CPU for the raw score, 1.1 instead of 3.3 ms for SHAP).
SMALL_BATCH = 1_000


def prediction_options(rows: int) -> dict:
    """LightGBM predict options for ``rows`` rows: one thread for small batches, else the model's own setting."""
    return {"num_threads": 1} if rows < SMALL_BATCH else {}


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


class FittedModel:
    """Common part: the bundle's feature names and the float matrix of a feature frame."""

    family = ""

    def __init__(self, feature_names: list[str]):
        self.feature_names = list(feature_names)

    def matrix(self, X: pd.DataFrame) -> np.ndarray:
        """Feature rows as a float64 array in the bundle's feature order."""
        if list(X.columns) != self.feature_names:
            X = X.reindex(columns=self.feature_names)
        return X.to_numpy(dtype="float64", copy=True)

    def raw_probability(self, matrix: np.ndarray) -> np.ndarray:  # pragma: no cover - interface
        raise NotImplementedError

    def contributions(self, matrix: np.ndarray) -> tuple[np.ndarray, float]:  # pragma: no cover - interface
        raise NotImplementedError


class LightGBMModel(FittedModel):
    """A fitted LGBMClassifier, with the medians it was trained on when its strategy imputes (SMOTE)."""

    family = "lightgbm"

    def __init__(self, lgbm, feature_names: list[str], medians: np.ndarray | None = None):
        super().__init__(feature_names)
        self.lgbm = lgbm
        self.medians = medians

    def matrix(self, X: pd.DataFrame) -> np.ndarray:
        values = super().matrix(X)
        if self.medians is not None:
            rows, cols = np.nonzero(np.isnan(values))
            values[rows, cols] = self.medians[cols]
        return values

    def raw_probability(self, matrix: np.ndarray) -> np.ndarray:
        return self.lgbm.booster_.predict(matrix, **prediction_options(len(matrix)))

    def contributions(self, matrix: np.ndarray) -> tuple[np.ndarray, float]:
        out = np.asarray(self.lgbm.booster_.predict(matrix, pred_contrib=True, **prediction_options(len(matrix))))
        if out.shape[1] != len(self.feature_names) + 1:
            raise ValueError(f"expected a binary model: got {out.shape[1]} contribution columns for "
                             f"{len(self.feature_names)} features")
        return out[:, :-1], float(out[0, -1]) if len(out) else 0.0


class LinearModel(FittedModel):
    """log-odds = intercept + sum(coef * z) over the columns it uses, z = a per-column transform of x."""

    def __init__(self, feature_names: list[str], columns: list[str], coef: np.ndarray, intercept: float):
        super().__init__(feature_names)
        position = {name: i for i, name in enumerate(self.feature_names)}
        missing = [c for c in columns if c not in position]
        if missing:
            raise ValueError(f"column {missing[0]!r} is not among the model's features")
        self.columns = list(columns)
        self.index = np.asarray([position[c] for c in columns], dtype=int)
        self.coef = np.asarray(coef, dtype=float)
        self.intercept = float(intercept)

    def inputs(self, matrix: np.ndarray) -> np.ndarray:  # pragma: no cover - interface
        raise NotImplementedError

    def centre(self) -> np.ndarray:
        """Training mean of each transformed input: contributions are measured from it."""
        return np.zeros(len(self.columns))

    def raw_probability(self, matrix: np.ndarray) -> np.ndarray:
        return _sigmoid(self.intercept + self.inputs(matrix) @ self.coef)

    def contributions(self, matrix: np.ndarray) -> tuple[np.ndarray, float]:
        out = np.zeros((len(matrix), len(self.feature_names)))
        centre = self.centre()
        out[:, self.index] = (self.inputs(matrix) - centre) * self.coef
        return out, float(self.intercept + centre @ self.coef)


class StandardisedLogit(LinearModel):
    """Logistic regression on median-imputed, standardised columns (the EXT_SOURCE baseline)."""

    family = "ext_source"

    def __init__(self, feature_names, columns, coef, intercept, medians, means, scales):
        super().__init__(feature_names, columns, coef, intercept)
        self.medians = np.asarray(medians, dtype=float)
        self.means = np.asarray(means, dtype=float)
        self.scales = np.asarray(scales, dtype=float)

    def inputs(self, matrix: np.ndarray) -> np.ndarray:
        x = matrix[:, self.index]
        x = np.where(np.isnan(x), self.medians, x)
        return (x - self.means) / self.scales


class WoEScorecard(LinearModel):
    """Logistic regression on the weight of evidence of monotone bins; a missing value has a bin of its own."""

    family = "scorecard"

    def __init__(self, feature_names, columns, coef, intercept, splits, woe, woe_missing, woe_mean):
        super().__init__(feature_names, columns, coef, intercept)
        self.splits = [np.asarray(s, dtype=float) for s in splits]
        self.woe = [np.asarray(w, dtype=float) for w in woe]
        self.woe_missing = np.asarray(woe_missing, dtype=float)
        self.woe_mean = np.asarray(woe_mean, dtype=float)

    def inputs(self, matrix: np.ndarray) -> np.ndarray:
        x = matrix[:, self.index]
        out = np.empty_like(x)
        for j in range(x.shape[1]):
            bins = np.searchsorted(self.splits[j], x[:, j], side="right")  # x < s0 -> bin 0, [s0, s1) -> 1 ...
            out[:, j] = np.where(np.isnan(x[:, j]), self.woe_missing[j], self.woe[j][bins])
        return out

    def centre(self) -> np.ndarray:
        return self.woe_mean

    def points_table(self, scale) -> pd.DataFrame:
        """Variable, bin, WoE and points of each bin on the bundle's points scale (higher = safer)."""
        rows = []
        for j, name in enumerate(self.columns):
            edges = np.r_[-np.inf, self.splits[j], np.inf]
            for b, w in enumerate(self.woe[j]):
                rows.append({"variable": name, "bin": f"[{edges[b]:.4g}, {edges[b + 1]:.4g})", "woe": w,
                             "points": -scale.factor * self.coef[j] * w})
            rows.append({"variable": name, "bin": "missing", "woe": self.woe_missing[j],
                         "points": -scale.factor * self.coef[j] * self.woe_missing[j]})
        table = pd.DataFrame(rows)
        table["points"] = table["points"].round(1)
        return table

    def base_points(self, scale) -> float:
        """Points every client starts from: offset - factor x intercept."""
        return float(scale.offset - scale.factor * self.intercept)
