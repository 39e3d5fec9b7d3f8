"""Synthetic credit-bureau rows (bureau, bureau_balance) driven by each client's behaviour propensity."""

from __future__ import annotations

import numpy as np

from database.synthetic.core import Cat, draw_cat, expand, from_quantiles, group_sum, sigmoid
from database.synthetic.parameters import fitted

HAS_BUREAU = 0.858        # share of clients with at least one bureau credit (full Kaggle data)
EXTRA_CREDITS = 4.61      # mean number of credits beyond the first
HAS_BALANCE = 0.42        # share of bureau credits with a monthly bureau_balance history
ORPHAN_BALANCE = 0.001    # share of bureau_balance histories whose bureau row is absent
STATUSES = ["C", "X", "0", "1", "2", "3", "4", "5"]
CURRENCIES = {"currency 1": 0.99918, "currency 2": 0.00073, "currency 3": 0.00010, "currency 4": 0.00001}


def make_bureau(rng: np.random.Generator, sk_id_curr: np.ndarray, propensity: np.ndarray,
                first_id: int) -> tuple[dict, dict, dict]:
    """bureau rows, bureau_balance rows and per-client behaviour summaries for one chunk of clients."""
    n = len(sk_id_curr)
    b = fitted().bureau
    counts = (rng.random(n) < HAS_BUREAU) * (1 + rng.negative_binomial(1.5, 1.5 / (1.5 + EXTRA_CREDITS), n))
    owner, _ = expand(counts)
    m = len(owner)
    h = propensity[owner]
    active = draw_cat(rng, b["CREDIT_ACTIVE"], m)
    is_active = active.isin(["Active"])
    credit_type = draw_cat(rng, b["CREDIT_TYPE"], m)
    is_card = credit_type.isin(["Credit card"])
    days_credit = np.round(from_quantiles(b["DAYS_CREDIT"], rng.random(m)))
    days_credit = np.clip(days_credit, -2922, -1)
    duration = from_quantiles(b["DURATION_DAYS"], rng.random(m))
    end = np.round(days_credit + duration)
    end = np.where(is_active, np.maximum(end, days_credit + 30), end)
    end_missing = rng.random(m) < b["ENDDATE_MISSING"]
    closed_at = np.round(days_credit + (np.minimum(end, -1) - days_credit) * rng.uniform(0.6, 1.0, m))
    closed_at = np.clip(closed_at, days_credit, -1)
    # Overdue behaviour: a credit-level propensity drives bureau overdue fields and monthly DPD statuses.
    late = sigmoid(-3.3 + 1.5 * h + 0.5 * rng.standard_normal(m))
    ever_overdue = rng.random(m) < late
    overdue_now = is_active & ever_overdue & (rng.random(m) < 0.25)
    amount = np.round(from_quantiles(b["AMT_CREDIT_SUM"], rng.random(m)) / 4.5) * 4.5
    debt = np.where(is_active, np.round(amount * rng.uniform(0.05, 1.0, m), 2), 0.0)
    max_overdue = np.where(ever_overdue, np.round(amount * rng.beta(0.6, 12, m), 3), 0.0)
    overdue_days = np.where(overdue_now, np.ceil(rng.exponential(40, m)), 0)
    enddate = np.where(end_missing, np.nan, end)
    update = np.where(is_active, -np.floor(rng.exponential(20, m)), closed_at + np.floor(rng.exponential(30, m)))
    bureau = {
        "SK_ID_CURR": sk_id_curr[owner],
        "SK_ID_BUREAU": first_id + np.arange(m, dtype=np.int64),
        "CREDIT_ACTIVE": active,
        "CREDIT_CURRENCY": draw_cat(rng, CURRENCIES, m),
        "DAYS_CREDIT": days_credit.astype(np.int64),
        "CREDIT_DAY_OVERDUE": overdue_days.astype(np.int64),
        "DAYS_CREDIT_ENDDATE": enddate,
        "DAYS_ENDDATE_FACT": np.where(is_active, np.nan, closed_at),
        "AMT_CREDIT_MAX_OVERDUE": np.where(rng.random(m) < b["MAX_OVERDUE_MISSING"] * (1 - ever_overdue), np.nan,
                                           max_overdue),
        "CNT_CREDIT_PROLONG": (rng.random(m) < 0.005 * (1 + h.clip(0))).astype(np.int64),
        "AMT_CREDIT_SUM": amount,
        "AMT_CREDIT_SUM_DEBT": np.where(rng.random(m) < b["DEBT_MISSING"], np.nan, debt),
        "AMT_CREDIT_SUM_LIMIT": np.where(rng.random(m) < b["LIMIT_MISSING"], np.nan,
                                         np.where(is_card & is_active, np.round(amount - debt, 2), 0.0)),
        "AMT_CREDIT_SUM_OVERDUE": np.where(overdue_now, np.round(debt * rng.uniform(0.01, 0.2, m), 2), 0.0),
        "CREDIT_TYPE": credit_type,
        "DAYS_CREDIT_UPDATE": np.minimum(update, 0).astype(np.int64),
        "AMT_ANNUITY": np.where(rng.random(m) < b["ANNUITY_MISSING"], np.nan,
                                np.round(amount / np.maximum(duration / 30, 1) * is_active, 1)),
    }
    balance, dpd_months = _balance(rng, bureau, late, is_active, closed_at)
    keep = np.ones(m, dtype=bool)
    keep[balance.pop("_orphan_credits")] = False
    if not keep.all():
        bureau = {k: (v.take(np.flatnonzero(keep)) if isinstance(v, Cat) else v[keep]) for k, v in bureau.items()}
    summary = {
        "bureau_count": counts.astype(float),
        "bureau_overdue": group_sum(owner, (max_overdue > 0) | overdue_now, n),
        "bureau_overdue_now": group_sum(owner, overdue_now, n),
        "bureau_dpd_months": group_sum(owner, dpd_months, n),
    }
    return bureau, balance, summary


def _balance(rng, bureau: dict, late: np.ndarray, is_active: np.ndarray, closed_at: np.ndarray):
    """Monthly bureau_balance statuses for about half of the credits, with a few orphan histories."""
    m = len(late)
    with_history = rng.random(m) < HAS_BALANCE
    first_month = np.floor(bureau["DAYS_CREDIT"] / 30.44).astype(np.int64)
    start = np.maximum(first_month, -96)
    credit, pos = expand(np.where(with_history, 1 - start, 0))
    month = (start[credit] + pos).astype(np.int64)
    k = len(credit)
    unknown_credit = rng.random(m) < 0.2
    status = np.full(k, 2, dtype=np.int64)  # "0": no days past due
    dpd = rng.random(k) < late[credit] * 0.35
    level = np.minimum(1 + rng.geometric(0.55, k) - 1, 5)
    status = np.where(dpd, 2 + level, status)
    status = np.where(unknown_credit[credit] | (rng.random(k) < 0.03), 1, status)
    closed_month = np.floor(closed_at / 30.44).astype(np.int64)
    status = np.where(~is_active[credit] & (month > closed_month[credit]), 0, status)
    dpd_months = np.bincount(credit, weights=(status >= 3), minlength=m)
    orphans = np.flatnonzero(with_history & (rng.random(m) < ORPHAN_BALANCE))
    balance = {
        "SK_ID_BUREAU": bureau["SK_ID_BUREAU"][credit],
        "MONTHS_BALANCE": month,
        "STATUS": Cat(status, STATUSES),
        "_orphan_credits": orphans,
    }
    return balance, dpd_months
