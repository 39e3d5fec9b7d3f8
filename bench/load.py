"""Benchmark of data generation and loading (SQLite, PostgreSQL, and pandas to_sql for comparison).

Writes its section of docs/performance.md (between ``<!-- bench:load -->`` markers). Each load runs in a
child process so its peak memory is measured alone. ``--full`` adds the full-scale set (356,255 clients).

    .venv/bin/python bench/load.py [--clients 50000] [--full] [--no-pandas]
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

import click

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

from pg_server import start_server  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402

from bench.performance_doc import machine, write_section  # noqa: E402
from settings.cli import CONTEXT, run  # noqa: E402

FULL_CLIENTS = 356_255
DOC = REPO / "docs" / "performance.md"
DURABLE = {"fsync": "on", "synchronous_commit": "on", "full_page_writes": "on", "max_wal_size": "'4GB'",
           "maintenance_work_mem": "'512MB'"}

TO_SQL = """
import sys, pandas as pd
from pathlib import Path
from sqlalchemy import create_engine
from database.csv_reader import FILE_NAMES
engine = create_engine(sys.argv[2])
order = ["application", "bureau", "bureau_balance", "previous_application", "pos_cash_balance",
         "credit_card_balance", "installments_payments"]
files = sorted(Path(sys.argv[1]).glob("*.csv"), key=lambda p: order.index(FILE_NAMES[p.stem.lower()])
               if p.stem.lower() in FILE_NAMES else 99)
for path in files:
    if path.stem.lower() in FILE_NAMES:
        pd.read_csv(path).to_sql("pd_" + FILE_NAMES[path.stem.lower()], engine, if_exists="append", index=False,
                                 chunksize=10000)
"""




def run_child(command: list[str], env: dict | None = None) -> tuple[float, float, str]:
    """Run a command; returns (seconds, peak RSS in MiB of that child, stdout)."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=REPO, env={**os.environ, **(env or {})}, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True)
    out = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    if process.returncode:
        raise RuntimeError(f"{' '.join(command)} failed with exit code {process.returncode}")
    return seconds, usage.ru_maxrss / 1024, out


def generate(clients: int, folder: Path) -> tuple[float, int]:
    """Generate the synthetic set (reused when already there); returns (seconds, rows)."""
    marker = folder / "rows.json"
    if marker.exists():
        info = json.loads(marker.read_text())
        return info["seconds"], info["rows"]
    seconds, _, _ = run_child([sys.executable, "-c", f"from database.synthetic import generate; "
                                                     f"generate({clients}, 0, {str(folder)!r}, progress=None)"])
    (folder / "true_pd.csv").unlink(missing_ok=True)
    rows = sum(p.read_bytes().count(b"\n") - 1 for p in folder.glob("*.csv"))
    marker.write_text(json.dumps({"seconds": seconds, "rows": rows}))
    return seconds, rows


def bench_load(folder: Path, url: str) -> dict:
    """Load ``folder`` into ``url`` with the project's loader; wall time, peak memory and per-table rates."""
    seconds, peak, _ = run_child([sys.executable, "-m", "database", "load", "--source", str(folder)],
                                 {"DATABASE_URL": url})
    engine = create_engine(url)
    with engine.connect() as connection:
        summary = json.loads(connection.execute(text("SELECT summary FROM load_run ORDER BY id DESC")).first()[0])
    engine.dispose()
    tables: dict[str, list[float]] = {}
    for f in summary["files"]:
        row = tables.setdefault(f["table"], [0, 0.0])
        row[0] += f["rows_read"]
        row[1] += f["seconds"]
    rows = sum(r for r, _ in tables.values())
    return {"seconds": seconds, "peak_mib": peak, "rows": rows, "tables": tables}


def bench_to_sql(folder: Path, url: str) -> dict:
    """pandas read_csv + to_sql (chunksize 10,000) of the same files: wall time and peak memory."""
    seconds, peak, _ = run_child([sys.executable, "-c", TO_SQL, str(folder), url])
    return {"seconds": seconds, "peak_mib": peak}


