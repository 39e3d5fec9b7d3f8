"""Category lists learned at training time and replayed at serving time (no get_dummies at call time)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from modeling.features.aggregate import category_codes, category_slugs, slugify


def fit_categories(series: pd.Series, min_share: float, max_categories: int) -> list[str]:
    """Values of ``series`` frequent enough to get their own column (most frequent first).

    A value is kept when it covers at least ``min_share`` of the non-missing rows, at most
    ``max_categories`` values; the others are grouped as OTHER. Values whose column-name form
    collides with a kept value are grouped as OTHER too.
    """
    counts = series.dropna().astype(str).value_counts()
    if counts.empty:
        return []
    shares = counts / counts.sum()
    kept: list[str] = []
    slugs: set[str] = {"OTHER"}
    for value, share in shares.items():
        if share < min_share or len(kept) >= max_categories:
            break
        if slugify(value) not in slugs:
            kept.append(str(value))
            slugs.add(slugify(value))
    return sorted(kept, key=lambda v: (-counts[v], v))


def fit_table_categories(
    table: Mapping[str, np.ndarray] | None, columns: Iterable[str], min_share: float, max_categories: int
) -> dict[str, list[str]]:
    """Fitted category list for each of ``columns`` of ``table`` (an empty list when absent)."""
    out: dict[str, list[str]] = {}
    for column in columns:
        values = None if table is None else table.get(column)
        out[column] = [] if values is None else fit_categories(pd.Series(values), min_share, max_categories)
    return out


def one_hot(values: np.ndarray, categories: Sequence[str], name: str) -> dict[str, np.ndarray]:
    """0/1 columns ``{name}_{VALUE}`` per fitted value plus ``{name}_OTHER``; missing gives all zeros."""
    codes = category_codes(values, list(categories))
    return {
        f"{name}_{slug}": (codes == j).astype("float64")
        for j, slug in enumerate(category_slugs(categories))
    }
