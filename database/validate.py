"""Vectorised checks of the rows of a batch: value types, keys, duplicates and orphans.

Good rows never go through per-row Python: columns are cast with pyarrow and compared with numpy;
only the (rare) bad rows are looked at one by one to write their reason.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from database.schema import kaggle_columns, table

INT32_MAX = 2**31 - 1

#: Reason categories counted in the summary.
NOT_A_NUMBER = "not a number"
NOT_WHOLE = "not a whole number"
OUT_OF_RANGE = "out of range"
EMPTY_KEY = "empty required value"
BAD_TARGET = "TARGET not 0 or 1"
ORPHAN = "orphan (parent not found)"
DUPLICATE = "duplicate key"
MALFORMED = "wrong number of fields"


@dataclass
class Rejects:
    """Rows refused in a batch: their positions in the batch, reason category and full reason."""

    positions: list[int]
    categories: list[str]
    reasons: list[str]

    @classmethod
    def empty(cls) -> Rejects:
        """No rejected row."""
        return cls([], [], [])

    def add(self, mask: np.ndarray, category: str, describe) -> None:
        """Reject the rows of ``mask`` not already rejected; ``describe(i)`` words the reason of row i."""
        taken = set(self.positions)
        for i in np.flatnonzero(mask):
            if int(i) not in taken:
                self.positions.append(int(i))
                self.categories.append(category)
                self.reasons.append(describe(int(i)))


def column_kinds(table_name: str) -> dict[str, str]:
    """Each Kaggle column of a table mapped to 'int', 'float' or 'str'."""
    kinds = {}
    for name in kaggle_columns(table_name):
        python_type = table(table_name).c[name.lower()].type.python_type
        kinds[name] = {int: "int", float: "float"}.get(python_type, "str")
    return kinds


def required_columns(table_name: str) -> set[str]:
    """The Kaggle columns that may not be empty (keys)."""
    return {name for name in kaggle_columns(table_name) if not table(table_name).c[name.lower()].nullable}


def typed_batch(data: pa.RecordBatch, table_name: str) -> tuple[dict[str, np.ndarray | pa.Array], np.ndarray, Rejects]:
    """Cast the text columns to the schema's types; returns columns, a keep-mask and the rejected rows."""
    rejects = Rejects.empty()
    n = data.num_rows
    keep = np.ones(n, dtype=bool)
    empty = np.ones(n, dtype=bool)
    for text in data.columns:
        empty &= np.asarray(text.is_null())
    columns: dict[str, np.ndarray | pa.Array] = {}
    required = required_columns(table_name)
    for name, kind in column_kinds(table_name).items():
        if name not in data.schema.names:
            columns[name] = np.full(n, np.nan) if kind != "str" else pa.nulls(n, pa.string())
            continue
        text = data.column(name)
        valid = ~np.asarray(text.is_null())
        if kind == "str":
            columns[name] = text
            missing = ~valid
        else:
            values, bad = _numbers(text, valid)
            rejects.add(bad & keep, NOT_A_NUMBER, lambda i, t=text, c=name: f"{c}={t[i].as_py()!r} is not a number")
            keep &= ~bad
            if kind == "int":
                whole = ~valid | bad | (values == np.floor(values))
                rejects.add(~whole & keep, NOT_WHOLE,
                            lambda i, t=text, c=name: f"{c}={t[i].as_py()!r} is not a whole number")
                keep &= whole
                big = valid & ~bad & (np.abs(np.nan_to_num(values)) > INT32_MAX)
                rejects.add(big & keep, OUT_OF_RANGE,
                            lambda i, t=text, c=name: f"{c}={t[i].as_py()!r} is out of the integer range")
                keep &= ~big
            columns[name] = values
            missing = np.isnan(values)
        if name in required:
            rejects.add(missing & keep & ~empty, EMPTY_KEY, lambda i, c=name: f"{c} is empty")
            keep &= ~missing
    if "TARGET" in columns and "TARGET" in data.schema.names:
        target = columns["TARGET"]
        bad = ~np.isnan(target) & (target != 0) & (target != 1)
        rejects.add(bad & keep, BAD_TARGET, lambda i: f"TARGET={data.column('TARGET')[i].as_py()!r} is not 0 or 1")
        keep &= ~bad
    keep &= ~empty  # blank lines carry no data: skipped silently
    return columns, keep, rejects


def _numbers(text: pa.Array, valid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Float values of a text column (NaN where empty) and the mask of non-empty values that are not numbers."""
    try:
        values = pc.cast(text, pa.float64()).to_numpy(zero_copy_only=False)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        values = pd.to_numeric(pd.Series(text.to_pylist(), dtype=object), errors="coerce").to_numpy(dtype=float)
    values = np.where(valid, values, np.nan)
    bad = valid & ~np.isfinite(values)
    return values, bad


def pack(high: np.ndarray, low: np.ndarray) -> np.ndarray:
    """Two 32-bit integer columns packed into one int64 key (for two-column primary keys)."""
    return (high.astype(np.int64) << 32) | (low.astype(np.int64) & 0xFFFFFFFF)


class KeySet:
    """A growing set of int64 keys kept as one sorted numpy array (fast bulk membership tests)."""

    def __init__(self, keys: np.ndarray | None = None) -> None:
        """Start from ``keys`` (any order, duplicates allowed) or empty."""
        self.keys = np.unique(keys.astype(np.int64)) if keys is not None else np.empty(0, dtype=np.int64)

    def __len__(self) -> int:
        """The number of keys."""
        return len(self.keys)

    def contains(self, values: np.ndarray) -> np.ndarray:
        """A boolean mask: which values are in the set."""
        if not len(self.keys) or not len(values):
            return np.zeros(len(values), dtype=bool)
        where = np.searchsorted(self.keys, values)
        where[where == len(self.keys)] = 0
        return self.keys[where] == values

    def add(self, values: np.ndarray) -> None:
        """Add keys (merging two sorted runs is linear with a stable sort)."""
        if len(values):
            merged = np.concatenate([self.keys, np.unique(values.astype(np.int64))])
            merged.sort(kind="stable")
            keep = np.ones(len(merged), dtype=bool)
            keep[1:] = merged[1:] != merged[:-1]
            self.keys = merged[keep]


def first_occurrences(keys: np.ndarray) -> np.ndarray:
    """A mask of the rows whose key has not appeared on an earlier row of the same array."""
    _, first = np.unique(keys, return_index=True)
    mask = np.zeros(len(keys), dtype=bool)
    mask[first] = True
    return mask
