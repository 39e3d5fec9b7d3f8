"""Explanations of scores: exact SHAP contributions turned into plain sentences and global importance."""
from __future__ import annotations

import math
import re
import weakref
from bisect import bisect_left, bisect_right
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path

import lightgbm as lgb
import numpy as np
import pandas as pd

from modeling.serving.families import prediction_options
from modeling.wording import catalogue, labels
from modeling.wording.standing import SHOWN_AS_MAGNITUDE, median_phrase, position_phrase

DIRECTIONS = ("raises", "lowers")
# Group sums below this (log-odds) are too small to be worth a sentence.
MIN_CONTRIBUTION = 0.01



@dataclass(frozen=True)
class Reason:
    """One reason for a score: a business concept, its main feature and a plain sentence."""

    feature: str
    label: str
    value: float | None
    display_value: str
    contribution: float  # summed SHAP (log-odds) of the whole group
    direction: str  # "raises" or "lowers"
    sentence: str
    group: str
    group_label: str
    percentile: float | None  # 0-100, where the value as shown stands in the training population
    feature_contribution: float = 0.0  # SHAP (log-odds) of the main feature alone

    def to_dict(self) -> dict:
        """Plain JSON-ready dict."""
        return asdict(self)


@dataclass
class PopulationStats:
    """Per-feature quantile grids of the training population, to place a client's value."""

    features: list[str]
    quantiles: np.ndarray  # shape (n_features, n_levels), each row sorted, NaN row if no value
    missing_share: np.ndarray  # shape (n_features,)
    n_rows: int
    levels: np.ndarray = field(default_factory=lambda: np.linspace(0.0, 100.0, 101))  # percent of each column
    _index: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.levels = np.asarray(self.levels, dtype=float)
        if self.quantiles.shape != (len(self.features), len(self.levels)):
            raise ValueError(f"quantile grid of shape {self.quantiles.shape} does not match "
                             f"{len(self.features)} features x {len(self.levels)} levels")
        self._index = {name: i for i, name in enumerate(self.features)}

    @classmethod
    def from_frame(cls, X: pd.DataFrame, n_points: int = 101) -> PopulationStats:
        """Quantile grid of every column of X (NaN and infinities ignored)."""
        levels = np.linspace(0.0, 1.0, n_points)
        grids = np.full((X.shape[1], n_points), np.nan)
        missing = np.ones(X.shape[1])
        for i, name in enumerate(X.columns):
            values = pd.to_numeric(X[name], errors="coerce").to_numpy(dtype=float)
            finite = values[np.isfinite(values)]
            if len(values):
                missing[i] = 1.0 - len(finite) / len(values)
            if len(finite):
                grids[i] = np.quantile(finite, levels)
        return cls(list(map(str, X.columns)), grids, missing, int(len(X)), levels * 100)

    @classmethod
    def from_quantiles(cls, table: pd.DataFrame, n_rows: int = 0) -> PopulationStats:
        """From a DataFrame.quantile(levels) table: index = levels in [0, 1], one column per feature."""
        grids = table.to_numpy(dtype=float).T
        return cls(list(map(str, table.columns)), grids, np.full(len(table.columns), np.nan), int(n_rows),
                   np.asarray(table.index, dtype=float) * 100)

    def _grid_list(self, name: str) -> list[float]:
        """The quantile grid of a feature as a Python list (bisect on it is faster for one value)."""
        lists = self.__dict__.setdefault("_lists", {})  # made on first use, never pickled
        grid = lists.get(name)
        if grid is None:
            grid = lists[name] = self._grid(name).tolist()
        return grid

    def __getstate__(self) -> dict:
        return {key: value for key, value in self.__dict__.items() if key != "_lists"}

    def _grid(self, name: str) -> np.ndarray:
        try:
            return self.quantiles[self._index[name]]
        except KeyError:
            raise KeyError(f"no population statistics for feature '{name}': "
                           "retrain the model so that its statistics cover every feature") from None

    def position(self, name: str, value: float | None) -> tuple[float, float, float] | None:
        """Shares (%) of the population strictly below, equal to and strictly above value; None if unknown."""
        grid = self._grid_list(name)
        if value is None or not math.isfinite(value) or math.isnan(grid[0]):
            return None
        levels = self.levels
        lo = bisect_left(grid, value)
        hi = bisect_right(grid, value)
        if hi > lo:  # the value sits on the grid: a tie range when several quantiles share it
            below, upto = float(levels[lo]), float(levels[hi - 1])
        elif lo == 0:
            below = upto = 0.0
        elif lo == len(grid):
            below = upto = 100.0
        else:
            step = (value - grid[lo - 1]) / (grid[lo] - grid[lo - 1])
            below = upto = float(levels[lo - 1] + step * (levels[lo] - levels[lo - 1]))
        return below, upto - below, 100.0 - upto

    def median(self, name: str) -> float | None:
        """The population's median of a feature; None without statistics."""
        grid = self._grid_list(name)
        if math.isnan(grid[0]):
            return None
        return float(np.interp(50.0, self.levels, grid))

    def percentile(self, name: str, value: float | None) -> float | None:
        """Mid-rank percentile (0-100) of value among the population; None if value or stats missing."""
        pos = self.position(name, value)
        return None if pos is None else pos[0] + pos[1] / 2


