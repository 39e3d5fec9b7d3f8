"""Benchmark of feature building (all clients), training, and one-client scoring latency.

Writes its section of docs/performance.md (between ``<!-- bench:train -->`` markers):

1. features for every client at full scale (356,255 clients, ~56M child rows) from the synthetic
   CSV files in data/bench-full (generated once, then reused): CSV read, fit and transform time and
   the peak memory of that process; with ``--database URL`` also the time to read the tables
   from a loaded database;
2. ``python -m modeling train`` on a 50,000-client SQLite database (its own child process);
3. the latency of ``Scorer.score`` (read one client from the database, features, probability,
   explanation) over random clients, and of its features part alone.

With ``--sizes 10000,30000`` it measures instead the whole training (``python -m modeling train``
from the synthetic CSV files, its own child process) at each size: pooled out-of-fold AUC of the
production model, its share of the true-probability ceiling, the CPU time of the whole training, and
next to it one LightGBM with default parameters on the same folds (AUC and fit time), in its own section.

    .venv/bin/python bench/train.py [--clients 356255] [--train-clients 50000] [--skip-train]
    .venv/bin/python bench/train.py --sizes 10000,30000 [--train-args "--folds 5 --max-evals 10"]
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

from bench.performance_doc import machine, write_section  # noqa: E402
from settings.cli import CONTEXT, run  # noqa: E402

FULL_CLIENTS = 356_255

FEATURES_CHILD = """
import json, sys, time
from modeling.serving.data import load_csv_tables, load_tables
from modeling.features import FeatureBuilder
cpu = time.process_time
started, cpu0 = time.perf_counter(), cpu()
if sys.argv[1] == "csv":
    tables = load_csv_tables(sys.argv[2])
else:
    from database.config import get_engine
    tables = load_tables(get_engine(sys.argv[2]))
read, read_cpu = time.perf_counter() - started, cpu() - cpu0
rows = sum(len(frame) for frame in tables.values())
started, cpu0 = time.perf_counter(), cpu()
builder = FeatureBuilder().fit(tables)
fit, fit_cpu = time.perf_counter() - started, cpu() - cpu0
started, cpu0 = time.perf_counter(), cpu()
X = builder.transform(tables)
transform, transform_cpu = time.perf_counter() - started, cpu() - cpu0
print(json.dumps({"read": read, "fit": fit, "transform": transform, "read_cpu": read_cpu, "fit_cpu": fit_cpu,
                  "transform_cpu": transform_cpu, "rows": rows, "clients": len(X), "features": X.shape[1]}))
"""

LATENCY_CHILD = """
import json, statistics, sys, time
import numpy as np
from database.config import get_engine
from modeling.serving.data import load_clients, load_tables
engine = get_engine(sys.argv[1])
n = int(sys.argv[3])
ids = load_tables(engine)["application"]["SK_ID_CURR"].to_numpy()
ids = [int(i) for i in np.random.default_rng(0).choice(ids, n, replace=False)]
out = {}
try:
    from modeling.serving.artifact import load_bundle
    from modeling.serving.scorer import Scorer
    bundle = load_bundle(sys.argv[2])
    builder = bundle.features
    scorer = Scorer(bundle, engine)
    for i in ids[:10]:
        scorer.score(i)
    times = []
    for i in ids:
        started = time.perf_counter()
        scorer.score(i)
        times.append(time.perf_counter() - started)
    out["score"] = times
except Exception as error:  # the scorer or the model may not be there: measure the features part only
    out["score_error"] = f"{type(error).__name__}: {error}"
    from modeling.features import FeatureBuilder
    builder = FeatureBuilder().fit(load_tables(engine, ids[:5000]))
if "score" in out:  # the served path: the same clients from the batch score store
    from modeling.serving.store import snapshot, write_scores
    run_id, features = snapshot(scorer)
    write_scores(scorer, features, run_id)
    stored = []
    for i in ids:
        started = time.perf_counter()
        scorer.score(i, use_store=True)
        stored.append(time.perf_counter() - started)
    out["stored"] = stored