def section(results: list[dict]) -> str:
    """The markdown of this benchmark's section."""
    lines = ["## Loading (bench/load.py)", "", f"Machine: {machine()}.", "",
             "Each load runs in its own process (peak memory = its maximum resident set size). PostgreSQL is a "
             "local ephemeral server (TLS, fsync on). The loader validates every row (types, keys, duplicates, "
             "orphans) in one transaction.", "",
             "| data set | step | engine | rows | seconds | rows/s | peak MiB |", "| --- | --- | --- | --- | --- | --- | --- |"]
    for r in results:
        rate = r["rows"] / r["seconds"] if r["seconds"] else 0
        lines.append(f"| {r['set']} | {r['step']} | {r['engine']} | {r['rows']:,} | {r['seconds']:.1f} | "
                     f"{rate:,.0f} | {r.get('peak_mib', 0):,.0f} |")
    per_table = [r for r in results if r.get("tables")]
    if per_table:
        lines += ["", "Rows per second by table (loader):", "",
                  "| data set | engine | " + " | ".join(per_table[0]["tables"]) + " |",
                  "| --- | --- | " + " | ".join("---" for _ in per_table[0]["tables"]) + " |"]
        for r in per_table:
            rates = [f"{rows / s:,.0f}" if s else "—" for rows, s in r["tables"].values()]
            lines.append(f"| {r['set']} | {r['engine']} | " + " | ".join(rates) + " |")
    notes = []
    for r in results:
        if r["step"] == "pandas to_sql":
            ours = [x for x in results if x["step"] == "load" and x["set"] == r["set"] and x["engine"] == r["engine"]]
            if ours:
                notes.append(f"- {r['set']}, {r['engine']}: the loader is {r['seconds'] / ours[0]['seconds']:.1f}x "
                             f"faster than pandas to_sql (which validates nothing).")
    for r in results:
        if r["step"] == "load" and r["engine"] == "PostgreSQL" and r["set"] == f"{FULL_CLIENTS:,} clients":
            met = r["seconds"] < 300 and r.get("peak_mib", 0) < 4096
            notes.append(f"- Full scale into PostgreSQL: {r['seconds'] / 60:.1f} min, peak {r.get('peak_mib', 0) / 1024:.2f} "
                         f"GiB (goals < 5 min and < 4 GiB: {'met' if met else 'missed'}).")
    return "\n".join(lines + ([""] + notes if notes else [])) + "\n"




@click.command(name="python -m bench.load", context_settings=CONTEXT, help=__doc__.splitlines()[0])
@click.option("--clients", type=int, default=50_000, help="clients of the main set")
@click.option("--full", is_flag=True, help=f"also the full-scale set ({FULL_CLIENTS:,} clients)")
@click.option("--no-pandas", is_flag=True, help="skip the pandas to_sql comparison")
@click.option("--no-sqlite-full", is_flag=True, help="skip SQLite at full scale")
@click.option("--workdir", type=click.Path(path_type=Path), default=Path(tempfile.gettempdir()) / "homecredit-bench",
              help="where generated sets and SQLite files go (sets are reused)")
def cli(**options) -> int:
    """Run the benchmark and write docs/performance.md."""
    args = SimpleNamespace(**options)
    server = start_server(DURABLE)
    results: list[dict] = []
    try:
        sizes = [args.clients] + ([FULL_CLIENTS] if args.full else [])
        for clients in sizes:
            name = f"{clients:,} clients"
            folder = args.workdir / f"set-{clients}"
            folder.mkdir(parents=True, exist_ok=True)
            seconds, rows = generate(clients, folder)
            results.append({"set": name, "step": "generate", "engine": "—", "rows": rows, "seconds": seconds})
            print(f"{name}: generated {rows:,} rows in {seconds:.1f} s", file=sys.stderr)
            engines = {"PostgreSQL": server.create_database(f"bench_{clients}")}
            if clients != FULL_CLIENTS or not args.no_sqlite_full:
                db = args.workdir / f"bench-{clients}.db"
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{db}{suffix}").unlink(missing_ok=True)
                engines["SQLite"] = f"sqlite:///{db}"
            for engine_name, url in engines.items():
                measured = bench_load(folder, url)
                results.append({"set": name, "step": "load", "engine": engine_name, **measured})
                print(f"{name}: {engine_name} load {measured['rows']:,} rows in {measured['seconds']:.1f} s, "
                      f"peak {measured['peak_mib']:.0f} MiB", file=sys.stderr)
                if clients == args.clients and not args.no_pandas:
                    measured = bench_to_sql(folder, url)
                    results.append({"set": name, "step": "pandas to_sql", "engine": engine_name, "rows": rows,
                                    **measured})
                    print(f"{name}: {engine_name} pandas to_sql in {measured['seconds']:.1f} s", file=sys.stderr)
                write_section("load", section(results))
    finally:
        server.destroy()
    write_section("load", section(results))
    print(section(results))
    return 0


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    return run(cli, argv, cli.name)


if __name__ == "__main__":
    sys.exit(main())
