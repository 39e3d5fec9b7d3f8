"""Benchmark of the deployment: installed size of each requirements set, and the deployed process's memory.

Sizes are summed over the files each installed distribution records (its RECORD), for the dependency
closure of requirements.txt (serving), requirements-train.txt (+ training) and requirements-dev.txt
(+ tests and tools), read from this virtualenv. With --serving-venv DIR (a virtualenv where only
requirements.txt was installed: ``python -m venv DIR && DIR/bin/pip install -r requirements.txt``) it also
measures that folder, checks no training package is importable there, and runs the release and the web
process (``python -m webapp release`` then ``serve``) from it on a fresh demo database, measuring the resident
memory of the web process at start, once the dashboard's portfolio is loaded, and after some traffic.
Writes its section of docs/performance.md between the bench:deploy markers.

    python -m bench.deploy --serving-venv /tmp/serving-venv
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from importlib import metadata
from pathlib import Path
from types import SimpleNamespace

import click
from packaging.requirements import Requirement

from bench.performance_doc import machine, write_section
from settings.cli import CONTEXT, run
from webapp.smoke import wait_healthy

REPO = Path(__file__).resolve().parent.parent
SETS = (("serving", "requirements.txt"), ("serving + training", "requirements-train.txt"),
        ("serving + training + tests and tools", "requirements-dev.txt"))
TRAINING_ONLY = ("imblearn", "hyperopt", "shap", "matplotlib", "optbinning", "fairlearn")
MIB = 1024 ** 2


class ServingFailure(RuntimeError):
    """The release or the web process cannot run from the given virtualenv."""


def requirement_names(path: Path) -> list[str]:
    """Package names of a requirements file, following ``-r`` includes."""
    names: list[str] = []
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line.startswith("-r"):
            names += requirement_names(path.parent / line[2:].strip())
        elif line:
            names.append(Requirement(line).name)
    return names


def closure(names: list[str]) -> set[str]:
    """The distributions installed for ``names`` and everything they require (no extras)."""
    seen: set[str] = set()
    todo = list(names)
    while todo:
        name = todo.pop().lower().replace("_", "-")
        if name in seen:
            continue
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        seen.add(name)
        for text in dist.requires or []:
            requirement = Requirement(text)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                todo.append(requirement.name)
    return seen


def installed_mib(names: set[str]) -> float:
    """MiB of the files the distributions recorded at install."""
    total = 0
    for name in names:
        dist = metadata.distribution(name)
        for file in dist.files or []:
            try:
                total += Path(dist.locate_file(file)).stat().st_size
            except OSError:
                pass
    return total / MIB


def folder_mib(folder: Path) -> float:
    """MiB of every file under ``folder``."""
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink()) / MIB


def rss_mib(pid: int) -> float:
    """Resident memory of a process and its children, in MiB."""
    import psutil  # deferred: dev package

    process = psutil.Process(pid)
    return sum(p.memory_info().rss for p in [process, *process.children(recursive=True)]) / MIB


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str, key: str = "") -> int:
    request = urllib.request.Request(url, headers={"X-API-Key": key} if key else {})
    with urllib.request.urlopen(request, timeout=60) as response:  # nosec B310: http(s) URL of the deployment under test, given by its operator
        response.read()
        return response.status


def measure_process(python: Path, clients: int, requests: int) -> dict:
    """Release and serve from ``python`` on a fresh demo database; RSS of the web process at each stage."""
    folder = Path(tempfile.mkdtemp(prefix="bench-deploy-"))
    port, key = _free_port(), secrets.token_urlsafe(16)
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{folder / 'bank.db'}", "DEMO_MODE": "1",
           "DEMO_CLIENTS": str(clients), "PORT": str(port), "WEB_HOST": "127.0.0.1", "DEMO_API_KEY": key,
           "OMP_NUM_THREADS": "1", "SCORING_RATE_LIMIT": "100000", "SCORING_RATE_BURST": "100000"}
    started = time.perf_counter()
    done = subprocess.run([str(python), "-m", "webapp", "release"], cwd=REPO, env=env, check=False,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if done.returncode:
        raise ServingFailure((done.stderr.strip().splitlines() or ["no message"])[-1])
    release_s = time.perf_counter() - started
    log = open(folder / "web.log", "wb")
    server = subprocess.Popen([str(python), "-m", "webapp", "serve"], cwd=REPO, env=env, stdout=log,
                              stderr=subprocess.STDOUT, start_new_session=True)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_healthy(base, 300, say=lambda _line: None)
        at_start = rss_mib(server.pid)
        while b"portfolio of" not in (folder / "web.log").read_bytes():
            time.sleep(0.5)
        _get(f"{base}/")
        with_portfolio = rss_mib(server.pid)
        latencies, seconds = score_load(base, key, clients, requests)
        for _ in range(5):
            _get(f"{base}/")
        after = rss_mib(server.pid)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        log.close()
    return {"release_s": release_s, "start": at_start, "portfolio": with_portfolio, "after": after,
            "median_ms": statistics.median(latencies) * 1000,
            "p95_ms": statistics.quantiles(latencies, n=20)[-1] * 1000, "per_s": requests / seconds}


def score_load(base: str, key: str, clients: int, requests: int, callers: int = 4) -> tuple[list[float], float]:
    """``requests`` scores of distinct clients by ``callers`` concurrent callers; latencies and wall seconds."""
    def one(number: int) -> float:
        started = time.perf_counter()
        assert _get(f"{base}/api/v1/clients/{100_002 + number % clients}/score", key) == 200
        return time.perf_counter() - started

    started = time.perf_counter()
    with ThreadPoolExecutor(callers) as pool:
        latencies = list(pool.map(one, range(requests)))
    return latencies, time.perf_counter() - started


def memory_rows(memory: dict, requests: int) -> list[str]:
    """The memory table and the latency line of one measured process."""
    return ["| moment | resident memory |", "| --- | ---: |",
            f"| health check answered (model loaded) | {memory['start']:,.0f} MiB |",
            f"| dashboard portfolio loaded, first page served | {memory['portfolio']:,.0f} MiB |",
            f"| after {requests} scores and 5 dashboard pages | {memory['after']:,.0f} MiB |", "",
            f"Scores through the one port ({requests} clients, 4 concurrent callers, batch scores served, "
            "rate limit lifted): "
            f"median {memory['median_ms']:.0f} ms, p95 {memory['p95_ms']:.0f} ms, {memory['per_s']:.0f} scores/s.", ""]


@click.command(name="python -m bench.deploy", context_settings=CONTEXT, help=__doc__.split("\n")[0])
@click.option("--serving-venv", type=click.Path(path_type=Path), help="a virtualenv holding only requirements.txt")
@click.option("--this-venv", is_flag=True,
              help="run the process from this virtualenv instead (when serving still needs more)")
@click.option("--clients", type=int, default=3000, help="demo clients of the measured process")
@click.option("--requests", type=int, default=300, help="score requests before the last reading")
@click.option("--no-write", is_flag=True, help="print only, do not update docs/performance.md")
def cli(**options) -> int:
    """Run the benchmark and write its section."""
    args = SimpleNamespace(**options)
    rows = []
    for label, file in SETS:
        names = closure(requirement_names(REPO / file))
        rows.append(f"| {label} (`{file}`) | {len(names)} | {installed_mib(names):,.0f} MiB |")
        print(rows[-1], flush=True)
    lines = ["## Deployment (`python -m bench.deploy`)", "", f"Machine: {machine()}.", "",
             "Installed size of each requirements set (files recorded by the installed distributions, "
             "dependencies included):", "", "| set | distributions | installed |", "| --- | ---: | ---: |",
             *rows, ""]
    if args.this_venv:
        memory = measure_process(Path(sys.executable), args.clients, args.requests)
        print(memory, flush=True)
        lines += [f"From this virtualenv (every requirements set), `python -m webapp release` on an empty SQLite "
                  f"database ({args.clients:,} demo clients loaded and scored, the demo model given) took "
                  f"{memory['release_s']:.0f} s, and the web process (`python -m webapp serve`: dashboard and "
                  "API in one process) held:", "", *memory_rows(memory, args.requests)]
    if args.serving_venv:
        python = args.serving_venv / "bin" / "python"
        site = next((args.serving_venv / "lib").glob("python3*/site-packages"))
        absent = [m for m in TRAINING_ONLY if subprocess.run([str(python), "-c", f"import {m}"], cwd="/",
                                                             capture_output=True).returncode]
        print(f"serving virtualenv: {folder_mib(site):,.0f} MiB; training packages absent: {absent}", flush=True)
        lines.append(f"A virtualenv with only `requirements.txt`: site-packages {folder_mib(site):,.0f} MiB; "
                     f"training packages not importable there: {', '.join(absent) or 'none'}.")
        try:
            memory = measure_process(python, args.clients, args.requests)
        except ServingFailure as failure:
            print(f"serving virtualenv cannot run the release: {failure}", flush=True)
            lines += [f"The release cannot run from it yet: `{failure}`.", ""]
        else:
            print(memory, flush=True)
            lines += [f"From it, `python -m webapp release` on an empty SQLite database ({args.clients:,} demo "
                      f"clients loaded and scored, the demo model given) took {memory['release_s']:.0f} s, and "
                      "the web process (`python -m webapp serve`: dashboard and API in one process) held:", "",
                      *memory_rows(memory, args.requests)]
    load = "/".join(f"{x:.1f}" for x in os.getloadavg())
    lines[2] = (f"Machine: {machine()}. Load average at the end: {load} (times on these shared cores grow with it; "
                "sizes and memory do not).")
    if not args.no_write:
        write_section("deploy", "\n".join(lines))
    print("deploy benchmark done")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    return run(cli, argv, cli.name)


if __name__ == "__main__":
    sys.exit(main())
