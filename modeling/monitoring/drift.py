"""Model monitoring: population stability (PSI/CSI) against the training reference, and back-testing.

At training, ``build_reference`` bins the calibrated out-of-fold probabilities, every model input and the
application columns a person reads (bins fixed then, missing values in a bin of their own) and keeps their
shares in the model bundle. ``compare`` bins a later population with the same edges and measures

    PSI = sum over bins of (current share - reference share) x ln(current share / reference share)

for the score and for each characteristic (CSI), the approval rate and the grade mix at the production
threshold and, where outcomes are known, the observed default rate of each grade against its mean
probability with a two-sided binomial test. Every figure gets a level: ``stable``, ``watch`` or ``act``.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from datetime import UTC, datetime

import numpy as np
import pandas as pd
from scipy.stats import binomtest

REFERENCE_VERSION = 1
LEVELS = ("stable", "watch", "act")
#: PSI below 0.10 is stable, 0.10 to 0.25 is worth watching, above 0.25 calls for action.
PSI_WATCH, PSI_ACT = 0.10, 0.25
#: Change of the approval rate (share of applications granted), in points of percentage.
APPROVAL_WATCH, APPROVAL_ACT = 0.05, 0.10
#: p-values (Bonferroni-adjusted over the grades) of the binomial test of a grade's defaults against its mean probability.
P_WATCH, P_ACT = 0.05, 0.01
SCORE_BINS = 10
FEATURE_BINS = 10
#: A numeric column with at most this many distinct values is binned by value (flags, counts, ratings).
MAX_DISTINCT = 12
#: Values or categories rarer than this at training are pooled into "other".
MIN_SHARE = 0.01
#: Shares are floored here before the logarithm, so that an empty bin does not make the PSI infinite.
EPSILON = 1e-4
#: Features whose two distributions the result keeps, bin by bin (the dashboard shows them side by side).
TOP_DETAILED = 10
PROGRESS_SECONDS = 5.0
MISSING, OTHER = "missing", "other"
#: Raw application columns a risk manager reads, monitored as they are (the model inputs are all monitored;
#: protected attributes, kept out of the model, are not among them).
READABLE_COLUMNS = (
    "NAME_CONTRACT_TYPE", "FLAG_OWN_CAR", "FLAG_OWN_REALTY", "CNT_CHILDREN", "AMT_INCOME_TOTAL",
    "AMT_CREDIT", "AMT_ANNUITY", "AMT_GOODS_PRICE", "NAME_INCOME_TYPE", "NAME_EDUCATION_TYPE",
    "NAME_FAMILY_STATUS", "NAME_HOUSING_TYPE", "DAYS_BIRTH", "DAYS_EMPLOYED", "OCCUPATION_TYPE",
    "ORGANIZATION_TYPE", "REGION_RATING_CLIENT", "EXT_SOURCE_1", "EXT_SOURCE_2", "EXT_SOURCE_3",
)


def psi_level(psi: float) -> str:
    """stable below 0.10, watch up to 0.25, act above."""
    return "act" if psi > PSI_ACT else "watch" if psi >= PSI_WATCH else "stable"


def worst(levels: Iterable[str]) -> str:
    """The most severe of some levels (stable when there are none)."""
    return max(levels, key=LEVELS.index, default="stable")


def psi(reference: np.ndarray, current: np.ndarray) -> float:
    """Population stability index of two share vectors over the same bins."""
    e = np.maximum(np.asarray(reference, dtype=float), EPSILON)
    a = np.maximum(np.asarray(current, dtype=float), EPSILON)
    return float(np.sum((a - e) * np.log(a / e)))


# --- bins fixed at training --------------------------------------------------------------------------------

def _numeric(values) -> np.ndarray | None:
    """The column as float64, or None when it holds text."""
    series = pd.Series(values)
    if series.dtype == object or isinstance(series.dtype, pd.CategoricalDtype) or pd.api.types.is_string_dtype(series):
        return None
    return series.to_numpy(dtype="float64", na_value=np.nan)


def fit_bins(values, bins: int = FEATURE_BINS) -> dict:
    """Bin edges (numbers) or kept values (few distinct numbers, categories) of one column at training."""
    x = _numeric(values)
    if x is None:
        text = pd.Series(values).astype("string")
        shares = text.value_counts(normalize=True, dropna=True)
        kept = [str(v) for v, s in shares.items() if s >= MIN_SHARE][:30]
        return {"type": "values", "values": kept}
    present = x[~np.isnan(x)]
    distinct = np.unique(present)
    if len(distinct) <= MAX_DISTINCT:
        shares = np.array([(present == v).mean() for v in distinct]) if len(present) else np.array([])
        return {"type": "values", "values": [float(v) for v, s in zip(distinct, shares, strict=True) if s >= MIN_SHARE]}
    edges = np.unique(np.quantile(present, np.linspace(0, 1, bins + 1)[1:-1]))
    return {"type": "numeric", "edges": [float(e) for e in edges]}


def _number(x: float) -> str:
    """A bin edge without exponent: ``74,250`` from 1,000 on, else four significant digits (``0.0534``)."""
    return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:.4g}"


def bin_labels(spec: dict) -> list[str]:
    """Names of the bins of a spec, the missing bin last (numbers written as ``≤ 1.5``, ``> 1.5``)."""
    if spec["type"] == "numeric":
        e = [_number(x) for x in spec["edges"]]
        labels = [f"≤ {e[0]}"] + [f"{a} – {b}" for a, b in zip(e[:-1], e[1:], strict=True)]
        return labels + [f"> {e[-1]}", MISSING] if e else [OTHER, MISSING]
    values = [v if isinstance(v, str) else _number(v) for v in spec["values"]]
    return values + [OTHER, MISSING]


def bin_shares(spec: dict, values) -> np.ndarray:
    """Share of the rows in each bin of the spec (missing bin last); zeros for an empty column."""
    n_bins = len(bin_labels(spec))
    series = pd.Series(values)
    if len(series) == 0:
        return np.zeros(n_bins)
    missing = series.isna().to_numpy()
    if spec["type"] == "numeric":
        x = _numeric(series)
        if x is None:
            raise ValueError(f"column {series.name} holds text but was numeric at training")
        idx = np.searchsorted(np.asarray(spec["edges"]), x, side="left")
    else:
        kept = spec["values"]
        if kept and not isinstance(kept[0], str):
            x = _numeric(series)
            if x is None:
                raise ValueError(f"column {series.name} holds text but was numeric at training")
            order = np.asarray(kept, dtype=float)
            pos = np.clip(np.searchsorted(order, x), 0, len(order) - 1)
            idx = np.where(order[pos] == x, pos, len(kept))
        else:
            codes = pd.Categorical(series.astype("string"), categories=kept).codes
            idx = np.where(codes < 0, len(kept), codes)
    idx = np.where(missing, n_bins - 1, idx)
    return np.bincount(idx, minlength=n_bins) / len(series)


# --- the reference, kept in the model bundle ---------------------------------------------------------------

def readable_columns(application: pd.DataFrame, features: Iterable[str]) -> list[str]:
    """The raw application columns monitored beside the model inputs (a name that is a model input is not repeated)."""
    inputs = set(features)
    return [c for c in READABLE_COLUMNS if c in application.columns and c not in inputs]


def _aligned(application: pd.DataFrame, index: pd.Index) -> pd.DataFrame:
    """Application rows in the order of a feature frame's SK_ID_CURR index."""
    app = application.set_index("SK_ID_CURR") if "SK_ID_CURR" in application.columns else application
    return app.reindex(index)


