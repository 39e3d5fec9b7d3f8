"""Synthetic previous Home Credit applications and their monthly histories (POS, card, installments)."""

from __future__ import annotations

import numpy as np
from scipy.special import logit

from database.synthetic.core import (
    SENTINEL,
    Cat,
    draw_cat,
    draw_num,
    expand,
    from_quantiles,
    group_sum,
    sigmoid,
)
from database.synthetic.parameters import fitted

HAS_PREVIOUS = 0.951      # share of clients with at least one previous application (full Kaggle data)
EXTRA_PREVIOUS = 3.93     # mean number of previous applications beyond the first
STATUS_SHARES = {"Approved": 0.621, "Canceled": 0.189, "Refused": 0.174, "Unused offer": 0.016}
ORPHAN_PREVIOUS = 0.0003  # share of approved loans whose previous_application row is absent
PARTIAL_PAYMENT = 0.08    # share of instalments paid in two rows
CARD_AGE_POWER = 1.4      # skews the decision date of revolving loans towards older ones
POS_SKIP = 0.2            # POS_CASH_balance drops up to this share of a loan's first months
YIELD_RATES = {"low_action": 0.05, "low_normal": 0.12, "middle": 0.2, "high": 0.32, "XNA": 0.2}


def _core_table() -> tuple[list[list[str]], np.ndarray, list[np.ndarray]]:
    """Vocabularies and code matrix of the joint (type, status, reject reason, portfolio...) combinations."""
    core = fitted().prev_core
    columns = list(zip(*core["rows"], strict=False))
    vocabs = [sorted(set(col)) for col in columns]
    codes = np.array([[vocab.index(v) for v in col] for vocab, col in zip(vocabs, columns, strict=False)]).T
    return vocabs, codes, np.asarray(core["counts"], dtype=float)


def make_previous(rng: np.random.Generator, sk_id_curr: np.ndarray, propensity: np.ndarray,
                  first_id: int) -> tuple[dict, dict, dict, dict, dict]:
    """previous_application, POS_CASH_balance, installments_payments, credit_card_balance rows and summaries."""
    n = len(sk_id_curr)
    counts = (rng.random(n) < HAS_PREVIOUS) * (1 + rng.negative_binomial(1.2, 1.2 / (1.2 + EXTRA_PREVIOUS), n))
    owner, _ = expand(counts)
    m = len(owner)
    h = propensity[owner]
    p_refused = sigmoid(logit(STATUS_SHARES["Refused"]) - 0.45 + 1.0 * h)
    refused = rng.random(m) < p_refused
    other = draw_cat(rng, {k: v for k, v in STATUS_SHARES.items() if k != "Refused"}, m)
    status_name = np.where(refused, "Refused", other.values())
    fit = fitted()
    vocabs, codes, weights = _core_table()
    status_col = fit.prev_core["columns"].index("NAME_CONTRACT_STATUS")
    pick = np.zeros(m, dtype=np.int64)
    for s in STATUS_SHARES:
        rows = np.flatnonzero(np.array(vocabs[status_col])[codes[:, status_col]] == s)
        target = np.flatnonzero(status_name == s)
        p = weights[rows] / weights[rows].sum()
        pick[target] = rows[np.searchsorted(np.cumsum(p), rng.random(len(target)) * (1 - 1e-12), side="right")]
    prev = {name: Cat(codes[pick, j], vocabs[j]) for j, name in enumerate(fit.prev_core["columns"])}
    ctype = prev["NAME_CONTRACT_TYPE"]
    approved = prev["NAME_CONTRACT_STATUS"].isin(["Approved"])
    for column in fit.prev_by_type["Cash loans"]:
        vocab = sorted({k for t in fit.prev_by_type.values() for k in t[column] if k})
        out = np.full(m, -1, dtype=np.int64)
        for t, params in fit.prev_by_type.items():
            rows = np.flatnonzero(ctype.isin([t]))
            drawn = draw_cat(rng, params[column], len(rows))
            out[rows] = np.array([vocab.index(v) for v in drawn.vocab] + [-1])[drawn.codes]
        prev[column] = Cat(out, vocab)
    _amounts(rng, prev, ctype, m)
    app = fit.app_categories
    prev["WEEKDAY_APPR_PROCESS_START"] = draw_cat(rng, app["WEEKDAY_APPR_PROCESS_START"], m)
    prev["HOUR_APPR_PROCESS_START"] = draw_num(rng, app["HOUR_APPR_PROCESS_START"], m).astype(np.int64)
    prev["NFLAG_LAST_APPL_IN_DAY"] = (rng.random(m) < 0.9965).astype(np.int64)
    prev["SELLERPLACE_AREA"] = np.round(from_quantiles(fit.prev_quantiles["SELLERPLACE_AREA"], rng.random(m))).astype(np.int64)
    # Revolving loans are decided earlier on average, so card histories are as long as Kaggle's (~37 months).
    decision_u = rng.random(m) ** np.where(ctype.isin(["Revolving loans"]), CARD_AGE_POWER, 1.0)
    decision = np.round(from_quantiles(fit.prev_quantiles["DAYS_DECISION"], decision_u))
    prev["DAYS_DECISION"] = decision.astype(np.int64)
    prev["SK_ID_CURR"] = sk_id_curr[owner]
    prev["SK_ID_PREV"] = first_id + np.arange(m, dtype=np.int64)
    loan = approved & ~ctype.isin(["XNA"])
    _dates(rng, prev, loan, ctype, decision, m)
    q_loan = sigmoid(-2.7 + 1.35 * h + 0.6 * rng.standard_normal(m))
    revolving = ctype.isin(["Revolving loans"])
    first_due = prev["DAYS_FIRST_DUE"]
    has_history = loan & np.where(revolving, decision < -30, np.nan_to_num(first_due, nan=1.0) < 0)
    installments, pos, inst_summary = _instalments(rng, prev, np.flatnonzero(has_history & ~revolving), q_loan)
    cards, card_payments, card_summary = _cards(rng, prev, np.flatnonzero(has_history & revolving), h, q_loan)
    installments = {k: np.concatenate([v, card_payments[k]]) for k, v in installments.items()}
    keep = ~(has_history & (rng.random(m) < ORPHAN_PREVIOUS))
    summary = {
        "prev_count": counts.astype(float),
        "prev_refused": group_sum(owner, prev["NAME_CONTRACT_STATUS"].isin(["Refused"]), n),
    }
    for key, (rows_owner, values) in [*inst_summary.items(), *card_summary.items()]:
        summary[key] = summary.get(key, 0.0) + group_sum(owner[rows_owner], values, n)
    if not keep.all():
        prev = {k: (v.take(np.flatnonzero(keep)) if isinstance(v, Cat) else v[keep]) for k, v in prev.items()}
    return prev, pos, installments, cards, summary


