"""Load test of the scoring API: gunicorn (2 workers) on loopback, N concurrent clients, figures to docs/performance.md.

    python bench/api.py                      # the configured database and model (after `make demo`)
    python bench/api.py --synthetic 3000     # a throw-away synthetic bank and tiny model in a temp folder

Each client is a connection of one low-CPU load generator (bench/loadgen.py) sending GET
/api/v1/clients/<id>/score (random known IDs, audit included).
Two runs: the service as deployed (batch scores from `python -m modeling predict --store`, written first
when they are not current) and the online path alone (SCORING_BATCH_SCORES=false: features, model and
SHAP computed in the request), which is what a client gets between a load and the next batch.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

import click

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from sqlalchemy import func, select

from api.auth import digest, new_key  # noqa: E402
from bench import loadgen  # noqa: E402
from bench.performance_doc import machine, write_section  # noqa: E402
from database.config import database_url as default_url
from database.config import get_engine, masked
from database.loader import load
from database.schema import Application
from database.synthetic.generate import generate
from modeling.serving.artifact import load_bundle
from modeling.serving.store import stored_frame
from settings.cli import CONTEXT, run  # noqa: E402

START, END = "<!-- bench:api -->", "<!-- /bench:api -->"
GOALS = {"p50_ms": 15.0, "p99_ms": 40.0, "rps": 250.0}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def synthetic_stack(n_clients: int, root: Path) -> dict[str, str]:
    """Generate, load and train a small bank in ``root``; returns DATABASE_URL and MODEL_DIR."""
    env = {"DATABASE_URL": f"sqlite:///{root / 'bank.db'}", "MODEL_DIR": str(root / "models")}
    print(f"generating and loading {n_clients} synthetic clients into {root} ...", flush=True)
    generate(n_clients, 11, root / "csv", progress=None)
    load([root / "csv"], env["DATABASE_URL"], progress=None)
    print("training a small model ...", flush=True)
    subprocess.run([sys.executable, "-m", "modeling", "train", "--folds", "2", "--max-evals", "2",
                    "--strategies", "none", "--no-baselines"], cwd=REPO, env={**os.environ, **env},
                   check=True, capture_output=True)
    return env


def client_ids(database_url: str | None, limit: int = 5000) -> list[int]:
    """Known client IDs of the database."""
    engine = get_engine(database_url)
    with engine.connect() as connection:
        ids = list(connection.execute(select(Application.sk_id_curr).limit(limit)).scalars())
    engine.dispose()
    if not ids:
        raise SystemExit("error: the database holds no client; run `make demo` or use --synthetic N")
    return ids


def ensure_batch_scores(env: dict[str, str]) -> str:
    """Write the batch scores of the configured model when they are not current; returns what was done."""
    engine = get_engine(env.get("DATABASE_URL") or os.environ.get("DATABASE_URL"))
    version = load_bundle(Path(env["MODEL_DIR"]) / "latest" if env.get("MODEL_DIR") else None).version
    with engine.connect() as connection:
        clients = connection.execute(select(func.count()).select_from(Application)).scalar()
    have = len(stored_frame(engine, version))
    engine.dispose()
    if have == clients:
        return f"batch scores of model {version} already current for all {clients} clients"
    print(f"writing batch scores of model {version} ({have} of {clients} current) ...", flush=True)
    subprocess.run([sys.executable, "-m", "modeling", "predict", "--store"], cwd=REPO, env={**os.environ, **env},
                   check=True, capture_output=True)
    return f"batch scores of model {version} written for all {clients} clients before the run"


def start_server(env: dict[str, str], port: int, workers: int) -> subprocess.Popen:
    """gunicorn with the production config; returns once /api/v1/health is 200."""
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--config", "api/gunicorn.conf.py", "api:create_app()"],
        cwd=REPO, env={**os.environ, **env, "SCORING_BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": str(workers),
                       "SCORING_LOG_LEVEL": "warning"},
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"error: gunicorn stopped: {process.stderr.read().decode()[-2000:]}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/api/v1/health")
            status = conn.getresponse().status
            conn.close()
            if status == 200:
                return process
        except OSError:
            pass
        time.sleep(0.3)
    stop_server(process)
    raise SystemExit("error: gunicorn did not become healthy in 120 s (see /api/v1/health)")


def stop_server(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=30)


def load_test(port: int, key: str, ids: list[int], clients: int, seconds: float, seed: int = 0) -> dict:
    """``clients`` concurrent closed-loop clients scoring random known IDs for ``seconds`` (bench/loadgen.py),
    with the share of CPU time the hypervisor gave to other machines meanwhile (``steal_pct``)."""
    before = _cpu_times()
    result = loadgen.load_test(port, {"X-API-Key": key}, lambda rng: f"/api/v1/clients/{rng.choice(ids)}/score",
                               clients, seconds, seed=seed)
    spent = [after - start for start, after in zip(before, _cpu_times(), strict=True)]
    result["steal_pct"] = 100.0 * spent[7] / max(sum(spent), 1) if len(spent) > 7 else float("nan")
    return result


def _cpu_times() -> list[int]:
    """The machine's cumulated CPU times (user, nice, system, idle, iowait, irq, softirq, steal, ...)."""
    try:
        with open("/proc/stat") as stat:
            return [int(x) for x in stat.readline().split()[1:]]
    except OSError:  # not Linux: no steal figure
        return []


