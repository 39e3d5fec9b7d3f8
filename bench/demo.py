"""Benchmark of the first demo: ``make demo`` in a fresh clone, timed until both apps answer.

Each run clones the repository's committed HEAD into a new folder (no data, no model), gives it a
virtualenv made of links to this one (the packages are installed already: the pip download is not timed),
runs ``make demo`` under ``nice`` on free ports, and records the seconds until the API's health check and
the dashboard page both answer 200; then stops it. Writes the runs and their median to the bench:demo
section of docs/performance.md.

    python -m bench.demo --runs 3
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import SimpleNamespace

import click

from bench.performance_doc import machine, write_section
from settings.cli import CONTEXT, run

REPO = Path(__file__).resolve().parent.parent


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # nosec B310: http://127.0.0.1 URLs of the demo this benchmark started
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _linked_venv(clone: Path) -> None:
    """A .venv in the clone whose bin/ and lib/ are this virtualenv's, marked as installed."""
    source = Path(sys.prefix)
    venv = clone / ".venv"
    venv.mkdir()
    for name in ("bin", "lib", "include"):
        if (source / name).exists():
            (venv / name).symlink_to(source / name)
    shutil.copy(source / "pyvenv.cfg", venv / "pyvenv.cfg")
    (venv / ".installed").touch()


class CpuMeter:
    """CPU seconds used by a process and its descendants, sampled while they run (by process, latest reading)."""

    def __init__(self, pid: int) -> None:
        import psutil  # deferred: dev package

        self.root = psutil.Process(pid)
        self.seen: dict[int, float] = {}

    def sample(self) -> None:
        import psutil  # deferred: dev package

        try:
            processes = [self.root, *self.root.children(recursive=True)]
        except psutil.Error:
            return
        for process in processes:
            try:
                times = process.cpu_times()
                self.seen[process.pid] = times.user + times.system
            except psutil.Error:
                pass

    def seconds(self) -> float:
        return sum(self.seen.values())


def run_demo(number: int, timeout: float) -> tuple[float, float, float, Path]:
    """Clone, run ``make demo``; seconds until the API, then the dashboard, answered; CPU seconds; the log."""
    clone = Path(tempfile.mkdtemp(prefix=f"demo-run-{number}-"))
    subprocess.run(["git", "clone", "--quiet", "--no-hardlinks", str(REPO), str(clone)], check=True)
    _linked_venv(clone)
    api_port, dashboard_port = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "MODEL_DIR", "MAKEFLAGS")}
    log_path = clone / "demo.log"
    log = open(log_path, "wb")
    started = time.perf_counter()
    make = subprocess.Popen(["nice", "-n", "10", "make", "demo", f"API_PORT={api_port}",
                             f"DASHBOARD_PORT={dashboard_port}"], cwd=clone, env=env, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)
    api_url = f"http://127.0.0.1:{api_port}/api/v1/health"
    dashboard_url = f"http://localhost:{dashboard_port}/bokeh_app"
    api_s = dashboard_s = None
    next_report = time.perf_counter() + 10
    meter = CpuMeter(make.pid)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run the clean-up below when stopped
    try:
        while api_s is None or dashboard_s is None:
            meter.sample()
            elapsed = time.perf_counter() - started
            if make.poll() is not None or elapsed > timeout:
                raise RuntimeError(f"run {number}: make demo stopped or timed out after {elapsed:.0f} s; "
                                   f"see {log_path}")
            if api_s is None and _answers(api_url):
                api_s = elapsed
            if dashboard_s is None and _answers(dashboard_url):
                dashboard_s = elapsed
            if time.perf_counter() >= next_report:
                last = log_path.read_text(errors="replace").strip().splitlines()[-1:] or [""]
                print(f"  run {number}: {elapsed:5.0f} s  {last[0][:100]}", flush=True)
                next_report += 10
            time.sleep(1)
        meter.sample()
    finally:
        os.killpg(make.pid, signal.SIGTERM)
        make.wait(timeout=60)
        log.close()
    return api_s, dashboard_s, meter.seconds(), log_path


@click.command(name="python -m bench.demo", context_settings=CONTEXT, help=__doc__.split("\n")[0])
@click.option("--runs", type=int, default=3, help="fresh clones to time")
@click.option("--timeout", type=float, default=1800, help="seconds before a run is abandoned")
@click.option("--no-write", is_flag=True, help="print only, do not update docs/performance.md")
def cli(**options) -> int:
    """Run the benchmark and write its section."""
    args = SimpleNamespace(**options)
    both, cpu, rows = [], [], []
    for number in range(1, args.runs + 1):
        api_s, dashboard_s, cpu_s, log_path = run_demo(number, args.timeout)
        both.append(max(api_s, dashboard_s))
        cpu.append(cpu_s)
        load = os.getloadavg()[0]
        train = [line for line in log_path.read_text(errors="replace").splitlines() if line.startswith("model ")]
        rows.append(f"| {number} | {api_s:.0f} s | {dashboard_s:.0f} s | {both[-1] / 60:.1f} min | "
                    f"{cpu_s / 60:.1f} min | {load:.1f} |")
        print(rows[-1], train[-1][:160] if train else "", flush=True)
        shutil.rmtree(log_path.parent, ignore_errors=True)
    median = statistics.median(both)
    print(f"demo benchmark done: median {median / 60:.1f} min to both apps answering over {args.runs} runs")
    if not args.no_write:
        write_section("demo", "\n".join([
            "## First demo (`python -m bench.demo`)", "",
            f"Machine: {machine()}; other work shares the cores (load average at the end of each run below).",
            "",
            "`make demo` in a fresh clone of the repository (no data, no model; the virtualenv already "
            "installed, so the package download is not counted), under `nice`: 10,000 synthetic clients "
            "generated and loaded, the demo model trained (the Makefile's `TRAIN_ARGS`), every client scored "
            "into the batch store, then the API and the dashboard started.", "",
            "| run | API answers | dashboard answers | both | CPU time of the demo | load average |",
            "| ---: | ---: | ---: | ---: | ---: | ---: |", *rows, "",
            f"Median time until both answer: **{median / 60:.1f} min**; median CPU time used by the demo's "
            f"processes: {statistics.median(cpu) / 60:.1f} min (the time on 2 otherwise idle cores lies between "
            "half of it and all of it, as the steps use one or two cores).", ""]))
    return 0


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    return run(cli, argv, cli.name)


if __name__ == "__main__":
    sys.exit(main())