def _amounts(rng, prev: dict, ctype: Cat, m: int) -> None:
    """Applied and granted amounts, term, annuity, down payment and rates by contract type."""
    q = fitted().prev_quantiles
    application = np.zeros(m)
    ratio = np.ones(m)
    term = np.full(m, np.nan)
    rate_down = np.full(m, np.nan)
    steps = {"Cash loans": 4500.0, "Consumer loans": 0.5, "Revolving loans": 22500.0}
    for t, step in steps.items():
        rows = np.flatnonzero(ctype.isin([t]))
        k = len(rows)
        application[rows] = np.maximum(np.round(from_quantiles(q[t]["AMT_APPLICATION"], rng.random(k)) / step), 1) * step
        ratio[rows] = from_quantiles(q[t]["CREDIT_TO_APPLICATION"], rng.random(k))
        term[rows] = draw_num(rng, q[t]["CNT_PAYMENT"], k)
        has_down = rng.random(k) < q[t]["HAS_DOWN_PAYMENT"]
        rate_down[rows] = np.where(has_down, from_quantiles(q[t]["RATE_DOWN_PAYMENT"], rng.random(k)), np.nan)
    cash = ctype.isin(["Cash loans"])
    revolving = ctype.isin(["Revolving loans"])
    zero = ctype.isin(["XNA"]) | (cash & ~prev["NAME_CONTRACT_STATUS"].isin(["Approved"]) & (rng.random(m) < 0.55))
    application[zero] = 0.0
    ratio = np.where(revolving, 1.0, ratio)
    credit = np.round(application * ratio, 1)
    term[zero] = np.nan
    yield_rate = np.array([YIELD_RATES.get(v, 0.2) for v in prev["NAME_YIELD_GROUP"].vocab])
    rate = yield_rate[prev["NAME_YIELD_GROUP"].codes]
    annuity = np.where(term > 0, credit * (1 + rate * term / 12) / np.maximum(term, 1), credit * 0.05)
    annuity = np.where(zero, np.nan, np.round(annuity, 3))
    prev["AMT_APPLICATION"] = application
    prev["AMT_CREDIT"] = credit
    prev["AMT_ANNUITY"] = annuity
    prev["AMT_GOODS_PRICE"] = np.where(zero | (revolving & (rng.random(m) < 0.5)), np.nan, application)
    prev["RATE_DOWN_PAYMENT"] = np.where(zero, np.nan, rate_down)
    prev["AMT_DOWN_PAYMENT"] = np.where(np.isnan(prev["RATE_DOWN_PAYMENT"]), np.nan,
                                        np.round(application * np.nan_to_num(rate_down) / 2, 1))
    primary = rng.random(m) < 0.0036
    prev["RATE_INTEREST_PRIMARY"] = np.where(primary, np.round(rng.uniform(0.03, 0.2, m), 6), np.nan)
    prev["RATE_INTEREST_PRIVILEGED"] = np.where(primary, np.round(rng.uniform(0.37, 1.0, m), 6), np.nan)
    prev["CNT_PAYMENT"] = term


