"""Orchestrate the synthetic data set: applications, history chunks, the latent target, the files."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from database.schema import kaggle_columns
from database.synthetic.application import application_score, make_applications
from database.synthetic.bureau import make_bureau
from database.synthetic.core import Cat
from database.synthetic.drift import NO_DRIFT, Drift
from database.synthetic.legacy import legacy_refusals, legacy_score, write_through_the_door
from database.synthetic.previous import make_previous
from database.synthetic.target import calibrate_intercept, default_score, history_score
from database.synthetic.writer import TableWriter

TEST_SHARE = 48_744 / 356_255
FIRST_CLIENT_ID = 100_002
FIRST_BUREAU_ID = 5_000_000
FIRST_PREV_ID = 1_000_001
CHUNK_CLIENTS = 25_000
HISTORY_CORRELATION = 0.9  # correlation of the behaviour propensity with the latent riskiness
EXTRA_FILES = ("true_pd.csv", "through_the_door.csv")  # what the loader does not read
APPLICATION_FILES = ("application_train.csv", "application_test.csv")
#: The Kaggle files of the clients' histories and the schema table whose columns each one holds.
CHILD_FILES = {"bureau.csv": "bureau", "bureau_balance.csv": "bureau_balance",
               "previous_application.csv": "previous_application", "POS_CASH_balance.csv": "pos_cash_balance",
               "credit_card_balance.csv": "credit_card_balance", "installments_payments.csv": "installments_payments"}


def header(name: str) -> list[str]:
    """The Kaggle header of a file the generator writes, from the schema (application_test.csv has no TARGET)."""
    columns = kaggle_columns("application" if name in APPLICATION_FILES else CHILD_FILES[name])
    return [c for c in columns if c != "TARGET"] if name == "application_test.csv" else columns


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _rows(data: dict) -> int:
    first = next(iter(data.values()))
    return len(first.codes if isinstance(first, Cat) else first)


def generate(n_clients: int, seed: int, out_dir: Path, test_share: float = TEST_SHARE,
             progress: Callable[[str], None] | None = _stderr, drift: Drift = NO_DRIFT, id_offset: int = 0,
             refused_share: float = 0.0) -> dict:
    """Write the eight Kaggle CSV files and true_pd.csv for n_clients into out_dir; return row counts per file.

    ``drift`` moves the population (database.synthetic.drift); ``id_offset`` is added to every ID.
    ``refused_share`` > 0 writes the through-the-door population: a legacy policy refuses that share of the
    applicants, who stay in application_test.csv without TARGET (database.synthetic.legacy).
    """
    if n_clients < 1:
        raise ValueError(f"--clients must be at least 1, got {n_clients}")
    if not 0 <= test_share < 1:
        raise ValueError(f"--test-share must be in [0, 1), got {test_share}")
    if not 0 <= refused_share < 1:
        raise ValueError(f"--through-the-door must be in [0, 1), got {refused_share}")
    say = progress or (lambda _message: None)
    start = time.perf_counter()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng([seed, 0])
    ids = FIRST_CLIENT_ID + id_offset + np.arange(n_clients, dtype=np.int64)
    risk = rng.standard_normal(n_clients)
    propensity = HISTORY_CORRELATION * risk + np.sqrt(1 - HISTORY_CORRELATION**2) * rng.standard_normal(n_clients)
    is_test = np.zeros(n_clients, dtype=bool)
    is_test[rng.permutation(n_clients)[: int(round(n_clients * test_share))]] = True
    app = make_applications(rng, n_clients, risk, drift)
    app["SK_ID_CURR"] = ids
    years = -app["DAYS_BIRTH"] / 365.25
    hist = np.zeros(n_clients)
    counts = {}
    writers = {name: TableWriter(out_dir / name, header(name), table) for name, table in CHILD_FILES.items()}
    for writer in writers.values():
        writer.__enter__()
    try:
        next_bureau, next_prev = FIRST_BUREAU_ID + id_offset, FIRST_PREV_ID + id_offset
        for chunk, lo in enumerate(range(0, n_clients, CHUNK_CLIENTS)):
            sl = slice(lo, min(lo + CHUNK_CLIENTS, n_clients))
            crng = np.random.default_rng([seed, 1, chunk])
            bureau, balance, b_sum = make_bureau(crng, ids[sl], propensity[sl], next_bureau)
            next_bureau = int(max(bureau["SK_ID_BUREAU"].max(initial=next_bureau - 1),
                                  balance["SK_ID_BUREAU"].max(initial=next_bureau - 1))) + 1
            prev, pos, inst, card, p_sum = make_previous(crng, ids[sl], propensity[sl], next_prev)
            next_prev = int(max(prev["SK_ID_PREV"].max(initial=next_prev - 1),
                                inst["SK_ID_PREV"].max(initial=next_prev - 1),
                                pos["SK_ID_PREV"].max(initial=next_prev - 1),
                                card["SK_ID_PREV"].max(initial=next_prev - 1))) + 1
            hist[sl] = history_score({**b_sum, **p_sum}, years[sl])
            for name, data in zip(CHILD_FILES, [bureau, balance, prev, pos, card, inst], strict=False):
                writers[name].write(data)
            say(f"clients {sl.stop:,}/{n_clients:,}: " +
                ", ".join(f"{name} {w.rows:,}" for name, w in writers.items()))
    finally:
        for writer in writers.values():
            writer.__exit__(None, None, None)
    counts.update({name: w.rows for name, w in writers.items()})
    score = default_score(application_score(app), risk, hist)
    train = ~is_test
    intercept = (calibrate_intercept(score[train]) if train.any() else 0.0) + np.log(drift.default_odds)
    true_pd = 1.0 / (1.0 + np.exp(-(intercept + score)))
    target = (rng.random(n_clients) < true_pd).astype(np.int64)
    applicants = ~is_test
    legacy = legacy_score(np.random.default_rng([seed, 2]), score)  # its own stream: other files are unchanged
    refused = legacy_refusals(legacy, applicants, refused_share)
    train = applicants & ~refused
    is_test = is_test | refused
    for name, rows, with_target in zip(APPLICATION_FILES, (train, is_test), (True, False), strict=True):
        part = {k: (v.take(np.flatnonzero(rows)) if isinstance(v, Cat) else v[rows]) for k, v in app.items()}
        if with_target:
            part["TARGET"] = target[rows]
        with TableWriter(out_dir / name, header(name), "application") as writer:
            writer.write(part)
        counts[name] = writer.rows
        say(f"{name}: {writer.rows:,} rows")
    with open(out_dir / "true_pd.csv", "w", encoding="utf-8") as handle:
        handle.write("SK_ID_CURR,TRUE_PD\n")
        handle.write("".join(f"{i},{p:.6f}\n" for i, p in zip(ids.tolist(), true_pd.tolist(), strict=False)))
    counts["true_pd.csv"] = n_clients
    if refused_share > 0:
        counts["through_the_door.csv"] = write_through_the_door(out_dir / "through_the_door.csv", ids, applicants,
                                                                legacy, refused, true_pd, target)
        say(f"through the door: {applicants.sum():,} applicants, {refused.sum():,} refused by the legacy policy "
            f"(their outcome is kept only in through_the_door.csv)")
    rate = target[train].mean() if train.any() else float("nan")
    say(f"done: {n_clients:,} clients ({train.sum():,} train, {is_test.sum():,} test), default rate {rate:.2%}, "
        f"{sum(v for k, v in counts.items() if k not in EXTRA_FILES):,} rows in {time.perf_counter() - start:.1f} s "
        f"-> {out_dir}")
    return counts