def median_run(runs: list[dict]) -> dict:
    """One row of figures from repeated runs: the median of each figure, the worst maximum, all requests and
    errors, and each run's p50 (this shared machine varies from run to run)."""
    out = {key: statistics.median(r[key] for r in runs) for key in ("rps", "p50_ms", "p90_ms", "p99_ms",
                                                                     "client_cpu_ms")}
    out.update(requests=sum(r["requests"] for r in runs), errors=sum(r["errors"] for r in runs),
               max_ms=max(r["max_ms"] for r in runs), seconds=sum(r["seconds"] for r in runs),
               p50_runs=" / ".join(f"{r['p50_ms']:.1f}" for r in runs),
               steal_runs=" / ".join(f"{r['steal_pct']:.1f}" for r in runs))
    return out


def section(runs: dict[str, dict], args: SimpleNamespace, n_ids: int, database: str, store_note: str) -> str:
    """The markdown written between the bench markers: one column per run."""
    mark = {True: "met", False: "**missed**"}
    names = list(runs)
    header = "| figure | " + " | ".join(names) + " | goal |"
    rows = [header, "| --- |" + " --- |" * (len(names) + 1)]

    def line(label: str, key: str, fmt: str, goal: str, ok) -> str:
        cells = []
        for name in names:
            value = runs[name][key]
            judged = ok is not None and not name.endswith("1 client")
            cells.append(fmt.format(value) + (f" ({mark[ok(value)]})" if judged else ""))
        return f"| {label} | " + " | ".join(cells) + f" | {goal} |"

    rows += [
        line("throughput", "rps", "{:.0f} req/s", f"≥ {GOALS['rps']:.0f} req/s", lambda v: v >= GOALS["rps"]),
        line("latency p50", "p50_ms", "{:.1f} ms", f"< {GOALS['p50_ms']:.0f} ms", lambda v: v < GOALS["p50_ms"]),
        line("latency p90", "p90_ms", "{:.1f} ms", "", None),
        line("latency p99", "p99_ms", "{:.1f} ms", f"< {GOALS['p99_ms']:.0f} ms", lambda v: v < GOALS["p99_ms"]),
        line("latency max", "max_ms", "{:.1f} ms", "", None),
        line("requests", "requests", "{}", "", None),
        line("errors", "errors", "{}", "0", lambda v: v == 0),
        line("load generator CPU per request", "client_cpu_ms", "{:.2f} ms", "", None),
        line("p50 of each run", "p50_runs", "{} ms", "", None),
        line("CPU stolen by other virtual machines, each run", "steal_runs", "{} %", "", None),
    ]
    return "\n".join([
        START,
        "## Scoring API (`python bench/api.py`)",
        "",
        f"Measured {time.strftime('%Y-%m-%d %H:%M %Z')} on: {machine()}; load average before the run "
        f"{args.load_before:.1f} (other processes share the cores: figures are only comparable at equal load).",
        f"gunicorn {args.workers} sync workers (api/gunicorn.conf.py) on loopback, {args.clients} concurrent "
        f"clients (connections of one single-threaded load generator, bench/loadgen.py, on the same 2 cores) "
        f"in {args.repeat} runs of {args.duration:.0f} s per path (each figure is the median of the runs), "
        "`GET /api/v1/clients/<id>/score` "
        f"with reasons over {n_ids} known clients drawn at random; every answer writes its audit row; "
        f"database: {database}; {store_note}.",
        "",
        "- **batch scores** is the service as deployed: the probability and reason keys come from `client_score`, "
        "the sentences are worded in the request.",
        "- **online** (`SCORING_BATCH_SCORES=false`) reads the client's rows, builds the features, applies the model "
        "and computes SHAP in the request: the path of a client whose data changed since the last batch.",
        "- the **1 client** columns send one request at a time (a quarter of the duration): the time one answer "
        "takes when nothing waits in the queue.",
        "",
        "This virtual machine shares its host: when other machines take CPU time (the steal row), the same "
        "code answers up to a third fewer requests, which is why each figure is a median over several runs.",
        "",
        f"Each of the {args.clients} clients waits for its answer before sending the next request, so the "
        f"latency under load is about {args.clients} / throughput: a p50 under {GOALS['p50_ms']:.0f} ms needs "
        f"about {args.clients / GOALS['p50_ms'] * 1000:.0f} req/s, i.e. under "
        f"{2 * GOALS['p50_ms'] / args.clients:.1f} ms of CPU per request for server and load generator together "
        "on these 2 cores.",
        "",
        *rows,
        END,
    ])


