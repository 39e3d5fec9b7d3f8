"""Fairness audit of the decisions at the business threshold, on out-of-fold scores, with fairlearn.

For sex, age band and family status: per group the approval rate, the observed default rate among
approved clients, the true positive rate (defaulters refused) and false positive rate (good clients
refused); across groups the demographic parity ratio of approvals (the four-fifths rule flags a ratio
below 0.8) and the equalised-odds difference of refusals. A proxy check measures how well the model's
own features predict each protected attribute (AUC): a high AUC means the attribute is still
reachable through other columns even though it was removed.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from fairlearn.metrics import (
    MetricFrame,
    demographic_parity_ratio,
    equalized_odds_difference,
    false_positive_rate,
    selection_rate,
    true_positive_rate,
)
from lightgbm import LGBMClassifier
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold

FOUR_FIFTHS = 0.8
MIN_GROUP = 30  # smaller groups are listed but left out of the ratios
AGE_BANDS = (18, 25, 35, 45, 55, 65, 120)
ATTRIBUTES = ("CODE_GENDER", "AGE_BAND", "NAME_FAMILY_STATUS")
PROXY_ROWS = 20_000


def age_band(days_birth: pd.Series) -> pd.Series:
    """'18–24', '25–34', ..., '65+' from DAYS_BIRTH (days before the application, negative)."""
    years = -pd.to_numeric(days_birth, errors="coerce") / 365.25
    labels = [f"{lo}–{hi - 1}" for lo, hi in zip(AGE_BANDS[:-2], AGE_BANDS[1:-1], strict=True)] + [f"{AGE_BANDS[-2]}+"]
    return pd.cut(years, AGE_BANDS, right=False, labels=labels).astype(object)


def groups_of(application: pd.DataFrame, ids: np.ndarray) -> pd.DataFrame:
    """The audited attribute of each client (rows in the order of ids); a missing value is its own group."""
    app = application.drop_duplicates("SK_ID_CURR").set_index("SK_ID_CURR").reindex(ids)
    out = pd.DataFrame(index=app.index)
    out["CODE_GENDER"] = app.get("CODE_GENDER")
    out["AGE_BAND"] = age_band(app.get("DAYS_BIRTH", pd.Series(np.nan, index=app.index)))
    out["NAME_FAMILY_STATUS"] = app.get("NAME_FAMILY_STATUS")
    return out.astype(object).fillna("missing")


def _default_rate_approved(y_true, y_pred) -> float:
    approved = np.asarray(y_pred) == 1
    return float(np.mean(np.asarray(y_true)[approved])) if approved.any() else float("nan")


def audit_attribute(y: np.ndarray, grant: np.ndarray, group: pd.Series) -> dict:
    """Per-group rates and the two disparity figures for one attribute."""
    y, grant = np.asarray(y, dtype=int), np.asarray(grant, dtype=int)
    refuse = 1 - grant
    group = np.asarray(group, dtype=object)
    sizes = pd.Series(group).value_counts()
    frame = MetricFrame(
        metrics={"approval_rate": selection_rate, "default_rate_approved": _default_rate_approved},
        y_true=y, y_pred=grant, sensitive_features=group)
    errors = MetricFrame(metrics={"tpr": true_positive_rate, "fpr": false_positive_rate},
                         y_true=y, y_pred=refuse, sensitive_features=group)
    rows = []
    for name in frame.by_group.index:
        rows.append({"group": str(name), "clients": int(sizes[name]),
                     **{k: float(v) for k, v in frame.by_group.loc[name].items()},
                     **{k: float(v) for k, v in errors.by_group.loc[name].items()}})
    big = np.isin(group, sizes[sizes >= MIN_GROUP].index.to_numpy())
    if len(set(group[big])) >= 2:
        dpr = float(demographic_parity_ratio(y[big], grant[big], sensitive_features=group[big]))
        eod = float(equalized_odds_difference(y[big], refuse[big], sensitive_features=group[big]))
    else:
        dpr, eod = float("nan"), float("nan")
    return {"groups": sorted(rows, key=lambda r: -r["clients"]), "demographic_parity_ratio": dpr,
            "equalized_odds_difference": eod, "four_fifths_ok": bool(not dpr < FOUR_FIFTHS),
            "min_group": MIN_GROUP}


def proxy_auc(X: pd.DataFrame, target: np.ndarray, seed: int, n_jobs: int) -> float:
    """Cross-validated AUC of a small LightGBM predicting a protected attribute from the model's features."""
    target = np.asarray(target, dtype=int)
    if len(np.unique(target)) < 2 or min(np.bincount(target)) < 10:
        return float("nan")
    if len(X) > PROXY_ROWS:
        keep = np.sort(np.random.default_rng(seed).choice(len(X), PROXY_ROWS, replace=False))
        X, target = X.iloc[keep], target[keep]
    scores = np.zeros(len(target))
    for tr, va in StratifiedKFold(3, shuffle=True, random_state=seed).split(X, target):
        model = LGBMClassifier(n_estimators=150, learning_rate=0.1, num_leaves=15, max_bin=63,
                               random_state=seed, n_jobs=n_jobs, verbose=-1)
        model.fit(X.iloc[tr], target[tr])
        scores[va] = model.predict_proba(X.iloc[va])[:, 1]
    return float(roc_auc_score(target, scores))


def proxy_targets(application: pd.DataFrame, ids: np.ndarray, protected: tuple[str, ...]) -> dict[str, np.ndarray]:
    """A binary version of each protected attribute: female for CODE_GENDER, above the median age for DAYS_BIRTH."""
    app = application.drop_duplicates("SK_ID_CURR").set_index("SK_ID_CURR").reindex(ids)
    out = {}
    if "CODE_GENDER" in protected and "CODE_GENDER" in app:
        out["CODE_GENDER"] = (app["CODE_GENDER"] == "F").to_numpy(dtype=int)
    if "DAYS_BIRTH" in protected and "DAYS_BIRTH" in app:
        age = -pd.to_numeric(app["DAYS_BIRTH"], errors="coerce")
        out["DAYS_BIRTH"] = (age >= age.median()).to_numpy(dtype=int)
    return out


def audit(application: pd.DataFrame, ids: np.ndarray, y: np.ndarray, p: np.ndarray, threshold: float,
          X: pd.DataFrame, protected: tuple[str, ...], seed: int = 42, n_jobs: int = 2) -> dict:
    """The model card's `fairness` section: per attribute the group rates and disparities, and the proxy AUCs."""
    grant = (np.asarray(p) < threshold).astype(int)
    groups = groups_of(application, ids)
    attributes = {name: audit_attribute(y, grant, groups[name]) for name in ATTRIBUTES}
    proxy = {name: {"auc": proxy_auc(X, target, seed, n_jobs)}
             for name, target in proxy_targets(application, ids, protected).items()}
    return {"threshold": float(threshold), "basis": "out-of-fold", "clients": int(len(y)),
            "attributes": attributes, "proxy": proxy, "four_fifths": FOUR_FIFTHS}


def table(fairness: dict) -> pd.DataFrame:
    """One row per attribute and group, for the report."""
    rows = []
    for name, a in fairness["attributes"].items():
        for g in a["groups"]:
            rows.append({"attribute": name, **g, "parity_ratio": a["demographic_parity_ratio"],
                         "eq_odds_diff": a["equalized_odds_difference"], "four_fifths_ok": a["four_fifths_ok"]})
    return pd.DataFrame(rows)