def build_reference(features: pd.DataFrame, probabilities: np.ndarray, application: pd.DataFrame,
                    bundle=None) -> dict:
    """Training distributions of the score, every model input and the readable application columns.

    ``probabilities`` are the calibrated out-of-fold probabilities of the rows of ``features`` (index
    SK_ID_CURR), on which the threshold and the grades were chosen: the reference approval rate is the
    model card's. (The production model's own scores of its training clients would be in-sample: on
    1,295 clients they put the approval rate 7 points above that of new clients of the same population.)
    ``bundle`` gives the threshold and grades for the approval rate and the grade mix.
    """
    p = np.asarray(probabilities, dtype=float)
    if len(p) != len(features):
        raise ValueError(f"{len(p)} probabilities for {len(features)} feature rows")
    app = _aligned(application, features.index)
    score = {"type": "numeric", "edges": [float(e) for e in np.unique(np.quantile(p, np.linspace(0, 1, SCORE_BINS + 1)[1:-1]))]}
    columns = {}
    for name in features.columns:
        spec = fit_bins(features[name])
        columns[name] = {"kind": "input", **spec, "shares": bin_shares(spec, features[name]).tolist()}
    for name in readable_columns(app, features.columns):
        spec = fit_bins(app[name])
        columns[name] = {"kind": "application", **spec, "shares": bin_shares(spec, app[name]).tolist()}
    out = {"version": REFERENCE_VERSION, "clients": int(len(p)), "created_at": _now(),
           "score": {**score, "shares": bin_shares(score, p).tolist()}, "features": columns}
    if bundle is not None:
        out["threshold"] = float(bundle.threshold)
        out["approval_rate"] = float(np.mean(p < bundle.threshold))
        out["grades"] = _grade_shares(bundle, p, list(bundle.grades.labels))
    return out


def _grade_shares(bundle, p: np.ndarray, labels: list[str]) -> list[float]:
    grades = pd.Series(bundle.grade(p)) if len(p) else pd.Series([], dtype=object)
    return [float((grades == g).mean()) if len(p) else 0.0 for g in labels]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


# --- comparison --------------------------------------------------------------------------------------------

def _distribution(spec: dict, reference: list[float], values) -> dict:
    current = bin_shares(spec, values)
    value = psi(reference, current)
    return {"psi": value, "level": psi_level(value), "bins": [
        {"label": label, "reference": float(r), "current": float(c)}
        for label, r, c in zip(bin_labels(spec), reference, current, strict=True)]}