read, transform = [], []
for i in ids[:10]:
    builder.transform(load_clients(engine, [i]))
for i in ids:
    started = time.perf_counter()
    tables = load_clients(engine, [i])
    middle = time.perf_counter()
    builder.transform(tables)
    read.append(middle - started)
    transform.append(time.perf_counter() - middle)
out["read"], out["transform"] = read, transform
print(json.dumps(out))
"""




def load_average() -> str:
    """The 1/5/15-minute load averages, with a warning when the machine was busy."""
    loads = os.getloadavg()
    text = "/".join(f"{x:.1f}" for x in loads)
    if max(loads) > (os.cpu_count() or 1):
        text += " (other work was running: figures are pessimistic)"
    return text


def run_child(command: list[str], env: dict | None = None) -> tuple[float, float, str]:
    """Run a command; returns (seconds, peak RSS in MiB of that child, stdout); raises on failure."""
    started = time.perf_counter()
    with tempfile.TemporaryFile("w+") as errors:
        process = subprocess.Popen(command, cwd=REPO, env={**os.environ, **(env or {})}, stdout=subprocess.PIPE,
                                   stderr=errors, text=True)
        out = process.stdout.read()
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = code = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - started
        if code:
            errors.seek(0)
            last = (errors.read().strip().splitlines() or ["no error output"])[-1]
            raise RuntimeError(f"{' '.join(command[:4])} failed with exit code {code}: {last}")
    return seconds, usage.ru_maxrss / 1024, out


def dataset(clients: int) -> Path:
    """The synthetic CSV folder for ``clients`` (data/bench-full at full scale), generated once."""
    folder = REPO / "data" / ("bench-full" if clients == FULL_CLIENTS else f"bench-{clients}")
    if not (folder / "installments_payments.csv").exists() or not (folder / "application_train.csv").exists():
        print(f"generating {clients:,} synthetic clients into {folder} ...", flush=True)
        run_child([sys.executable, "-m", "database.synthetic", "--clients", str(clients), "--seed", "1",
                   "--out", str(folder)])
    return folder


def bench_features(source: str, location: str) -> dict:
    """Read + fit + transform of every client in a child process; its times and peak memory."""
    seconds, peak, out = run_child([sys.executable, "-c", FEATURES_CHILD, source, location])
    return {**json.loads(out.strip().splitlines()[-1]), "total": seconds, "peak_mib": peak}


def build_database(clients: int, workdir: Path) -> str:
    """A SQLite database loaded with ``clients`` synthetic clients (reused when present); its URL."""
    db = workdir / f"bench-train-{clients}.db"
    url = f"sqlite:///{db}"
    if not db.exists():
        print(f"loading {clients:,} clients into {db} ...", flush=True)
        run_child([sys.executable, "-m", "database", "load", "--source", str(dataset(clients))],
                  env={"DATABASE_URL": url})
    return url


def bench_train(url: str, model_dir: Path, extra: list[str]) -> dict:
    """Time ``python -m modeling train`` on the database at ``url``."""
    seconds, peak, _ = run_child([sys.executable, "-m", "modeling", "train", *extra],
                                 env={"DATABASE_URL": url, "MODEL_DIR": str(model_dir)})
    return {"seconds": seconds, "peak_mib": peak, "args": " ".join(extra) or "(defaults)"}


def bench_size(clients: int, workdir: Path, extra: list[str]) -> dict:
    """Train from the synthetic CSV files of ``clients`` clients in a child process; figures from its model card."""
    folder = dataset(clients)
    model_dir = workdir / f"models-{clients}"
    command = [sys.executable, "-m", "modeling", "train", "--source", str(folder), "--true-pd",
               str(folder / "true_pd.csv"), *extra]
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=REPO, env={**os.environ, "MODEL_DIR": str(model_dir)},
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for line in process.stderr:  # the training's own progress lines, every few seconds
        print(f"  [{clients:,}] {line.rstrip()}", flush=True)
    _, status, usage = os.wait4(process.pid, 0)
    if os.waitstatus_to_exitcode(status):
        raise RuntimeError(f"training on {clients:,} clients failed: {process.stdout.read().strip()[-300:]}")
    card = json.loads((model_dir / "latest" / "model_card.json").read_text())
    default = next((row for row in card.get("strategy_comparison", []) if row["strategy"] == card["strategy"]), None)
    return {"clients": clients, "labelled": card["data"]["rows"], "defaults": card["data"]["defaults"],
            "family": card["family"], "pooled_auc": card["cv"]["pooled_auc"], "ceiling": (card["true_pd"] or {}).get("best_auc"),
            "share": (card["true_pd"] or {}).get("share"), "cpu": usage.ru_utime + usage.ru_stime,
            "seconds": time.perf_counter() - started, "peak_mib": usage.ru_maxrss / 1024,
            "candidates": card["champion"]["candidates"], "default_lgbm": default, "args": " ".join(extra)}


def sizes_section(results: dict) -> str:
    """Markdown section: the whole training at each size."""
    lines = ["## Model quality and training cost by size (`bench/train.py --sizes`)", "",
             f"Machine: {machine()}. Load average at the start / end: {results['load_start']} / {load_average()}. "
             f"Measured {time.strftime('%Y-%m-%d %H:%M')}. Synthetic clients (seed 1), "
             f"`python -m modeling train {results['args'] or '(defaults)'}` from the CSV files, one child process "
             "per size; CPU is that process's user + system time (both cores).", "",
             "| clients (labelled / defaults) | production family | pooled OOF AUC | ceiling (true PD) | share | "
             "CPU of the whole training | wall | one default LightGBM: mean fold AUC, fit time |",
             "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for r in results["sizes"]:
        d = r["default_lgbm"]
        single = f"{d['auc_mean']:.4f}, {d['fit_seconds']:.0f} s" if d else "n/a"
        lines.append(f"| {r['clients']:,} ({r['labelled']:,} / {r['defaults']:,}) | {r['family']} | "
                     f"{r['pooled_auc']:.4f} | {r['ceiling'] or float('nan'):.4f} | {(r['share'] or float('nan')):.1%} | "
                     f"{r['cpu'] / 60:.1f} min | {r['seconds'] / 60:.1f} min | {single} |")
    lines += ["", "Candidates at each size (pooled out-of-fold AUC / business cost per client; the chosen one in bold):", ""]
    for r in results["sizes"]:
        cells = [f"{'**' if c['chosen'] else ''}{c['family']} {c['pooled_auc']:.4f} / {c['cost_per_client']:.4f}"
                 f"{'**' if c['chosen'] else ''}" for c in r["candidates"]]
        lines.append(f"- {r['clients']:,} clients: " + ", ".join(cells))
    lines += ["", "Goal: at 10,000 clients a pooled out-of-fold AUC of at least 0.77."]
    return "\n".join(lines)


def bench_latency(url: str, model: Path, clients: int) -> dict:
    """Median / p95 latency of scoring one client, and of reading + building its features."""
    _, _, out = run_child([sys.executable, "-c", LATENCY_CHILD, url, str(model), str(clients)])
    raw = json.loads(out.strip().splitlines()[-1])
    result = {key: _quantiles(raw[key]) for key in ("score", "stored", "read", "transform") if key in raw}
    if "score_error" in raw:
        result["score_error"] = raw["score_error"]
    return result


def _quantiles(times: list[float]) -> dict:
    """Median and p95 in milliseconds."""
    ordered = sorted(times)
    return {"median": ordered[len(ordered) // 2] * 1e3,
            "p95": ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))] * 1e3, "n": len(ordered)}


def section(results: dict) -> str:
    """Markdown section of docs/performance.md."""
    lines = ["## Features, training and one-client latency (`bench/train.py`)", "",
             f"Machine: {machine()}. Load average at the start / end: {results['load_start']} / "
             f"{load_average()}. Measured {time.strftime('%Y-%m-%d %H:%M')}.", ""]
    f = results["features"]
    lines += ["Wall-clock times suffer from other work on a busy machine; CPU times (this process only) do",
              "much less.", "",
              "| step | figure |", "| --- | --- |",
              f"| data | {f['clients']:,} clients, {f['rows']:,} rows, {f['features']} features |",
              f"| read CSV files (`load_csv_tables`) | {f['read']:.1f} s (CPU {f['read_cpu']:.1f} s) |",
              f"| `FeatureBuilder.fit` | {f['fit']:.1f} s (CPU {f['fit_cpu']:.1f} s) |",
              f"| `FeatureBuilder.transform`, all clients | {f['transform']:.1f} s (CPU {f['transform_cpu']:.1f} s) |",
              f"| whole process (read + fit + transform) | {f['total']:.1f} s, peak RSS {f['peak_mib'] / 1024:.1f} GiB |"]
    if "database_features" in results:
        d = results["database_features"]
        lines.append(f"| read the tables from the database (`load_tables`) | {d['read']:.1f} s "
                     f"(then transform {d['transform']:.1f} s, peak RSS {d['peak_mib'] / 1024:.1f} GiB) |")
    train = results.get("train")
    if isinstance(train, dict):
        lines.append(f"| `python -m modeling train {train['args']}`, {results['train_clients']:,} clients | "
                     f"{train['seconds'] / 60:.1f} min, peak RSS {train['peak_mib'] / 1024:.1f} GiB |")
    elif train:
        lines.append(f"| `python -m modeling train` | not measured: {train} |")
    lines += ["", "Targets: all clients < 3 min and < 12 GiB. One-client latency: next section."]
    return "\n".join(lines)


def latency_section(results: dict) -> str:
    """Markdown section for the one-client latency (its own markers, so it can be measured alone)."""
    lines = ["## One client scored and explained from the database (`bench/train.py`)", "",
             f"Machine: {machine()}. Load average at the start / end: {results['load_start']} / {load_average()}. "
             f"Measured {time.strftime('%Y-%m-%d %H:%M')} on the SQLite database of {results['train_clients']:,} "
             "clients with the model trained on it, one process, random clients.", "",
             "| step | figure |", "| --- | --- |"]
    latency = results.get("latency", {})
    for key, label in (("score", "`Scorer.score` computed online (read + features + probability + explanation)"),
                       ("stored", "`Scorer.score` served from the batch score store (`predict --store`)"),
                       ("read", "of the online path: read one client's rows (`load_clients(engine, [id])`)"),
                       ("transform", "of the online path: `FeatureBuilder.transform` of one client")):
        if key in latency:
            q = latency[key]
            lines.append(f"| {label}, {q['n']} clients | median {q['median']:.1f} ms, p95 {q['p95']:.1f} ms |")
    if "score_error" in latency:
        lines.append(f"| `Scorer.score` | not measured: {latency['score_error']} |")
    if isinstance(latency, str):
        lines.append(f"| one-client latency | not measured: {latency} |")
    lines += ["", "Target: one client scored and explained p95 < 50 ms. The API and the dashboard serve the batch "
              "score when it is current (after `python -m modeling predict --store`, until the next load) and "
              "compute online otherwise."]
    return "\n".join(lines)




@click.command(name="python -m bench.train", context_settings=CONTEXT,
               help="benchmark feature building, training and one-client latency.")
@click.option("--clients", type=int, default=FULL_CLIENTS, help="clients for the feature build")
@click.option("--database", help="URL of a loaded database to also time reading all tables from")
@click.option("--train-clients", type=int, default=50_000, help="clients of the training database")
@click.option("--train-args", default="", help='extra options for "modeling train", e.g. "--max-evals 0"')
@click.option("--skip-train", is_flag=True, help="skip the training measurement")
@click.option("--latency-clients", type=int, default=200, help="random clients for the latency (>= 200)")
@click.option("--workdir", type=click.Path(path_type=Path), default=Path(tempfile.gettempdir()) / "homecredit-bench-train",
              help="folder for the training database and model")
@click.option("--no-doc", is_flag=True, help="print the section instead of writing it")
@click.option("--latency-only", is_flag=True,
              help="measure the one-client latency only (database and model of an earlier run in --workdir)")
@click.option("--sizes", default="",
              help="comma-separated client counts: measure the whole training at each size instead")
def cli(**options) -> int:
    """Run the three measurements and write docs/performance.md."""
    args = SimpleNamespace(**options)
    sys.path.insert(0, str(REPO))
    results: dict = {"load_start": load_average(), "train_clients": args.train_clients}
    print(f"machine: {machine()}; load average {results['load_start']}", flush=True)

    if args.sizes:
        results["args"], results["sizes"] = args.train_args, []
        for clients in (int(n) for n in args.sizes.split(",")):
            r = bench_size(clients, args.workdir, args.train_args.split())
            results["sizes"].append(r)
            print(f"{clients:,} clients: {r['family']}, pooled AUC {r['pooled_auc']:.4f} "
                  f"({(r['share'] or float('nan')):.1%} of the ceiling), CPU {r['cpu'] / 60:.1f} min", flush=True)
        body = sizes_section(results)
        print(body) if args.no_doc else write_section("train-sizes", body)
        print(f"done: {len(results['sizes'])} sizes; section written to {'stdout' if args.no_doc else 'docs/performance.md'}")
        return 0

    if args.latency_only:
        url = build_database(args.train_clients, args.workdir)
        results["latency"] = lat = bench_latency(url, args.workdir / "models" / "latest",
                                                 max(args.latency_clients, 200))
        print(f"latency: {json.dumps(lat)}", flush=True)
        body = latency_section(results)
        print(body) if args.no_doc else write_section("latency", body)
        return 0

    folder = dataset(args.clients)
    results["features"] = f = bench_features("csv", str(folder))
    print(f"[1/3] features: {f['clients']:,} clients, read {f['read']:.1f} s, fit {f['fit']:.1f} s, "
          f"transform {f['transform']:.1f} s (CPU {f['transform_cpu']:.1f} s), peak {f['peak_mib'] / 1024:.1f} GiB",
          flush=True)
    if args.database:
        results["database_features"] = d = bench_features("db", args.database)
        print(f"      from the database: read {d['read']:.1f} s", flush=True)

    args.workdir.mkdir(parents=True, exist_ok=True)
    url = build_database(args.train_clients, args.workdir)
    model_dir = args.workdir / "models"
    if args.skip_train:
        results["train"] = "skipped (--skip-train)"
    else:
        try:
            results["train"] = t = bench_train(url, model_dir, args.train_args.split())
            print(f"[2/3] training: {t['seconds'] / 60:.1f} min, peak {t['peak_mib'] / 1024:.1f} GiB", flush=True)
        except RuntimeError as error:
            results["train"] = f"training CLI not ready ({error})"
            print(f"[2/3] training skipped: {error}", flush=True)
    try:
        results["latency"] = lat = bench_latency(url, model_dir / "latest", max(args.latency_clients, 200))
        print(f"[3/3] latency: {json.dumps(lat)}", flush=True)
    except RuntimeError as error:
        results["latency"] = str(error)
    body, latency = section(results), latency_section(results)
    if args.no_doc:
        print(body, latency, sep="\n\n")
    else:
        write_section("train", body)
        write_section("latency", latency)
    print(f"done: features {f['total']:.0f} s / {f['peak_mib'] / 1024:.1f} GiB; section written to "
          f"{'stdout' if args.no_doc else 'docs/performance.md'}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    return run(cli, argv, cli.name)


if __name__ == "__main__":
    raise SystemExit(main())