def _booster(model) -> lgb.Booster:
    if isinstance(model, lgb.Booster):
        return model
    booster = getattr(model, "booster_", None)
    if isinstance(booster, lgb.Booster):
        return booster
    raise TypeError(f"cannot explain a {type(model).__name__}: expected a fitted LightGBM Booster or LGBMClassifier")


def _unwrap(model, X: pd.DataFrame) -> tuple[object, pd.DataFrame | np.ndarray]:
    """A ModelBundle gives its production model and the rows as that model sees them (imputed where it imputes)."""
    if hasattr(model, "fold_models") and hasattr(model, "model"):
        return model.model, model.model.matrix(model.in_order(X))
    return model, X


#: Feature names of each model, read once: LightGBM rebuilds the list on every call.
_NAMES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def model_feature_names(model) -> list[str]:
    """The features a LightGBM model expects, in order.

    The sklearn wrapper keeps the training frame's own names; the booster may hold sanitised ones.
    """
    names = _NAMES.get(model)
    if names is None:
        booster = _booster(model)
        names = getattr(model, "feature_names_in_", None) if model is not booster else None
        names = [str(n) for n in (names if names is not None else booster.feature_name())]
        _NAMES[model] = names
    return names


def shap_contributions(
    model, X: pd.DataFrame | np.ndarray, index: pd.Index | None = None
) -> tuple[pd.DataFrame, float]:
    """Exact TreeSHAP contributions (log-odds) per row and feature, and the base value.

    ``X`` is a feature frame, or an array whose columns are the model's features in order (``index``
    then labels its rows). ``model`` is a LightGBM model or any ``modeling.serving.families`` model.
    """
    if hasattr(model, "contributions") and hasattr(model, "matrix"):
        if len(X) == 0:
            raise ValueError("cannot explain an empty feature frame")
        values = X if isinstance(X, np.ndarray) else model.matrix(X)
        out, base = model.contributions(values)
        rows = index if index is not None else (X.index if isinstance(X, pd.DataFrame) else pd.RangeIndex(len(X)))
        return pd.DataFrame(out, index=rows, columns=model.feature_names), base
    booster = _booster(model)
    names = model_feature_names(model)
    if len(X) == 0:
        raise ValueError("cannot explain an empty feature frame")
    if isinstance(X, np.ndarray):
        if X.ndim != 2 or X.shape[1] != len(names):
            raise ValueError(f"expected rows of the model's {len(names)} features, got an array of shape {X.shape}")
        data, index = X, index if index is not None else pd.RangeIndex(len(X))
    else:
        absent = [name for name in names if name not in X.columns]
        if absent:
            raise ValueError(f"feature frame lacks {len(absent)} model feature(s), e.g. '{absent[0]}': "
                             "build it with the model bundle's FeatureBuilder")
        ordered = X if list(X.columns) == names else X[names]
        data, index = (ordered if booster.pandas_categorical else ordered.to_numpy(dtype=float)), X.index
    out = np.asarray(booster.predict(data, pred_contrib=True, **prediction_options(len(X))))
    if out.shape[1] != len(names) + 1:
        raise ValueError(f"expected a binary model: got {out.shape[1]} contribution columns for {len(names)} features")
    return pd.DataFrame(out[:, :-1], index=index, columns=names), float(out[0, -1])


@cache
def _group(name: str) -> str:
    return labels.feature_group(name)


def _check_lang(lang: str) -> None:
    catalogue.check_lang(lang)


_UNIT_SUFFIX = re.compile(r"\s*\((jours|days|mois|months)\)$")


@cache
def _sentence_label(label: str) -> str:
    """A label fit to open a sentence: no unit suffix (the value carries its unit)."""
    return _UNIT_SUFFIX.sub("", label)


