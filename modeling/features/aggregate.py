"""The one aggregation engine: turn child-table rows into one row per key from a spec written as data.

Tables travel between the feature modules as plain ``{column: numpy array}`` dictionaries
(``Columns``): a pandas call costs about a millisecond whatever the size of its input, so the
single-client serving path must not pay hundreds of them, while numpy calls on a few rows cost
microseconds. Aggregations work on integer group codes (``np.bincount`` and ``ufunc.reduceat``),
which is also faster than a pandas groupby with many named aggregations at full scale.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

#: Aggregations a spec may ask for; "share" is the share of rows in each fitted category.
NUMERIC_AGGS = ("mean", "min", "max", "sum", "std")
Spec = Mapping[str, Sequence[str]]
#: A table as column name -> 1-D array, all of the same length (a DataFrame is accepted where read).
Columns = Mapping[str, np.ndarray]
_FEW_ROWS = 256


@dataclass
class Aggregated:
    """Aggregates of one spec: sorted unique ``keys`` and one float64 array per output column."""

    keys: np.ndarray
    columns: dict[str, np.ndarray]

    def to_frame(self, by: str) -> pd.DataFrame:
        """The aggregates as a DataFrame indexed by the key column ``by``."""
        index = pd.Index(self.keys, name=by)
        return pd.DataFrame(self.columns, index=index, columns=list(self.columns))

    def align(self, ids: np.ndarray, fill_counts: bool = True) -> dict[str, np.ndarray]:
        """Columns re-ordered on ``ids`` (one value per id): NaN for ids without rows, 0 for row counts."""
        pos, found = lookup(self.keys, ids)
        names = list(self.columns)
        matrix = np.full((len(names), len(ids)), np.nan)
        if found.any():
            matrix[:, found] = np.stack([self.columns[name] for name in names])[:, pos[found]]
        out = dict(zip(names, matrix, strict=True))
        if fill_counts:
            for name in names:
                if name.endswith("_COUNT") and name.count("_COUNT") == 1:
                    out[name][~found] = 0.0
        return out


def aggregate(
    frame: pd.DataFrame | Columns,
    by: str,
    spec: Spec,
    prefix: str,
    categories: Mapping[str, Sequence[str]] | None = None,
    count: bool = True,
) -> pd.DataFrame:
    """One row per ``by`` value: ``{prefix}{COLUMN}_{AGG}`` for every (column, aggregation) of ``spec``.

    ``"share"`` on a categorical column gives one ``{prefix}{COLUMN}_{VALUE}_SHARE`` per fitted
    category plus ``_OTHER_SHARE`` (unknown or rare values); missing values count in the
    denominator but in no category. ``count`` adds ``{prefix}COUNT`` (rows per key). Columns absent
    from ``frame`` give NaN; the output columns never depend on the data. Rows with a missing key
    are ignored. ``std`` is the sample standard deviation (ddof=1), as in pandas.
    """
    return aggregate_columns(frame, by, spec, prefix, categories, count).to_frame(by)


def aggregate_columns(
    frame: pd.DataFrame | Columns,
    by: str,
    spec: Spec,
    prefix: str,
    categories: Mapping[str, Sequence[str]] | None = None,
    count: bool = True,
) -> Aggregated:
    """``aggregate`` without the DataFrame: sorted keys and one array per output column."""
    categories = categories or {}
    keys_all = column_values(frame, by)
    if keys_all is None:
        keys_all = np.empty(0)
    keep = ~pd.isna(keys_all) if keys_all.dtype.kind in "fO" else None
    groups = Groups(keys_all[keep] if keep is not None else keys_all)
    out: dict[str, np.ndarray] = {}
    if count:
        out[f"{prefix}COUNT"] = groups.sizes.astype("float64")
    for column, aggs in spec.items():
        raw = column_values(frame, column)
        if raw is not None and keep is not None:
            raw = raw[keep]
        numeric = [agg for agg in aggs if agg != "share"]
        unknown = [agg for agg in numeric if agg not in NUMERIC_AGGS]
        if unknown:
            raise ValueError(f"unknown aggregation {unknown[0]!r} for column {column!r} (prefix {prefix})")
        results = groups.reduce(raw, numeric) if raw is not None and numeric else []
        for agg in aggs:
            if agg == "share":
                out.update(_shares(groups, raw, categories[column], f"{prefix}{column}"))
            else:
                out[f"{prefix}{column}_{agg.upper()}"] = results.pop(0) if raw is not None else np.full(groups.n, np.nan)
    return Aggregated(groups.keys, out)


class Groups:
    """Rows grouped by key: sorted unique keys, each row's group number, and per-group reductions."""

    def __init__(self, keys: np.ndarray) -> None:
        if len(keys) and (keys[1:] >= keys[:-1]).all():  # already sorted: no hashing, no sort
            first = np.empty(len(keys), dtype=bool)
            first[0] = True
            np.not_equal(keys[1:], keys[:-1], out=first[1:])
            self.codes = np.cumsum(first) - 1
            self.keys = keys[first]
        else:
            codes, uniques = pd.factorize(keys, sort=True)
            self.codes, self.keys = codes.astype(np.intp), np.asarray(uniques)
        self.n = len(self.keys)
        self.sizes = np.bincount(self.codes, minlength=self.n)
        self._order: np.ndarray | None = None

    def _sorted(self, values: np.ndarray) -> np.ndarray:
        """``values`` ordered by group, for ``reduceat``."""
        if self._order is None:
            sorted_ = len(self.codes) < 2 or (self.codes[1:] >= self.codes[:-1]).all()
            self._order = np.arange(0) if sorted_ else np.argsort(self.codes, kind="stable")
        return values if not len(self._order) else values[self._order]

    def reduce(self, raw: np.ndarray, aggs: Sequence[str]) -> list[np.ndarray]:
        """One float64 array per aggregation: mean, min, max, sum (0 when all missing) or std (ddof=1)."""
        values = np.asarray(raw, dtype="float64")
        if self.n == 0:
            return [np.empty(0) for _ in aggs]
        present = ~np.isnan(values)
        total = np.bincount(self.codes, weights=np.where(present, values, 0.0), minlength=self.n)
        counted = np.bincount(self.codes, weights=present, minlength=self.n)
        with np.errstate(divide="ignore", invalid="ignore"):
            mean = np.where(counted > 0, total / counted, np.nan)
        out = []
        for agg in aggs:
            if agg == "sum":
                out.append(total)
            elif agg == "mean":
                out.append(mean)
            elif agg == "std":
                deviation = np.where(present, values - mean[self.codes], 0.0)
                squares = np.bincount(self.codes, weights=deviation * deviation, minlength=self.n)
                with np.errstate(divide="ignore", invalid="ignore"):
                    out.append(np.where(counted > 1, np.sqrt(squares / (counted - 1)), np.nan))
            else:
                starts = np.concatenate(([0], np.cumsum(self.sizes)[:-1]))
                ufunc, fill = (np.minimum, np.inf) if agg == "min" else (np.maximum, -np.inf)
                result = ufunc.reduceat(self._sorted(np.where(present, values, fill)), starts)
                out.append(np.where(counted > 0, result, np.nan))
        return out


