"""Benchmark of `python -m modeling monitor`: each stage measured at N clients, the comparison at full size.

Writes its section of docs/performance.md (between ``<!-- bench:monitor -->`` markers):

1. a synthetic population of N clients (default 50,000) is generated, loaded into SQLite and a small
   model trained on it (reused when present in --work);
2. one monitoring run over every client, stage by stage (read and features, scoring, comparison,
   report), in this process, with CPU time and peak memory;
3. the comparison stage alone (PSI of the score and of every characteristic, back-testing) on
   356,255 rows made by repeating the N clients' rows: measured at full size, not extrapolated.

    .venv/bin/python bench/monitor.py [--clients 50000] [--work data/bench-monitor]
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

import click

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import numpy as np
import pandas as pd

from bench.performance_doc import machine, write_section  # noqa: E402
from database.config import get_engine
from database.loader import load
from database.synthetic import generate
from modeling.monitoring import drift
from modeling.monitoring.report import write_report
from modeling.monitoring.run import population
from modeling.serving.artifact import load_bundle
from modeling.serving.scorer import Scorer
from settings.cli import CONTEXT, run  # noqa: E402

FULL_CLIENTS = 356_255


def _say(message: str) -> None:
    print(f"[bench monitor] {message}", file=sys.stderr, flush=True)


def _peak_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 ** 2


def prepare(clients: int, work: Path) -> tuple[str, Path]:
    """Generate, load and train once in ``work``; the database URL and the model folder."""
    csv, models, db = work / "csv", work / "models", work / "bank.db"
    url = f"sqlite:///{db}"
    if not (csv / "application_train.csv").exists():
        generate(clients, 42, csv, progress=_say)
    if not db.exists():
        load([csv], url, progress=None)
        _say(f"loaded {clients:,} clients into {db}")
    if not (models / "latest").exists():
        _say("training a small model (2 folds, default parameters, 20,000 clients)")
        env = {**os.environ, "DATABASE_URL": url, "MODEL_DIR": str(models)}
        subprocess.run([sys.executable, "-m", "modeling", "train", "--folds", "2", "--max-evals", "0",
                        "--sample", str(min(clients, 20_000)), "--strategies", "none", "--no-baselines",
                        "--compare-rows", "2000"], cwd=REPO, env=env, check=True)
    return url, (models / "latest").resolve()


def timed(stages: list, name: str, work):
    """Run work(), record its wall and CPU time under ``name``; its result."""
    started, cpu = time.perf_counter(), time.process_time()
    out = work()
    stages.append((name, time.perf_counter() - started, time.process_time() - cpu))
    _say(f"{name}: {stages[-1][1]:.1f} s")
    return out


@click.command(name="python -m bench.monitor", context_settings=CONTEXT, help=__doc__.split("\n\n")[0])
@click.option("--clients", type=int, default=50_000, help="clients of the synthetic database measured")
@click.option("--work", type=click.Path(path_type=Path), default=REPO / "data" / "bench-monitor",
              help="folder of the database and model (one subfolder per size, reused)")
@click.option("--no-write", is_flag=True, help="print the section, do not write docs/performance.md")
def cli(**options) -> int:
    """Measure and write the section."""
    args = SimpleNamespace(**options)
    url, folder = prepare(args.clients, args.work / str(args.clients))
    load_before = os.getloadavg()
    scorer = Scorer(load_bundle(folder), get_engine(url))
    stages: list = []
    features = timed(stages, "read the tables and build the features of every client (`Scorer.all_features`)",
                     lambda: scorer.all_features())
    pop = timed(stages, "read the application table, score (production model, out-of-fold for training clients)",
                lambda: population(scorer, features))
    result = timed(stages, "compare with the reference (PSI of the score and of every characteristic, back-testing)",
                   lambda: drift.compare(scorer.bundle, pop.features, pop.probabilities, pop.application, pop.outcomes))
    with tempfile.TemporaryDirectory() as out:
        timed(stages, "write the report (Markdown and 3 PNG figures)", lambda: write_report(result, Path(out)))
    total = sum(s[1] for s in stages)
    peak_n = _peak_gib()
    full: list = []
    if len(pop.features) < FULL_CLIENTS:  # the comparison alone at full size, on the clients' rows repeated
        repeat = int(np.ceil(FULL_CLIENTS / len(pop.features)))
        idx = np.arange(len(pop.features) * repeat)[:FULL_CLIENTS] % len(pop.features)
        big_features = pop.features.iloc[idx].set_axis(pd.RangeIndex(FULL_CLIENTS), axis=0)
        big_app = pop.application.set_index("SK_ID_CURR").reindex(pop.features.index).iloc[idx]
        big_app = big_app.set_axis(pd.RangeIndex(FULL_CLIENTS), axis=0).reset_index(names="SK_ID_CURR")
        big_outcomes = pd.Series(pop.outcomes.reindex(pop.features.index).to_numpy()[idx])
        timed(full, "compare at 356,255 rows", lambda: drift.compare(
            scorer.bundle, big_features, pop.probabilities[idx], big_app, big_outcomes))
    load_after = os.getloadavg()
    n = len(pop.features)
    per_client = (stages[0][1] + stages[1][1]) / n
    per_client_cpu = (stages[0][2] + stages[1][2]) / n
    rows = [f"| {name} | {wall:.1f} s (CPU {cpu:.1f} s) |" for name, wall, cpu in stages]
    if full:
        scale_text = f"""| the comparison stage alone on {FULL_CLIENTS:,} rows (the {n:,} clients' rows repeated) | {full[0][1]:.1f} s (CPU {full[0][2]:.1f} s), peak RSS of the process {_peak_gib():.2f} GiB |

At 356,255 clients: the comparison stage was measured at that size (above). Reading, features and
scoring were measured at {n:,} clients only: {per_client * 1000:.2f} ms per client of wall time here
({per_client_cpu * 1000:.2f} ms of CPU), which, if they grow linearly with the clients, extrapolates to
{per_client * FULL_CLIENTS / 60:.1f} min of wall time ({per_client_cpu * FULL_CLIENTS / 60:.1f} min of CPU) for
356,255 clients on SQLite — an extrapolation, not a measurement."""
    else:
        scale_text = f"""
Every stage above was measured on all {n:,} clients ({per_client * 1000:.2f} ms of wall time and
{per_client_cpu * 1000:.2f} ms of CPU per client for reading, features and scoring). Wall times on this
shared machine suffer from the other work running beside it (see the load average)."""
    scale_text += """ After `predict --store`, the monitoring reuses the features the batch has just built, so only
the scoring and comparison stages are added to it."""
    body = f"""<!-- bench:monitor -->
## Model monitoring (`bench/monitor.py`)

Machine: {machine()}. Load average at the start / end: {'/'.join(f'{x:.1f}' for x in load_before)} / {'/'.join(f'{x:.1f}' for x in load_after)}. Measured {time.strftime('%Y-%m-%d %H:%M')}.

`python -m modeling monitor` over the {n:,} clients of a synthetic SQLite database ({len(result['features'])}
characteristics monitored, model trained on {scorer.bundle.reference['clients']:,} of them), stage by stage, in one process:

| stage, {n:,} clients | figure |
| --- | --- |
{chr(10).join(rows)}
| whole run | {total:.1f} s, peak RSS {peak_n:.2f} GiB |
{scale_text}
<!-- /bench:monitor -->"""
    print(body)
    if not args.no_write:
        write_section("monitor", body)
    return 0


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    return run(cli, argv, cli.name)


if __name__ == "__main__":
    sys.exit(main())
