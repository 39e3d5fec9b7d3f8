"""Benchmark of the batch on Dask: `predict --store` in one process against `--engine dask` with 1 and 2 workers,
then the dashboard's start from the score store, at N clients and at a multiple of N.

Writes its section of docs/performance.md (between ``<!-- bench:dask-batch -->`` markers). For each size:

1. a SQLite database of the size: the --database copied, its clients replicated under new IDs (every table's
   SK_ID_CURR, SK_ID_BUREAU and SK_ID_PREV shifted) up to the size;
2. `python -m modeling predict --store --no-monitor` timed for each engine, with the peak resident memory of
   the command's process and of its largest Dask worker process (sampled every 0.2 s);
3. `bokeh serve bokeh_app` over the scored database: seconds to the first page, and the server's memory then.

    .venv/bin/python bench/dask_batch.py --database data/bench.db --model models/latest --sizes 38069,152276
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.dashboard import server_start  # noqa: E402
from bench.performance_doc import machine, write_section  # noqa: E402

ID_SHIFT = 10_000_000  # new IDs of copy k: old + k * ID_SHIFT (Home Credit IDs stay below 500,000)
ENGINES = (("single process", ()), ("Dask, 1 worker", ("--engine", "dask", "--workers", "1")),
           ("Dask, 2 workers", ("--engine", "dask", "--workers", "2")))
FULL_SIZES = (356_255, 1_425_020)  # Home Credit's clients, and 4 times as many
SHIFTED = ("sk_id_curr", "sk_id_bureau", "sk_id_prev")
TABLES = ("application", "bureau", "bureau_balance", "previous_application", "pos_cash_balance",
          "credit_card_balance", "installments_payments")


def _say(message: str) -> None:
    print(f"[bench dask-batch] {message}", file=sys.stderr, flush=True)


def replicate(source: Path, target: Path, clients: int) -> int:
    """``target``: a copy of the SQLite file ``source`` whose clients are repeated (new IDs) up to ``clients``."""
    shutil.copyfile(source, target)
    with sqlite3.connect(target) as db:
        ids = [r[0] for r in db.execute("SELECT sk_id_curr FROM application ORDER BY sk_id_curr")]
        copy = 1
        while len(ids) * copy < clients:
            last = ids[min(clients - len(ids) * copy, len(ids)) - 1]
            for name in TABLES:
                columns = [r[1] for r in db.execute(f"PRAGMA table_info({name})") if r[1] != "id"]
                values = [f"{c} + {copy * ID_SHIFT}" if c in SHIFTED else c for c in columns]
                original = f"sk_id_curr < {ID_SHIFT} AND sk_id_curr <= ?"  # the first copy's clients up to last
                owner = (f"sk_id_bureau IN (SELECT sk_id_bureau FROM bureau WHERE {original})"
                         if name == "bureau_balance" else original)
                db.execute(f"INSERT INTO {name} ({', '.join(columns)}) SELECT {', '.join(values)} FROM {name} "
                           f"WHERE {owner}", (last,))
            copy += 1
        db.execute("DELETE FROM client_score")
        return db.execute("SELECT count(*) FROM application").fetchone()[0]


def measured(command: list[str], env: dict) -> tuple[float, float, float, str]:
    """Seconds, peak RSS (GiB) of the process and of its largest child process, and the last output line."""
    started = time.perf_counter()
    with tempfile.TemporaryFile("w+") as output:
        proc = subprocess.Popen(command, cwd=REPO, env=env, stdout=output, stderr=subprocess.STDOUT, text=True)
        main, peak_main, peak_child = psutil.Process(proc.pid), 0, 0
        while proc.poll() is None:
            try:
                peak_main = max(peak_main, main.memory_info().rss)
                for child in main.children(recursive=True):
                    peak_child = max(peak_child, child.memory_info().rss)
            except psutil.Error:
                pass
            time.sleep(0.2)
        seconds = time.perf_counter() - started
        output.seek(0)
        lines = output.read().splitlines()
    if proc.returncode:
        raise RuntimeError(f"{' '.join(command)} failed: {lines[-1] if lines else proc.returncode}")
    return seconds, peak_main / 2 ** 30, peak_child / 2 ** 30, lines[-1] if lines else ""


def run_size(database: Path, model: Path, clients: int, work: Path) -> dict:
    """Every engine's figures and the dashboard's start at one size."""
    path = work / f"bank-{clients}.db"
    made = replicate(database, path, clients)
    _say(f"{made:,} clients in {path}")
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{path}", "MODEL_PATH": str(model), "OMP_NUM_THREADS": "1"}
    row = {"clients": made}
    for name, args in ENGINES:
        command = [sys.executable, "-m", "modeling", "predict", "--store", "--no-monitor", "--model", str(model), *args]
        seconds, main, child, last = measured(command, env)
        row[name] = (seconds, main, child)
        _say(f"{made:,} clients, {name}: {seconds:.0f} s, peak {main:.2f} GiB (largest worker {child:.2f} GiB); {last}")
    row["dashboard"] = server_start(env=env)
    _say(f"{made:,} clients, dashboard from the store: first page in {row['dashboard'][0]:.1f} s, "
         f"{row['dashboard'][1]:.2f} GiB")
    path.unlink()
    return row


def section(rows: list[dict]) -> str:
    """The Markdown of the measured figures and the projection."""
    lines = [
        "## Batch scoring on Dask and the dashboard's start (`bench/dask_batch.py`)",
        "",
        f"Measured on {machine()}, shared with other work (run under `nice -n 10`); SQLite database, clients "
        "replicated under new IDs; `predict --store --no-monitor` (features, scores and SHAP reasons of every "
        "client written to the score store). Peak memory: resident set of the command's process, and of its "
        "largest Dask worker process.",
        "",
        "| clients | engine | time | vs single | peak memory, command | peak memory, largest worker |",
        "| ---: | --- | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        single = row["single process"][0]
        for name, _args in ENGINES:
            seconds, main, child = row[name]
            lines.append(f"| {row['clients']:,} | {name} | {seconds:.0f} s | {single / seconds:.2f}× | {main:.2f} GiB | "
                         + (f"{child:.2f} GiB |" if name != "single process" else "— |"))
    lines += ["", "| clients | dashboard: first page after `bokeh serve` | server memory then |", "| ---: | ---: | ---: |"]
    lines += [f"| {r['clients']:,} | {r['dashboard'][0]:.1f} s | {r['dashboard'][1]:.2f} GiB |" for r in rows]
    largest = rows[-1]
    rate = largest["clients"] / largest["Dask, 1 worker"][0]
    lines += [
        "",
        f"Projection for a cluster: one worker process scores {rate:,.0f} clients/s here (the 1-worker run at "
        f"{largest['clients']:,} clients, cluster start and the driver's write included). Partitions are "
        "independent, so W workers of one core each take about clients / (W × that rate) while the database "
        "serves the reads: 356,255 clients on 8 workers ≈ "
        f"{356_255 / (8 * rate) / 60:.1f} min, 1,425,020 on 32 workers ≈ {1_425_020 / (32 * rate) / 60:.1f} min, "
        "plus the one transaction that writes the store on the driver. A worker's memory depends on the partition "
        "size (20,000 clients), not on the portfolio: compare its peak between the two sizes above.",
    ]
    missing = [n for n in FULL_SIZES if n not in {r["clients"] for r in rows}]
    if missing:
        lines += ["", f"Not measured here: {' and '.join(f'{n:,}' for n in missing)} clients (run "
                      f"`bench/dask_batch.py --sizes {','.join(map(str, missing))}`; the single-process batch alone "
                      "takes about 12 minutes at 356,255 clients on these cores)."]
    return "\n".join(lines)


def install_section() -> str:
    """What `predict --engine dask` adds to the installed training packages: dask, distributed and the
    distributions they pull that neither requirements.txt nor requirements-train.txt already brings."""
    import re
    from importlib.metadata import PackageNotFoundError, distribution

    def closure(names, seen):
        for name in names:
            try:
                dist = distribution(name)
            except PackageNotFoundError:
                continue
            key = dist.metadata["Name"].lower().replace("_", "-")
            if key not in seen:
                seen[key] = dist
                closure([re.split(r"[ ;<>=!~\[(]", r)[0] for r in dist.requires or [] if "extra ==" not in r], seen)
        return seen

    pins = [line.split("==")[0] for f in ("requirements.txt", "requirements-train.txt")
            for line in (REPO / f).read_text().splitlines() if "==" in line and not line.startswith("#")]
    base = closure([p for p in pins if p not in ("dask", "distributed")], {})
    added = {k: d for k, d in closure(["dask", "distributed"], {}).items() if k not in base}
    size = {k: sum(d.locate_file(f).stat().st_size for f in d.files or [] if d.locate_file(f).is_file())
            for k, d in added.items()}
    listed = ", ".join(f"{k} {added[k].version} ({size[k] / 2 ** 20:.1f} MiB)" for k in sorted(added))
    return (f"**Install size of the Dask engine** (measured by `bench/dask_batch.py --install`): "
            f"{sum(size.values()) / 2 ** 20:.1f} MiB on top of the training packages: {listed}. "
            "They are pinned in requirements-train.txt; the serving install (requirements.txt) does not have them.")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--database", type=Path, help="SQLite file of the clients to replicate")
    p.add_argument("--model", type=Path, help="model folder")
    p.add_argument("--sizes", default=",".join(map(str, FULL_SIZES)), help="comma-separated client counts, smallest first")
    p.add_argument("--work", type=Path, default=REPO / "data" / "bench-dask")
    p.add_argument("--no-write", action="store_true", help="print the section instead of writing it")
    p.add_argument("--install", action="store_true", help="only measure the install size of the Dask engine")
    args = p.parse_args(argv)
    if args.install:
        body = install_section()
        print(body) if args.no_write else write_section("dask-install", body)
        return 0
    if args.database is None or args.model is None:
        p.error("--database and --model are required (or --install)")
    args.work.mkdir(parents=True, exist_ok=True)
    rows = []
    for clients in (int(s) for s in args.sizes.split(",")):
        rows.append(run_size(args.database, args.model, clients, args.work))
        body = section(rows)
        print(body) if args.no_write else write_section("dask-batch", body)  # each size kept as soon as measured
    _say(f"done: {len(rows)} sizes measured")
    return 0


if __name__ == "__main__":
    sys.exit(main())