def reason_sentence(group: str, feature: str, value: float | None, display_value: str,
                    position: tuple[float, float, float] | None, direction: str, lang: str = "fr",
                    median: str = "") -> str:
    """One plain sentence: the client's value, how it compares with other clients, and which way it moves the risk.

    ``median`` is what half of the clients have (``standing.median_phrase``), said after the comparison.
    """
    _check_lang(lang)
    label = _sentence_label(labels.feature_label(feature, lang))
    effect = catalogue.t(f"effect_{direction}", lang)
    if value is None or not np.isfinite(value):
        return catalogue.t("reason_missing", lang, label=label, effect=effect)
    comparison = position_phrase(position, lang) + median if position is not None else ""
    return catalogue.t("reason", lang, label=label, value=display_value, comparison=comparison, effect=effect)


@dataclass(frozen=True)
class ReasonKey:
    """What a reason says, independent of language: the group, its main feature and value, the SHAP sums.

    Batch scores store these (``modeling.serving.store``); ``render_reasons`` words them in French or English.
    """

    group: str
    feature: str
    value: float | None
    contribution: float  # summed SHAP (log-odds) of the group
    feature_contribution: float  # SHAP of the main feature alone

    def to_list(self) -> list:
        """Compact JSON form: [group, feature, value, contribution, feature_contribution]."""
        return [self.group, self.feature, self.value, self.contribution, self.feature_contribution]

    @classmethod
    def from_list(cls, item: list) -> ReasonKey:
        """Inverse of to_list."""
        group, feature, value, contribution, feature_contribution = item
        return cls(str(group), str(feature), None if value is None else float(value), float(contribution),
                   float(feature_contribution))


def reason_keys(contributions: pd.Series, values: pd.Series, top: int = 4,
                min_contribution: float = MIN_CONTRIBUTION) -> list[ReasonKey]:
    """The groups that move one client's risk most: up to `top` raising it, then up to `top` lowering it."""
    names = list(contributions.index)
    return _keys_from_arrays(names, _group_index(tuple(names)), contributions.to_numpy(dtype=float),
                             values.reindex(names).to_numpy(dtype=float), top, min_contribution)


@cache
def _group_index(names: tuple[str, ...]) -> dict[str, np.ndarray]:
    by_group: dict[str, list[int]] = {}
    for i, name in enumerate(names):
        by_group.setdefault(_group(name), []).append(i)
    return {group: np.asarray(idx) for group, idx in by_group.items()}


def _keys_from_arrays(names: list[str], by_group: dict[str, np.ndarray], contrib: np.ndarray, values: np.ndarray,
                      top: int, min_contribution: float) -> list[ReasonKey]:
    sums = {group: float(contrib[idx].sum()) for group, idx in by_group.items()}
    kept = [g for g, s in sums.items() if abs(s) >= min_contribution]
    raising = sorted((g for g in kept if sums[g] > 0), key=lambda g: -sums[g])[:top]
    lowering = sorted((g for g in kept if sums[g] < 0), key=lambda g: sums[g])[:top]
    keys = []
    for group in raising + lowering:
        total = sums[group]
        # Main feature: the largest contribution pushing the same way as the group as a whole.
        idx = [int(i) for i in by_group[group] if contrib[i] * total > 0]
        main = max(idx, key=lambda i: abs(contrib[i]))
        raw = values[main]
        value = float(raw) if np.isfinite(raw) else None
        keys.append(ReasonKey(group, names[main], value, total, float(contrib[main])))
    return keys


def batch_reason_keys(contributions: pd.DataFrame, values: pd.DataFrame, top: int = 4,
                      min_contribution: float = MIN_CONTRIBUTION) -> list[list[ReasonKey]]:
    """reason_keys for every row of a contributions frame (values: the clients' features, same index)."""
    names = list(contributions.columns)
    by_group = _group_index(tuple(names))
    contrib = contributions.to_numpy(dtype=float)
    vals = values.reindex(index=contributions.index, columns=names).to_numpy(dtype=float)
    return [_keys_from_arrays(names, by_group, contrib[r], vals[r], top, min_contribution) for r in range(len(contrib))]