def _dates(rng, prev: dict, loan: np.ndarray, ctype: Cat, decision: np.ndarray, m: int) -> None:
    """Drawing and due dates of approved loans, with Kaggle's 365243 for 'not happened'."""
    revolving = ctype.isin(["Revolving loans"])
    term = np.nan_to_num(prev["CNT_PAYMENT"], nan=12.0)
    first_due = decision + np.round(rng.uniform(10, 40, m))
    last_due_1st = first_due + 30 * np.maximum(term - 1, 0)
    prepaid = rng.random(m) < 0.2
    last_due = np.where(prepaid, first_due + np.round((last_due_1st - first_due) * rng.random(m)), last_due_1st)
    finished = last_due < 0
    drawing = np.where(revolving, decision + np.round(rng.exponential(60, m)), SENTINEL)
    nan = np.full(m, np.nan)
    prev["DAYS_FIRST_DRAWING"] = np.where(loan, np.minimum(drawing, SENTINEL), nan)
    prev["DAYS_FIRST_DUE"] = np.where(loan, np.where(revolving & (rng.random(m) < 0.5), SENTINEL, first_due), nan)
    prev["DAYS_LAST_DUE_1ST_VERSION"] = np.where(loan, np.where(revolving, SENTINEL, last_due_1st), nan)
    prev["DAYS_LAST_DUE"] = np.where(loan, np.where(finished & ~revolving, last_due, SENTINEL), nan)
    prev["DAYS_TERMINATION"] = np.where(loan, np.where(finished & ~revolving, last_due + np.round(rng.uniform(0, 8, m)),
                                                       SENTINEL), nan)
    prev["NFLAG_INSURED_ON_APPROVAL"] = np.where(loan, (rng.random(m) < 0.33).astype(float), nan)