def backtest(outcomes, probabilities, grades) -> dict:
    """Observed default rate against mean probability per grade, with a two-sided binomial test.

    The level of a grade reads its p-value multiplied by the number of grades tested (Bonferroni): with
    six grades, one of them would otherwise be flagged by chance on one run in four.
    """
    frame = pd.DataFrame({"y": np.asarray(outcomes, dtype=float), "p": np.asarray(probabilities, dtype=float),
                          "grade": np.asarray(grades)}).dropna(subset=["y", "p"])
    groups = list(frame.groupby("grade", sort=True))
    rows = []
    for grade, part in groups:
        n, k, mean_p = len(part), int(part["y"].sum()), float(part["p"].mean())
        p_value = float(binomtest(k, n, min(max(mean_p, 1e-9), 1 - 1e-9)).pvalue)
        adjusted = min(1.0, p_value * len(groups))
        level = "act" if adjusted < P_ACT else "watch" if adjusted < P_WATCH else "stable"
        rows.append({"grade": str(grade), "clients": n, "defaults": k, "observed_rate": k / n,
                     "mean_probability": mean_p, "p_value": p_value, "adjusted_p_value": adjusted, "level": level})
    return {"clients": int(len(frame)), "defaults": int(frame["y"].sum()), "rows": rows,
            "level": worst(r["level"] for r in rows)}


def _approval(reference: dict, p: np.ndarray, bundle) -> dict:
    current = float(np.mean(p < bundle.threshold)) if len(p) else float("nan")
    before = reference.get("approval_rate")
    if before is None or not len(p):
        return {"reference": before, "current": current, "change": None, "level": "stable"}
    change = current - before
    level = "act" if abs(change) > APPROVAL_ACT else "watch" if abs(change) >= APPROVAL_WATCH else "stable"
    return {"reference": before, "current": current, "change": change, "level": level}


def _grade_mix(reference: dict, p: np.ndarray, bundle) -> dict:
    labels = list(bundle.grades.labels)
    before = reference.get("grades") or [0.0] * len(labels)
    current = _grade_shares(bundle, p, labels)
    value = psi(before, current)
    return {"psi": value, "level": psi_level(value), "rows": [
        {"grade": g, "reference": r, "current": c} for g, r, c in zip(labels, before, current, strict=True)]}


def compare(bundle, features: pd.DataFrame, probabilities: np.ndarray, application: pd.DataFrame,
            outcomes: pd.Series | None = None, detailed: int = TOP_DETAILED, progress=None) -> dict:
    """The monitoring result (JSON-ready) of a population against the reference of ``bundle``.

    ``features`` (index SK_ID_CURR) and ``probabilities`` are the population's model inputs and calibrated
    probabilities; ``outcomes`` (TARGET by SK_ID_CURR, missing where unknown) feeds the back-testing.
    """
    reference = getattr(bundle, "reference", None)
    if not reference:
        raise ValueError(f"model {bundle.version} has no monitoring reference: retrain it with "
                         "`python -m modeling train`")
    p = np.asarray(probabilities, dtype=float)
    if len(features) == 0:
        raise ValueError("no client to monitor: the population is empty (run `python -m database load`)")
    app = _aligned(application, features.index)
    score = _distribution(reference["score"], reference["score"]["shares"], p)
    rows = []
    say, last = progress or (lambda _message: None), time.monotonic()
    for done, (name, spec) in enumerate(reference["features"].items()):
        if time.monotonic() - last > PROGRESS_SECONDS:
            say(f"compared {done:,} / {len(reference['features']):,} characteristics")
            last = time.monotonic()
        frame = features if spec["kind"] == "input" else app
        if name not in frame.columns:
            raise ValueError(f"column {name} of the reference is absent from the population's "
                             f"{'features' if spec['kind'] == 'input' else 'application table'}")
        rows.append({"name": name, "kind": spec["kind"], **_distribution(spec, spec["shares"], frame[name])})
    rows.sort(key=lambda r: (-r["psi"], r["name"]))
    for rank, row in enumerate(rows):
        if rank >= detailed:
            del row["bins"]
    result = {
        "model_version": str(bundle.version), "computed_at": _now(), "clients": int(len(features)),
        "reference_clients": reference["clients"], "score_psi": score["psi"], "score": score,
        "approval": _approval(reference, p, bundle), "grades": _grade_mix(reference, p, bundle),
        "features": rows, "feature_levels": {lv: sum(r["level"] == lv for r in rows) for lv in LEVELS},
    }
    if outcomes is not None:
        y = pd.Series(outcomes).reindex(features.index).to_numpy(dtype=float)
        known = ~np.isnan(y)
        if known.any():
            result["backtest"] = backtest(y[known], p[known], bundle.grade(p[known]))
    parts = [score["level"], result["grades"]["level"], result["approval"]["level"]]
    if "backtest" in result:
        parts.append(result["backtest"]["level"])
    result["level"] = worst(parts)
    return result
