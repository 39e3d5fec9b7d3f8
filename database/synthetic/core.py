"""Small vectorised sampling helpers shared by the synthetic table generators."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import expit, ndtr

SENTINEL = 365243  # Kaggle's "no date" value in DAYS_EMPLOYED and previous_application dates


@dataclass
class Cat:
    """A categorical column: integer codes into a vocabulary, -1 for a missing value."""

    codes: np.ndarray
    vocab: list[str]

    def values(self) -> np.ndarray:
        """The categories as an object array (None where missing), for small tables and tests."""
        out = np.array(self.vocab + [None], dtype=object)
        return out[np.where(self.codes < 0, len(self.vocab), self.codes)]

    def isin(self, names: list[str]) -> np.ndarray:
        """Boolean mask of rows whose category is one of names."""
        wanted = [i for i, v in enumerate(self.vocab) if v in names]
        return np.isin(self.codes, wanted)

    def take(self, index: np.ndarray) -> Cat:
        """Rows at index."""
        return Cat(self.codes[index], self.vocab)


def draw_cat(rng: np.random.Generator, freq: dict, n: int, shift: np.ndarray | None = None) -> Cat:
    """Draw n categories from a {category: share} dict; '' means missing. shift tilts shares per row (logits)."""
    vocab = [k for k in freq if k != ""]
    keys = list(freq)
    p = np.array([freq[k] for k in keys], dtype=float)
    p /= p.sum()
    if shift is None:
        idx = np.searchsorted(np.cumsum(p), rng.random(n) * (1 - 1e-12), side="right")
    else:
        logits = np.log(p)[None, :] + shift
        g = logits - np.log(-np.log(rng.random((n, len(keys)))))  # Gumbel-max trick
        idx = g.argmax(axis=1)
    mapping = np.array([vocab.index(k) if k != "" else -1 for k in keys])
    return Cat(mapping[idx], vocab)


def draw_num(rng: np.random.Generator, freq: dict, n: int) -> np.ndarray:
    """Draw n numbers from a {value-as-text: share} dict."""
    values = np.array([float(k) for k in freq])
    p = np.array(list(freq.values()), dtype=float)
    p /= p.sum()
    return values[np.searchsorted(np.cumsum(p), rng.random(n) * (1 - 1e-12), side="right")]


def from_quantiles(quantiles: list, u: np.ndarray) -> np.ndarray:
    """Map uniforms in [0, 1] through an empirical quantile function (linear interpolation)."""
    grid = np.linspace(0, 1, len(quantiles))
    return np.interp(u, grid, np.asarray(quantiles, dtype=float))


def from_normal(quantiles: list, z: np.ndarray) -> np.ndarray:
    """Map standard-normal scores through an empirical quantile function (Gaussian copula)."""
    return from_quantiles(quantiles, ndtr(z))


def sigmoid(x: np.ndarray) -> np.ndarray:
    """Logistic function."""
    return expit(x)


def expand(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For child rows: the parent index of each row and its position within the parent."""
    counts = np.asarray(counts, dtype=np.int64)
    parent = np.repeat(np.arange(len(counts)), counts)
    starts = np.cumsum(counts) - counts
    return parent, np.arange(len(parent)) - starts[parent]


def group_sum(index: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    """Sum of values per group index 0..n-1."""
    return np.bincount(index, weights=values, minlength=n)


def group_max(index: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    """Maximum of values per group index 0..n-1 (0 for empty groups, values assumed >= 0)."""
    out = np.zeros(n)
    np.maximum.at(out, index, values)
    return out