def _instalments(rng, prev: dict, loans: np.ndarray, q_loan: np.ndarray):
    """installments_payments and POS_CASH_balance rows of approved instalment loans."""
    term = np.maximum(np.nan_to_num(prev["CNT_PAYMENT"][loans], nan=12.0), 1).astype(np.int64)
    first_due = prev["DAYS_FIRST_DUE"][loans]
    last_due = prev["DAYS_LAST_DUE"][loans]
    paid_term = np.where(last_due < SENTINEL, np.round((last_due - first_due) / 30) + 1, term).astype(np.int64)
    n_due = np.minimum(np.minimum(np.floor(-first_due / 30) + 1, paid_term), 96).astype(np.int64)
    loan, k = expand(n_due)
    r = len(loan)
    q = q_loan[loans][loan]
    due = first_due[loan] + 30 * k
    annuity = np.nan_to_num(prev["AMT_ANNUITY"][loans], nan=0.0)[loan]
    late = rng.random(r) < q
    days_late = np.where(late, np.ceil(rng.exponential(4 + 25 * q, r)), -np.floor(rng.exponential(6, r)))
    short = rng.random(r) < q * 0.3
    paid = np.where(short, np.round(annuity * rng.uniform(0.05, 0.95, r), 3), annuity)
    split = rng.random(r) < PARTIAL_PAYMENT
    row_of, part = expand(1 + split)
    share = np.where(split[row_of], np.where(part == 0, rng.uniform(0.2, 0.8, len(row_of)), 0), 1.0)
    share = np.where(split[row_of] & (part == 1), 1 - np.roll(share, 1), share)
    entry = due[row_of] + days_late[row_of] - np.where(split[row_of] & (part == 0), np.ceil(rng.exponential(5, len(row_of))), 0)
    unpaid = (due[row_of] > -60) & late[row_of] & (rng.random(len(row_of)) < 0.3 * q[row_of])
    version = np.where(k[row_of] == n_due[loan[row_of]] - 1, np.where(rng.random(len(row_of)) < 0.1, 2.0, 1.0), 1.0)
    ids = prev["SK_ID_PREV"][loans][loan[row_of]]
    installments = {
        "SK_ID_PREV": ids,
        "SK_ID_CURR": prev["SK_ID_CURR"][loans][loan[row_of]],
        "NUM_INSTALMENT_VERSION": version,
        "NUM_INSTALMENT_NUMBER": (k[row_of] + 1).astype(np.int64),
        "DAYS_INSTALMENT": due[row_of],
        "DAYS_ENTRY_PAYMENT": np.where(unpaid, np.nan, np.minimum(entry, -1)),
        "AMT_INSTALMENT": annuity[row_of],
        "AMT_PAYMENT": np.where(unpaid, np.nan, np.round(paid[row_of] * share, 3)),
    }
    # POS_CASH_balance: one row per month from the first due month, a "Completed" row when the loan ends.
    # Months run from the first due month up to -1 at most, so (SK_ID_PREV, MONTHS_BALANCE) stays unique.
    completed = last_due < 0
    start_month = np.floor(first_due / 30.44).astype(np.int64)
    n_months = np.maximum(np.minimum(np.minimum(n_due + completed, -start_month), 96), 0)
    skip = np.floor(n_months * rng.uniform(0, POS_SKIP, len(loans))).astype(np.int64)  # history starts late
    ploan, pk = expand(n_months - skip)
    pk = pk + skip[ploan]
    p = len(ploan)
    months = start_month[ploan] + pk
    future = np.maximum(term[ploan] - pk - 1, 0).astype(float)
    done = completed[ploan] & (pk == n_months[ploan] - 1)
    status = np.where(done, 1, np.where((pk == 0) & (rng.random(p) < 0.02), 2, 0))
    dpd_row = rng.random(p) < q_loan[loans][ploan] * 0.25
    dpd = np.where(dpd_row & ~done, np.ceil(rng.exponential(3 + 30 * q_loan[loans][ploan], p)), 0).astype(np.int64)
    pos = {
        "SK_ID_PREV": prev["SK_ID_PREV"][loans][ploan],
        "SK_ID_CURR": prev["SK_ID_CURR"][loans][ploan],
        "MONTHS_BALANCE": months,
        "CNT_INSTALMENT": term[ploan].astype(float),
        "CNT_INSTALMENT_FUTURE": np.where(done, 0.0, future),
        "NAME_CONTRACT_STATUS": Cat(status, ["Active", "Completed", "Signed"]),
        "SK_DPD": dpd,
        "SK_DPD_DEF": np.where(dpd > 10, dpd, 0).astype(np.int64),
    }
    late_rows = np.maximum(installments["DAYS_ENTRY_PAYMENT"] - installments["DAYS_INSTALMENT"], 0)
    owner_rows = loans[loan[row_of]]
    summary = {
        "inst_count": (loans[loan], np.ones(r)),
        "inst_late": (loans[loan], late.astype(float)),
        "inst_late_days": (owner_rows, np.nan_to_num(late_rows)),
        "inst_short": (loans[loan], short.astype(float)),
        "pos_dpd": (loans[ploan], (dpd > 0).astype(float)),
        "pos_count": (loans[ploan], np.ones(p)),
    }
    return installments, pos, summary


