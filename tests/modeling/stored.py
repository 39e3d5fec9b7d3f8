"""Comparison of stored batch rows computed in different chunks: a Polars sum's last bits depend on the chunk's
rows, so numbers are equal to 1e-9 relative, and names, order and missing values exactly."""

from __future__ import annotations

import json
from collections.abc import Iterable

import numpy as np


def _numbers(values: Iterable) -> np.ndarray:
    """Stored numbers as an array, a missing value as NaN."""
    return np.array([np.nan if v is None else v for v in values], dtype=float)


def assert_same_stored(reasons: list[str], expected_reasons: list[str], kept: list[str],
                       expected_kept: list[str]) -> None:
    """Same reasons (group and feature in order; value and contributions) and comparison features per client."""
    assert len(reasons) == len(expected_reasons) and len(kept) == len(expected_kept)
    for got, expected in zip(reasons, expected_reasons, strict=True):
        got, expected = json.loads(got), json.loads(expected)
        assert [r[:2] for r in got] == [r[:2] for r in expected]
        np.testing.assert_allclose(np.array([_numbers(r[2:]) for r in got]),
                                   np.array([_numbers(r[2:]) for r in expected]), rtol=1e-9, atol=1e-12)
    for got, expected in zip(kept, expected_kept, strict=True):
        got, expected = json.loads(got), json.loads(expected)
        assert list(got) == list(expected)
        np.testing.assert_allclose(_numbers(got.values()), _numbers(expected.values()), rtol=1e-9)