def lookup(keys: np.ndarray, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Position of each of ``ids`` in the sorted ``keys`` and whether it was found there."""
    if not len(keys):
        return np.zeros(len(ids), dtype=np.intp), np.zeros(len(ids), dtype=bool)
    pos = np.searchsorted(keys, ids)
    pos[pos >= len(keys)] = 0
    return pos, keys[pos] == ids


def output_names(
    spec: Spec, prefix: str, categories: Mapping[str, Sequence[str]], count: bool = True
) -> list[str]:
    """The columns ``aggregate`` returns for this spec, in order."""
    names = [f"{prefix}COUNT"] if count else []
    for column, aggs in spec.items():
        for agg in aggs:
            if agg == "share":
                names += [f"{prefix}{column}_{slug}_SHARE" for slug in category_slugs(categories[column])]
            else:
                names.append(f"{prefix}{column}_{agg.upper()}")
    return names


def category_slugs(values: Sequence[str]) -> list[str]:
    """Column-name parts for fitted category values, followed by OTHER."""
    return [slugify(v) for v in values] + ["OTHER"]


@lru_cache(maxsize=4096)
def slugify(value: str) -> str:
    """Upper-case, alphanumeric-and-underscore form of a category value (safe in LightGBM names)."""
    out = "".join(ch if ch.isalnum() else "_" for ch in str(value).upper())
    while "__" in out:
        out = out.replace("__", "_")
    return out.strip("_") or "EMPTY"


@lru_cache(maxsize=256)
def _category_lookup(values: tuple[str, ...]) -> tuple[pd.Index, dict]:
    """Hash index and dictionary of a fitted category list (built once per list)."""
    return pd.Index(values, dtype=object), {v: i for i, v in enumerate(values)}


def category_codes(series: pd.Series | np.ndarray, values: Sequence[str]) -> np.ndarray:
    """Integer code per row: position in ``values``, ``len(values)`` for other values, -1 when missing."""
    array = np.asarray(series, dtype=object)
    missing = pd.isna(array)
    if getattr(series, "dtype", object) != object:  # noqa: E721 (a numpy dtype compared with object, not a type check); numbers or pandas strings: compared as text
        array = array.astype(str)
    index, positions = _category_lookup(tuple(values))
    if len(array) <= _FEW_ROWS:  # one client's rows: plain dictionary look-ups beat the hash-table set-up
        codes = np.fromiter((positions.get(v, -1) for v in array), dtype="int64", count=len(array))
    else:
        codes = index.get_indexer(np.where(missing, None, array) if missing.any() else array).astype("int64")
    codes[codes < 0] = len(values)
    codes[missing] = -1
    return codes


def _shares(groups: Groups, raw: np.ndarray | None, values: Sequence[str], stem: str) -> dict[str, np.ndarray]:
    """Share of each group's rows falling in each fitted category (OTHER last)."""
    names = [f"{stem}_{slug}_SHARE" for slug in category_slugs(values)]
    width = len(values) + 1
    if raw is None:
        return {name: np.full(groups.n, np.nan) for name in names}
    codes = category_codes(raw, values)
    seen = codes >= 0
    counts = np.bincount(groups.codes[seen] * width + codes[seen], minlength=groups.n * width)
    with np.errstate(divide="ignore", invalid="ignore"):
        shares = counts.reshape(groups.n, width) / groups.sizes[:, None]
    return {name: np.ascontiguousarray(shares[:, j]) for j, name in enumerate(names)}


def safe_ratio(numerator: np.ndarray | pd.Series, denominator: np.ndarray | pd.Series) -> np.ndarray:
    """numerator / denominator as float64 with division by zero giving NaN instead of +-inf."""
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.asarray(numerator, dtype="float64") / np.asarray(denominator, dtype="float64")
    ratio[np.isinf(ratio)] = np.nan
    return ratio


def column_values(frame: pd.DataFrame | Columns, column: str) -> np.ndarray | None:
    """One column of a DataFrame or a column dictionary as an array, None when absent."""
    if isinstance(frame, pd.DataFrame):
        return frame[column].to_numpy() if column in frame.columns else None
    values = frame.get(column)
    return None if values is None else np.asarray(values)
