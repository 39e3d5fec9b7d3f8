"""Benchmark of the columnar feature path against the numpy one, side by side on the same database and machine.

Writes its section of docs/performance.md (between ``<!-- bench:columnar -->`` markers). Each measure runs in
its own process (peak memory = that process's maximum resident set size), on every client of a loaded
SQLite or PostgreSQL database, with the category lists fitted on its first 5,000 clients:

1. the floor: reading the seven tables alone, by the old read (SQLAlchemy rows to pandas, ``load_tables``)
   and by the new one (ADBC to Arrow, ``load_arrow``);
2. features of every client: old read + numpy code (``FeatureBuilder.reference_transform``) against new
   read + Polars query (``FeatureBuilder.transform``);
3. one client's features (the online path's step), numpy code against one Polars query, p50 over 50 clients.

    .venv/bin/python bench/columnar.py --database sqlite:///data/bench/bank.db [--no-write]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.performance_doc import machine, write_section  # noqa: E402

STAGES = {
    "read_old": "read the seven tables alone, old read (SQLAlchemy rows to pandas)",
    "read_new": "read the seven tables alone, new read (ADBC to Arrow)",
    "features_old": "features of every client: old read + numpy code",
    "features_new": "features of every client: Arrow read + Polars query",
    "one_client": "one client's features from its rows (p50 of 20 clients)",
}
#: With --model: `predict --store` without its monitoring, the old flow against the chunked one.
STORE_STAGES = {
    "store_old": "`predict --store`, old flow: every client's features at once (old read + numpy code), then "
                 "scored, explained and written",
    "store_new": "`predict --store`, new flow: read, features (Arrow + Polars), scores and SHAP by chunks of "
                 "20,000 clients, then written",
}
FIT_CLIENTS = 5_000


def _say(message: str) -> None:
    print(f"[bench columnar] {message}", file=sys.stderr, flush=True)


def _builder(engine):
    """A FeatureBuilder fitted on the first clients (category lists only), the same in every process."""
    from sqlalchemy import select

    from database.schema import table
    from modeling.data import load_tables
    from modeling.features import FeatureBuilder

    app = table("application")
    with engine.connect() as connection:
        ids = list(connection.execute(select(app.c.sk_id_curr).order_by(app.c.sk_id_curr).limit(FIT_CLIENTS))
                   .scalars())
    return FeatureBuilder().fit(load_tables(engine, ids)), ids


def _store_work(name: str, engine, model: str):
    """The work of a store stage: the number of clients written."""
    from modeling.artifact import load_bundle
    from modeling.data import load_tables
    from modeling.scorer import Scorer
    from modeling.store import latest_load_run, replace_scores, score_in_chunks, write_scores

    scorer = Scorer(load_bundle(Path(model)), engine)

    def old() -> int:
        with engine.connect() as connection:
            run_id = latest_load_run(connection)
        features = scorer.bundle.features.reference_transform(load_tables(engine))
        return write_scores(scorer, features.reindex(columns=scorer.bundle.feature_names), run_id).clients

    def new() -> int:
        started = time.perf_counter()
        batch = score_in_chunks(scorer, explain=True)
        return replace_scores(engine, scorer.bundle, batch.parts, batch.load_run_id, started).clients

    return old if name == "store_old" else new


def stage(name: str, url: str, model: str | None = None) -> dict:
    """Run one measure in this process: wall and CPU seconds, clients, peak RSS."""
    import numpy as np

    from database.config import get_engine
    from modeling.data import load_arrow, load_clients, load_tables
    from modeling.features.columnar import build

    engine = get_engine(url)
    if name in STORE_STAGES:
        return _timed(_store_work(name, engine, model))
    builder, ids = _builder(engine)
    work = {
        "read_old": lambda: len(load_tables(engine)["application"]),
        "read_new": lambda: load_arrow(engine)["application"].num_rows,
        "features_old": lambda: len(builder.reference_transform(load_tables(engine))),
        "features_new": lambda: len(builder.transform(load_arrow(engine))),
    }
    if name == "one_client":
        times = {"numpy": [], "polars": []}
        for client in ids[:20]:
            tables = load_clients(engine, [client])
            for kind, run in (("numpy", builder.reference_transform),
                              ("polars", lambda t: build(t, builder.categories_, list(builder.feature_names_out_)))):
                started = time.perf_counter()
                run(tables)
                times[kind].append(time.perf_counter() - started)
        return {key: float(np.median(values)) for key, values in times.items()}
    return _timed(work[name])


def _timed(work) -> dict:
    """Wall and CPU seconds of ``work()``, its result as the clients, and this process's peak RSS."""
    started, cpu = time.perf_counter(), time.process_time()
    clients = work()
    return {"wall": time.perf_counter() - started, "cpu": time.process_time() - cpu, "clients": clients,
            "peak_gib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 ** 2}


def measure(name: str, url: str, nice: int, model: str | None) -> dict:
    """``stage`` in a fresh process (its own peak memory)."""
    command = [sys.executable, __file__, "--stage", name, "--database", url, *(["--model", model] if model else [])]
    load = os.getloadavg()[0]
    done = subprocess.run(["nice", "-n", str(nice), *command], cwd=REPO, check=True, capture_output=True, text=True,
                          env={**os.environ, "OMP_NUM_THREADS": "2"})
    result = {**json.loads(done.stdout.strip().splitlines()[-1]), "load": load}
    _say(f"{name}: {result}")
    return result


def main(argv: list[str] | None = None) -> int:
    """Measure every stage in its own process and write the section."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", required=True, help="SQLAlchemy URL of a loaded database")
    parser.add_argument("--stage", choices=sorted({**STAGES, **STORE_STAGES}), help=argparse.SUPPRESS)
    parser.add_argument("--model", default=None,
                        help="model folder: measure `predict --store` (old and new flow) instead of the features")
    parser.add_argument("--nice", type=int, default=10, help="niceness of the measured processes (default 10)")
    parser.add_argument("--no-write", action="store_true", help="print the section, do not write docs/performance.md")
    args = parser.parse_args(argv)
    if args.stage:
        print(json.dumps(stage(args.stage, args.database, args.model)))
        return 0
    if args.model:
        return store_section(args)
    load_before = os.getloadavg()
    results = {name: measure(name, args.database, args.nice, None) for name in STAGES}
    load_after = os.getloadavg()
    clients = results["features_new"]["clients"]
    engine = args.database.split(":", 1)[0].split("+")[0]

    def row(name: str) -> str:
        r = results[name]
        return f"| {STAGES[name]} | {r['load']:.1f} | {r['wall']:.1f} s | {r['cpu']:.1f} s | {r['peak_gib']:.2f} GiB |"

    old, new = results["features_old"], results["features_new"]
    one = results["one_client"]
    body = f"""<!-- bench:columnar -->
## Columnar features (`bench/columnar.py`)

Machine: {machine()}. Load average (1/5/15 min) at the start / end: {'/'.join(f'{x:.1f}' for x in load_before)} / {'/'.join(f'{x:.1f}' for x in load_after)} (other work shares the 2 cores: wall times grow with it, CPU times much less). Measured {time.strftime('%Y-%m-%d %H:%M')} UTC, each row in its own process at niceness {args.nice}.

Every client of a {engine} database of {clients:,} synthetic clients; category lists fitted on its first {FIT_CLIENTS:,} clients.
The two paths give the same table (tests/modeling/test_columnar.py: every value to 1e-6 relative, the served
probabilities to 1e-9).

| measure, {clients:,} clients | load average at its start | wall | CPU | peak RSS of the process |
| --- | --- | --- | --- | --- |
{row('read_old')}
{row('read_new')}
{row('features_old')}
{row('features_new')}

Features of every client: {old['cpu'] / new['cpu']:.1f}× less CPU time and {new['peak_gib'] / old['peak_gib']:.2f}× the memory of the
numpy path (CPU {old['cpu']:.1f} s → {new['cpu']:.1f} s, peak {old['peak_gib']:.2f} → {new['peak_gib']:.2f} GiB). The wall times are
only comparable between rows measured at the same load average (the machine is shared); CPU times much more so.

One client's features from its rows already read (the online path's step): numpy code {one['numpy'] * 1000:.1f} ms,
one Polars query {one['polars'] * 1000:.1f} ms (p50 of 20 clients). A Polars query has a fixed cost of planning and
running some 700 expressions and 15 joins, which a few rows never repay: `FeatureBuilder.transform` keeps the numpy
code up to {_few_clients()} applications (the API's and the dashboard's reads of one client) and runs the Polars
query above that (training, batch, partitions, monitoring).
<!-- /bench:columnar -->"""
    print(body)
    if not args.no_write:
        write_section("columnar", body)
    return 0


def store_section(args) -> int:
    """Measure the two `predict --store` flows and write their section."""
    load_before = os.getloadavg()
    results = {name: measure(name, args.database, args.nice, args.model) for name in STORE_STAGES}
    load_after = os.getloadavg()
    rows = [f"| {STORE_STAGES[n]} | {r['wall']:.1f} s | {r['cpu']:.1f} s | {r['peak_gib']:.2f} GiB |"
            for n, r in results.items()]
    clients = results["store_new"]["clients"]
    body = f"""<!-- bench:columnar-store -->
## Batch scores by chunks (`bench/columnar.py --model`)

Machine: {machine()}. Load average (1/5/15 min) at the start / end: {'/'.join(f'{x:.1f}' for x in load_before)} / {'/'.join(f'{x:.1f}' for x in load_after)}. Measured {time.strftime('%Y-%m-%d %H:%M')} UTC, each row in its own process at niceness {args.nice}.

`predict --store` (monitoring left out) over the {clients:,} clients of the same database, with the test bank's
small model (its category lists and its champion, a WoE scorecard, whose contributions stand for SHAP here):
the old flow held every client's tables and features until the
write; the new one holds one chunk's (tests/modeling/test_store.py proves both store the same rows).

| flow, {clients:,} clients | wall | CPU | peak RSS of the process |
| --- | --- | --- | --- |
{chr(10).join(rows)}
<!-- /bench:columnar-store -->"""
    print(body)
    if not args.no_write:
        write_section("columnar-store", body)
    return 0


def _few_clients() -> int:
    from modeling.features.builder import FEW_CLIENTS

    return FEW_CLIENTS


if __name__ == "__main__":
    sys.exit(main())