@click.command(name="python -m bench.api", context_settings=CONTEXT,
               help="Load-test the scoring API and record the figures.")
@click.option("--duration", type=float, default=20.0, help="seconds of measurement")
@click.option("--repeat", type=int, default=5, help="runs under load per path; the figures are their medians")
@click.option("--clients", type=int, default=8, help="concurrent clients")
@click.option("--workers", type=int, default=2, help="gunicorn workers")
@click.option("--synthetic", type=int, metavar="N", help="build a temporary bank of N synthetic clients")
@click.option("--out", type=click.Path(path_type=Path), default=REPO / "docs" / "performance.md",
              help="document whose section is rewritten")
@click.option("--no-write", is_flag=True, help="print the figures only")
def cli(**options) -> int:
    """Run the benchmark and write its section."""
    args = SimpleNamespace(**options)
    if args.repeat < 1 or args.duration <= 0 or args.clients < 1:
        raise click.UsageError("--repeat and --clients must be at least 1 and --duration positive")

    args.load_before = os.getloadavg()[0]
    runs: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="bench-api-") as tmp:
        env = synthetic_stack(args.synthetic, Path(tmp)) if args.synthetic else {}
        database_url = env.get("DATABASE_URL") or os.environ.get("DATABASE_URL")
        ids = client_ids(database_url)
        store_note = ensure_batch_scores(env)
        key = new_key()
        env.update({"SCORING_API_KEYS": f"bench:{digest(key)}", "SCORING_RATE_LIMIT": "1000000",
                    "SCORING_RATE_BURST": "1000000"})
        for name, batch in (("batch scores", "true"), ("online", "false")):
            port = free_port()
            process = start_server({**env, "SCORING_BATCH_SCORES": batch}, port, args.workers)
            try:
                load_test(port, key, ids, args.clients, min(3.0, args.duration))  # warm-up
                repeats = []
                for attempt in range(1, args.repeat + 1):
                    print(f"{name}: measuring {args.clients} clients for {args.duration:.0f} s "
                          f"(run {attempt} of {args.repeat}) ...", flush=True)
                    repeats.append(load_test(port, key, ids, args.clients, args.duration, seed=attempt))
                runs[name] = median_run(repeats)
                single = f"{name}, 1 client"
                print(f"{single}: measuring for {args.duration / 4:.0f} s ...", flush=True)
                runs[single] = median_run([load_test(port, key, ids, 1, args.duration / 4)])
            finally:
                stop_server(process)
            print(name, json.dumps({k: round(v, 2) if isinstance(v, float) else v for k, v in runs[name].items()}),
                  flush=True)

    database = "SQLite" if (database_url or default_url()).startswith("sqlite") else masked(database_url)
    if not args.no_write:
        write_section("api", section(runs, args, len(ids), database, store_note), args.out)
        print(f"written to {args.out}")
    return 0 if all(r["errors"] == 0 for r in runs.values()) else 1


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    return run(cli, argv, cli.name)


if __name__ == "__main__":
    sys.exit(main())
