"""Data problems of the Home Credit tables, fixed the same way at training and at serving time.

- ``365243`` in a DAYS_* column is not a date but a placeholder ("no date", about 1000 years ahead):
  it becomes NaN. In application.DAYS_EMPLOYED it marks pensioners and unemployed applicants, a real
  signal, so a flag column ``DAYS_EMPLOYED_ANOM`` keeps it.
- ``XNA`` ("not available") and ``XAP`` ("not applicable") codes become missing values, including
  CODE_GENDER = XNA (4 applicants in the full data).
- Ratios with a zero denominator give NaN, never an infinite value (see ``aggregate.safe_ratio``).
- Amounts are not capped: gradient-boosted trees split on order, so an extreme income (117 million
  in the full data) only lands in the top bin; capping would need a fitted threshold for no gain.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from modeling.features.aggregate import Columns, column_values

DAYS_SENTINEL = 365243
MISSING_CODES = ("XNA", "XAP")


def take(
    frame: pd.DataFrame | Columns | None,
    ids: Iterable[str] = (),
    numbers: Iterable[str] = (),
    texts: Iterable[str] = (),
) -> dict[str, np.ndarray]:
    """The used columns of ``frame`` as arrays: IDs as they are, numbers as float64, texts as objects.

    ``frame`` is a DataFrame or a ``{column: array}`` dictionary (the serving read of one client).
    Absent columns (or a None frame) give NaN / None; text that is not a number becomes NaN in a
    numeric column; the XNA / XAP codes become None in text columns.
    """
    if frame is None:
        frame = {}
    rows = table_length(frame)
    out: dict[str, np.ndarray] = {}
    for column in ids:
        values = column_values(frame, column)
        out[column] = values if values is not None else np.full(rows, np.nan)
    for column in numbers:
        values = column_values(frame, column)
        out[column] = _numbers(values) if values is not None else np.full(rows, np.nan)
    for column in texts:
        values = column_values(frame, column)
        out[column] = _texts(values) if values is not None else np.full(rows, None, dtype=object)
    return out


def table_length(frame: pd.DataFrame | Columns) -> int:
    """Number of rows of a DataFrame or of a column dictionary (0 without columns)."""
    if isinstance(frame, pd.DataFrame):
        return len(frame)
    return len(next(iter(frame.values()))) if frame else 0


def _numbers(values: np.ndarray) -> np.ndarray:
    """A column as float64; text that is not a number becomes NaN."""
    if values.dtype.kind == "f":
        return values.astype("float64", copy=False)
    if values.dtype.kind in "iu":
        return values.astype("float64")
    numbers = pd.to_numeric(pd.Series(values, copy=False), errors="coerce")  # text, booleans, nullable integers
    return numbers.to_numpy(dtype="float64", na_value=np.nan)


def _texts(values: np.ndarray) -> np.ndarray:
    """A text column as an object array, missing values and XNA / XAP codes as None."""
    values = np.asarray(values, dtype=object)
    missing = pd.isna(values)
    if missing.any():
        values = np.where(missing, None, values)
    codes = (values == MISSING_CODES[0]) | (values == MISSING_CODES[1])
    return np.where(codes, None, values) if codes.any() else values


def clear_sentinel(table: dict[str, np.ndarray], columns: Iterable[str]) -> None:
    """Replace the 365243 'no date' placeholder by NaN in the float ``columns`` of ``table`` (in place)."""
    for column in columns:
        table[column] = np.where(table[column] == DAYS_SENTINEL, np.nan, table[column])


def select(table: dict[str, np.ndarray], rows: np.ndarray) -> dict[str, np.ndarray]:
    """The rows of ``table`` where the boolean mask ``rows`` is true."""
    return {name: values[rows] for name, values in table.items()}


def late_flag(values: np.ndarray, limit: float) -> np.ndarray:
    """1.0 where ``values`` > ``limit``, 0.0 where not, NaN where the value is missing."""
    return np.where(np.isnan(values), np.nan, (values > limit).astype("float64"))