def render_reasons(keys: list[ReasonKey], population: PopulationStats, lang: str = "fr") -> list[Reason]:
    """Word reason keys as Reasons in one language, placing each value in the training population."""
    _check_lang(lang)
    reasons = []
    for key in keys:
        feature, value = key.feature, key.value
        direction = "raises" if key.contribution > 0 else "lowers"
        display = labels.format_value(feature, value, lang)
        position = population.position(feature, value)
        if position is not None and value < 0 and labels.unit(feature) in SHOWN_AS_MAGNITUDE:
            position = position[::-1]  # "-9461 days" is shown as "25.9 years": rank the magnitude
        reasons.append(Reason(
            feature=feature, label=labels.feature_label(feature, lang), value=value, display_value=display,
            contribution=key.contribution, direction=direction,
            sentence=reason_sentence(key.group, feature, value, display, position, direction, lang,
                                     median_phrase(feature, population, display, lang)),
            group=key.group, group_label=labels.group_label(key.group, lang),
            percentile=None if position is None else position[0] + position[1] / 2,
            feature_contribution=key.feature_contribution,
        ))
    return reasons


def reasons_from_contributions(contributions: pd.Series, values: pd.Series, population: PopulationStats,
                               lang: str = "fr", top: int = 4,
                               min_contribution: float = MIN_CONTRIBUTION) -> list[Reason]:
    """Reasons from one client's SHAP contributions: up to `top` groups raising then `top` lowering the risk."""
    _check_lang(lang)
    return render_reasons(reason_keys(contributions, values, top, min_contribution), population, lang)


def explain_client(model, features_row: pd.DataFrame, population: PopulationStats, lang: str = "fr",
                   top: int = 4, min_contribution: float = MIN_CONTRIBUTION,
                   model_row: pd.DataFrame | np.ndarray | None = None) -> list[Reason]:
    """Plain-language reasons for one client's score, strongest first, raising then lowering the risk.

    model is a LightGBM model or a ModelBundle; model_row is the row as the model sees it when that
    differs from the client's values (a bundle derives it itself), so that reasons show the real values.
    """
    if len(features_row) != 1:
        raise ValueError(f"explain_client expects one feature row, got {len(features_row)}")
    if model_row is None:
        model, model_row = _unwrap(model, features_row)
    contributions, _ = shap_contributions(model, model_row, index=features_row.index)
    return reasons_from_contributions(contributions.iloc[0], features_row.iloc[0], population, lang, top,
                                      min_contribution)


def global_importance(model, X: pd.DataFrame, lang: str = "fr", max_rows: int = 20_000,
                      seed: int = 0) -> pd.DataFrame:
    """Mean |SHAP| per feature and of its group (group = summed SHAP per client), labelled, largest first."""
    _check_lang(lang)
    if len(X) > max_rows:
        X = X.sample(max_rows, random_state=seed)
    model, X = _unwrap(model, X)
    contributions, _ = shap_contributions(model, X)
    names = list(contributions.columns)
    groups = [_group(n) for n in names]
    per_feature = contributions.abs().mean().to_numpy()
    per_group = contributions.T.groupby(groups).sum().T.abs().mean()
    out = pd.DataFrame({
        "feature": names,
        "mean_abs_shap": per_feature,
        "share": per_feature / max(per_feature.sum(), 1e-300),
        "label": [labels.feature_label(n, lang) for n in names],
        "group": groups,
        "group_label": [labels.group_label(g, lang) for g in groups],
        "group_mean_abs_shap": per_group.reindex(groups).to_numpy(),
    })
    out["group_share"] = out["group_mean_abs_shap"] / max(per_group.sum(), 1e-300)
    return out.sort_values("mean_abs_shap", ascending=False, ignore_index=True)


def plot_global_importance(df: pd.DataFrame, path: str | Path, lang: str = "fr", top: int = 15) -> Path:
    """Bar charts of the top groups and features of a global_importance frame, saved as PNG."""
    from matplotlib.figure import Figure  # deferred: training package

    _check_lang(lang)
    text = {key: catalogue.t(f"importance_{key}", lang) for key in ("groups", "features", "x")}
    groups = (df.drop_duplicates("group")[["group_label", "group_mean_abs_shap"]]
              .rename(columns={"group_label": "label", "group_mean_abs_shap": "mean_abs_shap"})
              .nlargest(top, "mean_abs_shap").iloc[::-1])
    features = df.nlargest(top, "mean_abs_shap").iloc[::-1]
    height = 1.5 + 0.32 * (len(groups) + len(features))
    fig = Figure(figsize=(9, height), layout="constrained")
    axes = fig.subplots(2, 1, height_ratios=[max(len(groups), 1), max(len(features), 1)])
    for ax, part, title, color in ((axes[0], groups, text["groups"], "#2b6cb0"),
                                   (axes[1], features, text["features"], "#dd6b20")):
        ax.barh(part["label"], part["mean_abs_shap"], color=color)
        ax.set_title(title, loc="left", fontsize=11)
        ax.set_xlabel(text["x"])
        ax.tick_params(axis="y", labelsize=9)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    return path
