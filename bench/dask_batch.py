"""Benchmark of the batch on Dask: `predict --store` in one process against `--engine dask` with 1 and 2 workers,
then the dashboard's start from the score store, at N clients and at a multiple of N.

Writes its section of docs/performance.md (between ``<!-- bench:dask-batch -->`` markers). For each size:

1. a SQLite database of the size: the --database copied, its clients replicated under new IDs (every table's
   SK_ID_CURR, SK_ID_BUREAU and SK_ID_PREV shifted) up to the size;
2. `python -m modeling predict --store --no-monitor` timed for each engine, with the peak resident memory of
   the command's process and of its largest Dask worker process (sampled every 0.2 s);
3. `bokeh serve bokeh_app` over the scored database, asked for its page by headless Chromium as soon as it listens:
   seconds to the page loaded and to the first client's verdict drawn, and the server's memory then (a screenshot
   of that page is kept in --work).

Each measurement is kept in --results as soon as it is made, and the section shows every kept one, so the
engines of one size may be measured by separate runs (``--engines``; a replicated database in --work is reused):

    .venv/bin/python bench/dask_batch.py --database data/bench.db --model models/latest --sizes 356255,1425020
    .venv/bin/python bench/dask_batch.py --database data/bench.db --model models/latest --sizes 1425020 \
        --engines dask-1 --no-dashboard
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

import click
import psutil

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import re
from importlib.metadata import PackageNotFoundError, distribution

from bench.dashboard import page_start  # noqa: E402
from bench.performance_doc import machine, write_section  # noqa: E402
from settings.cli import CONTEXT, run  # noqa: E402

ID_SHIFT = 10_000_000  # new IDs of copy k: old + k * ID_SHIFT (Home Credit IDs stay below 500,000)
ENGINES = {"single": ("single process", ()), "dask-1": ("Dask, 1 worker", ("--engine", "dask", "--workers", "1")),
           "dask-2": ("Dask, 2 workers", ("--engine", "dask", "--workers", "2"))}
FULL_SIZES = (356_255, 1_425_020)  # Home Credit's clients, and 4 times as many
#: Commits measured before each partition's result left its worker once fetched (modeling/serving/dask_batch.py).
HELD_ON_WORKERS = ("1385575",)
#: Starts of the dashboard measured at each size (their medians are kept).
DASHBOARD_STARTS = 3
SHIFTED = ("sk_id_curr", "sk_id_bureau", "sk_id_prev")
TABLES = ("application", "bureau", "bureau_balance", "previous_application", "pos_cash_balance",
          "credit_card_balance", "installments_payments")


def _say(message: str) -> None:
    print(f"[bench dask-batch] {message}", file=sys.stderr, flush=True)


def replicate(source: Path, target: Path, clients: int) -> int:
    """``target``: a copy of the SQLite file ``source`` whose clients are repeated (new IDs) up to ``clients``."""
    shutil.copyfile(source, target)
    with sqlite3.connect(target) as db:
        # a scratch copy: no journal, no fsync, a large cache (the 1.4 M-client copy writes about 14 GB)
        db.execute("PRAGMA journal_mode=OFF")
        db.execute("PRAGMA synchronous=OFF")
        db.execute("PRAGMA cache_size=-2000000")
        ids = [r[0] for r in db.execute("SELECT sk_id_curr FROM application ORDER BY sk_id_curr")]
        copy = 1
        while len(ids) * copy < clients:
            last = ids[min(clients - len(ids) * copy, len(ids)) - 1]
            for name in TABLES:
                columns = [r[1] for r in db.execute(f"PRAGMA table_info({name})") if r[1] != "id"]
                values = [f"{c} + {copy * ID_SHIFT}" if c in SHIFTED else c for c in columns]
                original = f"sk_id_curr < {ID_SHIFT} AND sk_id_curr <= ?"  # the first copy's clients up to last
                owner = (f"sk_id_bureau IN (SELECT sk_id_bureau FROM bureau WHERE {original})"  # nosec B608: names from TABLES
                         if name == "bureau_balance" else original)
                db.execute(f"INSERT INTO {name} ({', '.join(columns)}) SELECT {', '.join(values)} FROM {name} "  # nosec B608: names from TABLES
                           f"WHERE {owner}", (last,))
            copy += 1
        db.execute("DELETE FROM client_score")
        return db.execute("SELECT count(*) FROM application").fetchone()[0]


def measured(command: list[str], env: dict) -> tuple[float, float, float, float, str]:
    """Seconds, peak RSS (GiB) of the process and of its largest child process, the mean load average over
    the run (other work on the machine shows there), and the last output line."""
    started = time.perf_counter()
    with tempfile.TemporaryFile("w+") as output:
        proc = subprocess.Popen(command, cwd=REPO, env=env, stdout=output, stderr=subprocess.STDOUT, text=True)
        main, peak_main, peak_child, loads = psutil.Process(proc.pid), 0, 0, []
        while proc.poll() is None:
            loads.append(os.getloadavg()[0])
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
    load = sum(loads) / len(loads) if loads else os.getloadavg()[0]
    return seconds, peak_main / 2 ** 30, peak_child / 2 ** 30, load, lines[-1] if lines else ""


def commit() -> str:
    """The short commit of the measured code, with '+' when the work tree has changes."""
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True)
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=REPO, capture_output=True,
                           text=True)
    return (head.stdout.strip() or "unknown") + ("+" if dirty.stdout.strip() else "")


def stored(results: Path, clients: int, key: str, value: list) -> dict:
    """Add one measurement to the results file (several runs of the benchmark may share it) and return them all."""
    results.parent.mkdir(parents=True, exist_ok=True)
    with open(results.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        everything = json.loads(results.read_text()) if results.exists() else {}
        everything.setdefault(str(clients), {})[key] = value
        temporary = results.with_suffix(".tmp")
        temporary.write_text(json.dumps(everything, indent=1))
        temporary.replace(results)
    return everything


def bank(database: Path, clients: int, work: Path) -> Path:
    """The SQLite file of ``clients`` clients in ``work``: reused when an earlier run made it, else replicated."""
    path = work / f"bank-{clients}.db"
    if not path.exists():
        replicate(database, work / f"bank-{clients}.tmp.db", clients)
        (work / f"bank-{clients}.tmp.db").replace(path)
    with sqlite3.connect(path) as db:
        made = db.execute("SELECT count(*) FROM application").fetchone()[0]
    if made != clients:
        raise SystemExit(f"{path}: {made:,} clients, not {clients:,}; delete it to replicate it again")
    return path


def run_size(database: Path, model: Path, clients: int, work: Path, engines: list[str], dashboard: bool,
             results: Path) -> dict:
    """The chosen engines' figures and the dashboard's start at one size, each stored as soon as measured."""
    path = bank(database, clients, work)
    _say(f"{clients:,} clients in {path}")
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{path}", "MODEL_PATH": str(model), "OMP_NUM_THREADS": "1"}
    everything = json.loads(results.read_text()) if results.exists() else {}
    code = commit()
    for key in engines:
        name, args = ENGINES[key]
        command = [sys.executable, "-m", "modeling", "predict", "--store", "--no-monitor", "--model", str(model), *args]
        seconds, main, child, load, last = measured(command, env)
        everything = stored(results, clients, key, [seconds, main, child, load, code])
        _say(f"{clients:,} clients, {name}: {seconds:.0f} s, peak {main:.2f} GiB (largest worker {child:.2f} GiB), "
             f"load average {load:.1f}; {last}")
    if dashboard:
        starts = [page_start(env=env, screenshot=work / f"dashboard-{clients}.png") for _ in range(DASHBOARD_STARTS)]
        started = {key: statistics.median(s[key] for s in starts) for key in starts[0]}
        everything = stored(results, clients, "dashboard", [started["answer_s"], started["gib"], os.getloadavg()[0],
                                                            code, started["page_s"], len(starts)])
        _say(f"{clients:,} clients, dashboard from the store: page loaded in {started['answer_s']:.1f} s, verdict "
             f"shown in Chromium in {started['page_s']:.1f} s, {started['gib']:.2f} GiB")
    return everything


def _memory_gib() -> float:
    return psutil.virtual_memory().total / 2 ** 30


def section(everything: dict) -> str:
    """The Markdown of every stored measurement and the projection."""
    sizes = sorted(everything, key=int)
    lines = [
        "## Batch scoring on Dask and the dashboard's start (`bench/dask_batch.py`)",
        "",
        f"Measured on {machine()}, run under `nice -n 10`; SQLite database, clients replicated under new IDs; "
        "`predict --store --no-monitor` (features, scores and SHAP reasons of every client written to the score "
        "store). Peak memory: resident set of the command's process, and of its largest Dask worker process. "
        "Load: the mean 1-minute load average over the run; above 2 (the cores), other work shared the machine "
        "and the time is longer than on an idle one.",
        "",
        "| clients | engine | time | vs single | peak memory, command | peak memory, largest worker | load | code |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    single_per_client = {int(n): everything[n]["single"][1] / int(n) for n in sizes if "single" in everything[n]}
    for n in sizes:
        row, clients = everything[n], int(n)
        single = row.get("single", [None])[0]
        for key, (name, _args) in ENGINES.items():
            if key in row:
                seconds, main, child, load, code = row[key]
                ratio = f"{single / seconds:.2f}×" if single else "—"
                lines.append(f"| {clients:,} | {name} | {seconds:.0f} s | {ratio} | {main:.2f} GiB | "
                             + (f"{child:.2f} GiB" if key != "single" else "—") + f" | {load:.1f} | `{code}` |")
                continue
            smaller = [m for m in single_per_client if m < clients]
            if key == "single" and smaller and single_per_client[max(smaller)] * clients > _memory_gib():
                base = max(smaller)
                lines.append(f"| {clients:,} | {name} | does not fit | — | projected "
                             f"{single_per_client[base] * clients:.0f} GiB > {_memory_gib():.0f} GiB | — | — | — |")
            else:
                lines.append(f"| {clients:,} | {name} | not measured | — | — | — | — | — |")
    if any(m < int(n) for n in sizes for m in single_per_client if "single" not in everything[n]):
        lines += ["", "A single process holds every client's features and reasons until it writes the store, so its "
                      "peak grows with the portfolio: the projection is the peak per client at the largest size it was "
                      "measured, times the clients. It was not run where that exceeds the machine's memory."]
    codes = {everything[n][k][4] for n in sizes for k in ("dask-1", "dask-2") if k in everything[n]}
    if codes & set(HELD_ON_WORKERS):
        lines += ["", f"The Dask runs of {', '.join(f'`{c}`' for c in sorted(codes & set(HELD_ON_WORKERS)))} kept each "
                      "partition's result on its worker until the end of the run, so the largest worker's peak grew "
                      "with the portfolio; from the next commit a result leaves its worker as soon as the command "
                      "has fetched it (`tests/modeling/test_dask_batch.py::"
                      "test_workers_hold_the_partitions_under_way_not_every_result_since_the_start`)."]
    started = [n for n in sizes if "dashboard" in everything[n]]
    if started:
        lines += ["", "Dashboard from the score store, as its first user meets it: headless Chromium (started before "
                      "the server) asks for the page as soon as `bokeh serve` listens; seconds from the server's start "
                      "to the page loaded (the portfolio read, the session built, HTML and scripts received) and to the "
                      "first client's verdict and reasons drawn. Rows without the second figure timed the first HTTP "
                      "answer alone.",
                  "", "| clients | page loaded | verdict and reasons shown | server memory then | load | code |",
                  "| ---: | ---: | ---: | ---: | ---: | --- |"]
        for n in started:
            answer, gib, load, code, *page = everything[n]["dashboard"]
            shown = f"{page[0]:.1f} s (median of {page[1]} starts)" if page else "not measured"
            lines.append(f"| {int(n):,} | {answer:.1f} s | {shown} | {gib:.2f} GiB | {load:.1f} | `{code}` |")
    rated = [(int(n), k) for n in sizes for k in ("dask-1", "dask-2") if k in everything[n]]
    if rated:
        clients, key = max(rated, key=lambda r: (r[0], r[1] == "dask-1"))
        workers = int(key[-1])
        rate = clients / (everything[str(clients)][key][0] * workers)
        lines += [
            "",
            f"Projection for a cluster: one worker process scores {rate:,.0f} clients/s here (the {workers}-worker "
            f"run at {clients:,} clients, per worker, cluster start and the driver's write included). Partitions "
            "are independent, so W workers of one core each take about clients / (W × that rate) while the "
            f"database serves the reads: 356,255 clients on 8 workers ≈ {356_255 / (8 * rate) / 60:.1f} min, "
            f"1,425,020 on 32 workers ≈ {1_425_020 / (32 * rate) / 60:.1f} min, plus the one transaction that "
            "writes the store on the driver. A worker's memory depends on the partition size (20,000 clients), "
            "not on the portfolio: compare its peak between the sizes above.",
        ]
    missing = [n for n in FULL_SIZES if str(n) not in everything]
    if missing:
        lines += ["", f"Not measured here: {' and '.join(f'{n:,}' for n in missing)} clients (run "
                      f"`bench/dask_batch.py --sizes {','.join(map(str, missing))}`)."]
    return "\n".join(lines)


def install_section() -> str:
    """What `predict --engine dask` adds to the installed training packages: dask, distributed and the
    distributions they pull that neither requirements.txt nor requirements-train.txt already brings."""
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


@click.command(name="python -m bench.dask_batch", context_settings=CONTEXT, help=__doc__.splitlines()[0])
@click.option("--database", type=click.Path(path_type=Path), help="SQLite file of the clients to replicate")
@click.option("--model", type=click.Path(path_type=Path), help="model folder")
@click.option("--sizes", default=",".join(map(str, FULL_SIZES)),
              help="comma-separated client counts, smallest first")
@click.option("--work", type=click.Path(path_type=Path), default=REPO / "data" / "bench-dask",
              help="folder of the replicated databases")
@click.option("--engines", default=",".join(ENGINES), help=f"comma-separated, among {', '.join(ENGINES)}")
@click.option("--no-dashboard", is_flag=True, help="do not measure the dashboard's start")
@click.option("--results", type=click.Path(path_type=Path), default=REPO / "data" / "bench-dask" / "results.json",
              help="measurements kept across runs (the section shows them all)")
@click.option("--no-write", is_flag=True, help="print the section instead of writing it")
@click.option("--install", is_flag=True, help="only measure the install size of the Dask engine")
def cli(**options) -> int:
    """Run the benchmark and write its section."""
    args = SimpleNamespace(**options)
    if args.install:
        body = install_section()
        print(body) if args.no_write else write_section("dask-install", body)
        return 0
    if args.database is None or args.model is None:
        raise click.UsageError("--database and --model are required (or --install)")
    engines = [e for e in args.engines.split(",") if e]
    if unknown := [e for e in engines if e not in ENGINES]:
        raise click.UsageError(f"--engines: unknown {', '.join(unknown)}; choose among {', '.join(ENGINES)}")
    args.work.mkdir(parents=True, exist_ok=True)
    sizes = [int(s) for s in args.sizes.split(",")]
    for clients in sizes:
        everything = run_size(args.database, args.model, clients, args.work, engines, not args.no_dashboard,
                              args.results)
        body = section(everything)
        print(body) if args.no_write else write_section("dask-batch", body)  # each size kept as soon as measured
    _say(f"done: {len(sizes)} sizes, engines {', '.join(engines)}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    return run(cli, argv, cli.name)


if __name__ == "__main__":
    sys.exit(main())