def _cards(rng, prev: dict, loans: np.ndarray, h: np.ndarray, q_loan: np.ndarray):
    """credit_card_balance rows of approved revolving loans and their installments_payments rows."""
    start = np.floor(prev["DAYS_DECISION"][loans] / 30.44).astype(np.int64) + 1
    n_months = np.minimum(-start, 96)
    card, k = expand(n_months)
    r = len(card)
    months = (-n_months[card] + k).astype(np.int64)
    limit = draw_num(rng, fitted().card_limits, len(loans))
    dormant = rng.random(len(loans)) < 0.3
    base = sigmoid(-1.0 + 1.4 * h[loans] + 0.6 * rng.standard_normal(len(loans))) * ~dormant
    util = np.clip(base[card] + 0.12 * rng.standard_normal(r) * (base[card] > 0), 0, 1.1)
    lim = limit[card]
    balance = np.round(lim * util, 3)
    atm = np.where(rng.random(r) < 0.3 * (util > 0), np.round(lim * rng.uniform(0, 0.2, r) / 4500) * 4500, 0.0)
    pos_draw = np.where(rng.random(r) < 0.4 * (util > 0), np.round(lim * rng.uniform(0, 0.1, r), 2), 0.0)
    minimum = np.round(balance * 0.05, 3)
    q = q_loan[loans][card]
    pays = rng.random(r) > q * 0.6
    payment = np.where(pays, np.round(minimum * rng.uniform(1, 3, r), 3), np.round(minimum * rng.uniform(0, 0.5, r), 3))
    dpd = np.where(~pays & (balance > 0), np.ceil(rng.exponential(10 + 40 * q, r)), 0).astype(np.int64)
    draw_missing = rng.random(r) < 0.2
    cnt_atm = np.where(atm > 0, 1 + rng.poisson(0.5, r), 0).astype(float)
    cnt_pos = np.where(pos_draw > 0, 1 + rng.poisson(2, r), 0).astype(float)
    cards = {
        "SK_ID_PREV": prev["SK_ID_PREV"][loans][card],
        "SK_ID_CURR": prev["SK_ID_CURR"][loans][card],
        "MONTHS_BALANCE": months,
        "AMT_BALANCE": balance,
        "AMT_CREDIT_LIMIT_ACTUAL": lim.astype(np.int64),
        "AMT_DRAWINGS_ATM_CURRENT": np.where(draw_missing, np.nan, atm),
        "AMT_DRAWINGS_CURRENT": atm + pos_draw,
        "AMT_DRAWINGS_OTHER_CURRENT": np.where(draw_missing, np.nan, 0.0),
        "AMT_DRAWINGS_POS_CURRENT": np.where(draw_missing, np.nan, pos_draw),
        "AMT_INST_MIN_REGULARITY": minimum,
        "AMT_PAYMENT_CURRENT": np.where(draw_missing & (payment == 0), np.nan, payment),
        "AMT_PAYMENT_TOTAL_CURRENT": payment,
        "AMT_RECEIVABLE_PRINCIPAL": np.round(balance * 0.97, 3),
        "AMT_RECIVABLE": balance,
        "AMT_TOTAL_RECEIVABLE": balance,
        "CNT_DRAWINGS_ATM_CURRENT": np.where(draw_missing, np.nan, cnt_atm),
        "CNT_DRAWINGS_CURRENT": (cnt_atm + cnt_pos).astype(np.int64),
        "CNT_DRAWINGS_OTHER_CURRENT": np.where(draw_missing, np.nan, 0.0),
        "CNT_DRAWINGS_POS_CURRENT": np.where(draw_missing, np.nan, cnt_pos),
        "CNT_INSTALMENT_MATURE_CUM": np.where(draw_missing, np.nan, k.astype(float)),
        "NAME_CONTRACT_STATUS": Cat(np.zeros(r, dtype=np.int64), ["Active", "Completed"]),
        "SK_DPD": dpd,
        "SK_DPD_DEF": np.where(dpd > 30, dpd, 0).astype(np.int64),
    }
    # installments_payments also records card repayments: version 0, one row per month with a payment.
    paid = np.flatnonzero(payment > 0)
    before = np.concatenate([[0], np.cumsum(payment > 0)])[np.cumsum(n_months) - n_months]
    due = np.minimum(np.floor(months[paid] * 30.44) + rng.integers(0, 30, len(paid)), -1)
    late_days = np.where(pays[paid], 0, np.ceil(rng.exponential(5 + 30 * q[paid])))
    card_payments = {
        "SK_ID_PREV": cards["SK_ID_PREV"][paid],
        "SK_ID_CURR": cards["SK_ID_CURR"][paid],
        "NUM_INSTALMENT_VERSION": np.zeros(len(paid)),
        "NUM_INSTALMENT_NUMBER": (np.cumsum(payment > 0)[paid] - before[card[paid]]).astype(np.int64),
        "DAYS_INSTALMENT": due,
        "DAYS_ENTRY_PAYMENT": np.minimum(due + late_days, -1),
        "AMT_INSTALMENT": np.where(pays[paid], payment[paid], minimum[paid]),
        "AMT_PAYMENT": payment[paid],
    }
    summary = {
        "card_months": (loans[card], np.ones(r)),
        "card_util": (loans[card], util),
        "card_dpd": (loans[card], (dpd > 0).astype(float)),
        "inst_count": (loans[card[paid]], np.ones(len(paid))),
        "inst_late": (loans[card[paid]], (~pays[paid]).astype(float)),
        "inst_late_days": (loans[card[paid]], late_days),
        "inst_short": (loans[card[paid]], (~pays[paid]).astype(float)),
    }
    return cards, card_payments, summary
