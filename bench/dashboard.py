"""Benchmark of the dashboard: server start, memory per session, client switch and cohort selection times.

Uses the configured database and model (DATABASE_URL, MODEL_DIR). With --scale N the portfolio's clients are
replicated to N rows (new IDs, same scores and features) to measure sessions at full Home Credit size
(356,000 clients) when the database holds fewer; explanations of replicated clients come from their originals.
Writes its section of docs/performance.md between the bench:dashboard markers.

    python -m bench.dashboard --scale 356000
"""
from __future__ import annotations

import gc
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
import weakref
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

import click
import numpy as np
import pandas as pd
from bokeh.application import Application
from bokeh.application.handlers import DirectoryHandler
from bokeh.document import Document
from bokeh.server.contexts import ApplicationContext, BokehSessionContext

from bench.browser import DEEP_QUERY, browser_paths, chromium
from bench.performance_doc import DOC, write_section
from bokeh_app.config import DashboardSettings
from bokeh_app.portfolio import Portfolio, load_portfolio
from database.config import get_engine
from modeling.serving.artifact import load_bundle, resolve
from modeling.serving.scorer import Scorer
from modeling.serving.store import stored_frame
from settings.cli import CONTEXT
from settings.cli import run as run_command

REPO = Path(__file__).resolve().parent.parent


def server_start_seconds(timeout: float = 1800) -> float:
    """Seconds from `bokeh serve bokeh_app` to the first page served (the portfolio is loaded before)."""
    return server_start(timeout)[0]


def server_start(timeout: float = 1800, env: dict | None = None) -> tuple[float, float]:
    """Seconds from `bokeh serve bokeh_app` (in ``env``, default this one) to its first page, and the server's
    resident memory (GiB) then."""
    import psutil  # deferred: dev package

    with _served(env) as (proc, url, start):
        seconds = _first_answer(proc, url, start, timeout)
        return seconds, psutil.Process(proc.pid).memory_info().rss / 2 ** 30


def page_start(env: dict | None = None, screenshot: Path | None = None, timeout: float = 1800) -> dict:
    """What the first user meets after `bokeh serve bokeh_app`: headless Chromium asks for the page as soon as
    the server listens (the request waits while the portfolio loads). Seconds from the start to the page loaded
    (its HTML and scripts) and to the first client's verdict and reasons drawn; the server's memory (GiB) then.
    The browser starts before the server (its own start is not the dashboard's); ``screenshot`` keeps the page."""
    import psutil  # deferred: dev package

    paths = browser_paths()
    if paths is None:
        raise RuntimeError("Chromium and chromedriver are needed: apt-get install -y chromium chromium-driver")
    with tempfile.TemporaryDirectory() as profile:
        browser = chromium(paths, Path(profile))
        browser.set_page_load_timeout(timeout)
        try:
            with _served(env) as (proc, url, start):
                _listening(proc, url, start, timeout)
                browser.get(url)
                answered = time.perf_counter() - start
                while not all(browser.execute_script(DEEP_QUERY, s, None) for s in ("p.verdict", "ul.reasons li")):
                    if time.perf_counter() - start > timeout:
                        raise RuntimeError(f"the page showed no verdict within {timeout:.0f} s")
                    time.sleep(0.1)
                shown = time.perf_counter() - start
                gib = psutil.Process(proc.pid).memory_info().rss / 2 ** 30
                if screenshot is not None:
                    browser.save_screenshot(str(screenshot))
        finally:
            browser.quit()
    return {"answer_s": answered, "page_s": shown, "gib": gib}


def _listening(proc, url: str, start: float, timeout: float) -> None:
    """Wait until the server at ``url`` accepts connections (it listens before its load hook has run)."""
    port = urllib.parse.urlsplit(url).port
    while time.perf_counter() - start < timeout:
        if proc.poll() is not None:
            raise RuntimeError(f"bokeh serve exited with code {proc.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"the dashboard did not listen within {timeout:.0f} s")


@contextmanager
def _served(env: dict | None):
    """`python -m bokeh_app serve --no-auth` on a free loopback port: (process, page URL, perf_counter at its start)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "bokeh_app", "serve", "--no-auth", "--port", str(port),
                             "--address", "127.0.0.1", f"--allow-websocket-origin=127.0.0.1:{port}"],
                            cwd=REPO, env={**(env or os.environ), "PYTHONPATH": str(REPO)},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        yield proc, f"http://127.0.0.1:{port}/bokeh_app", start
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _first_answer(proc, url: str, start: float, timeout: float) -> float:
    """Seconds from ``start`` to the server's first page (HTTP 200) at ``url``."""
    while time.perf_counter() - start < timeout:
        if proc.poll() is not None:
            raise RuntimeError(f"bokeh serve exited with code {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=10) as r:  # nosec B310: http://127.0.0.1 URL of the server this benchmark started
                if r.status == 200:
                    return time.perf_counter() - start
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"the dashboard did not answer within {timeout:.0f} s")


def scale_up(portfolio, n: int):
    """A portfolio of n clients made of copies of the real ones (IDs shifted), for full-size measurements."""
    real = portfolio.clients
    reps = int(np.ceil(n / len(real)))
    step = int(real.index.max()) + 1
    ids = np.concatenate([real.index.to_numpy() + k * step for k in range(reps)])[:n]
    take = np.tile(np.arange(len(real)), reps)[:n]
    clients = real.iloc[take].set_axis(pd.Index(ids, name="SK_ID_CURR"))
    features = portfolio.features.iloc[take].set_axis(clients.index)
    original = lambda cid, lang="fr": portfolio.explain(int(cid) % step, lang)  # noqa: E731
    return Portfolio(clients=clients, features=features, oof=portfolio.oof, threshold=portfolio.threshold,
                     cost=portfolio.cost, model_version=portfolio.model_version, explain=original,
                     f1_threshold=portfolio.f1_threshold, oof_kind=portfolio.oof_kind,
                     n_neighbours=portfolio.n_neighbours)


def new_session(app, context, i: int):
    """A session document of the directory app, as the server builds it for a browser tab."""
    doc = Document()
    session = BokehSessionContext(f"bench-{i}", context.server_context, doc)
    doc._session_context = weakref.ref(session)
    app.initialize_document(doc)
    return SimpleNamespace(doc=doc, session=session)


def rss_mib() -> float:
    import psutil  # deferred: dev package

    return psutil.Process().memory_info().rss / 2**20


def timed(action, repeat: list) -> list[float]:
    """Milliseconds of each call of action(item)."""
    out = []
    for item in repeat:
        start = time.perf_counter()
        action(item)
        out.append(1000 * (time.perf_counter() - start))
    return out


def p(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


def run(scale: int | None, sessions: int, switches: int, serve: bool) -> dict:
    """Every measurement, as a dict of figures."""
    settings = DashboardSettings.from_env(auth=False)  # sessions measured as a signed-in administrator's: every tab
    out: dict = {}
    if serve:
        out["server_start_s"] = server_start_seconds()
    before = rss_mib()
    start = time.perf_counter()
    portfolio = load_portfolio(settings, say=lambda m: print(m, file=sys.stderr))
    out["portfolio_load_s"] = time.perf_counter() - start
    out["real_clients"] = len(portfolio.clients)
    if scale and scale > len(portfolio.clients):
        start = time.perf_counter()
        portfolio = scale_up(portfolio, scale)
        out["scale_up_s"] = time.perf_counter() - start
    out["clients"] = len(portfolio.clients)
    gc.collect()
    out["portfolio_mib"] = rss_mib() - before

    app = Application(DirectoryHandler(filename=str(REPO / "bokeh_app")))
    context = ApplicationContext(app)
    context.server_context.settings, context.server_context.portfolio = settings, portfolio
    new_session(app, context, -1)  # warm-up: imports and first compilation
    gc.collect()
    before = rss_mib()
    start = time.perf_counter()
    docs = [new_session(app, context, i) for i in range(sessions)]
    out["session_build_ms"] = 1000 * (time.perf_counter() - start) / sessions
    gc.collect()
    out["session_mib"] = (rss_mib() - before) / sessions

    doc = docs[0].doc
    rng = np.random.default_rng(0)
    ids = [int(i) for i in rng.choice(portfolio.clients.index.to_numpy(), size=switches, replace=False)]
    search = doc.select_one({"name": "client_search"})
    switch = timed(lambda cid: setattr(search, "value", str(cid)), ids)
    out["switch_ms_p50"], out["switch_ms_p95"] = p(switch, 50), p(switch, 95)
    explain = timed(lambda cid: portfolio.explain(cid, "fr"), ids[:20])
    out["explain_ms_p50"] = p(explain, 50)
    scorer = _online_scorer()
    out["store_current"] = _store_current(scorer.engine, portfolio)
    online = timed(lambda cid: scorer.score(cid, "fr"), ids[:20])
    out["online_ms_p50"], out["online_ms_p95"] = p(online, 50), p(online, 95)
    out["engine"] = scorer.engine.dialect.name

    hist = doc.select_one({"name": "cohort_hist"})
    tiles = doc.select_one({"name": "cohort_tiles"})
    bars = doc.select_one({"name": "cohort_bars"})
    bins = len(hist.data["left"])
    picks = [sorted(rng.choice(bins, size=rng.integers(1, 6), replace=False).tolist()) for _ in range(20)]
    cohort = timed(lambda b: setattr(hist.selected, "indices", b), picks)
    n_tiles = len(tiles.data["q"])
    boxes = [rng.choice(n_tiles, size=max(1, n_tiles // 4), replace=False).tolist() for _ in range(10)]
    cohort += timed(lambda b: setattr(tiles.selected, "indices", b), boxes)
    cohort += timed(lambda i: setattr(bars.selected, "indices", [i]), list(range(len(bars.data["category"]))))
    out["cohort_ms_p50"], out["cohort_ms_p95"] = p(cohort, 50), p(cohort, 95)
    chosen = doc.select_one({"name": "cost_fn"})
    costs = timed(lambda v: (setattr(chosen, "value", v), chosen.trigger("value_throttled", None, v)),
                  [5.0, 15.0, 25.0, 35.0, 45.0])
    out["threshold_ms_p50"] = p(costs, 50)
    out["density_tiles"] = n_tiles
    out["oof_rows"] = len(portfolio.oof)
    return out


def _online_scorer():
    """A Scorer over the configured model and database (explanations computed, never read from the store)."""
    config = DashboardSettings.from_env()
    return Scorer(load_bundle(resolve(config.model_path)), get_engine(config.database_url))


def _store_current(engine, portfolio) -> int:
    """How many clients have a current batch score of the portfolio's model."""
    return len(stored_frame(engine, portfolio.model_version))


def markdown(r: dict, args) -> str:
    """The docs/performance.md section."""
    scaled = r["clients"] != r["real_clients"]
    lines = [
        "## Dashboard (Bokeh server)",
        "",
        f"Measured by `python -m bench.dashboard --scale {args.scale}` on "
        f"{time.strftime('%Y-%m-%d')} ({os.cpu_count()} cores). Database ({r['engine']}): {r['real_clients']:,} clients"
        + (f", replicated to **{r['clients']:,} clients** (the full Home Credit size) for the session figures."
           if scaled else "."),
        "",
        "| measure | value | goal |",
        "| --- | --- | --- |",
    ]
    if "server_start_s" in r:
        lines.append(f"| `bokeh serve` start to first page ({r['real_clients']:,} clients: model, scoring, "
                     f"neighbours) | {r['server_start_s']:.1f} s | |")
    lines += [
        f"| portfolio load in process ({r['real_clients']:,} clients) | {r['portfolio_load_s']:.1f} s | |",
        f"| memory of the shared portfolio ({r['clients']:,} clients) | {r['portfolio_mib']:.0f} MiB | |",
        f"| memory per session | {r['session_mib']:.1f} MiB | small |",
        f"| building one session document | {r['session_build_ms']:.0f} ms | |",
        f"| switch client, server side (p50 / p95, {args.switches} clients) | {r['switch_ms_p50']:.0f} / "
        f"{r['switch_ms_p95']:.0f} ms | p95 < 200 ms |",
        f"| of which the explanation (p50; batch score store current for {r['store_current']:,} clients) | "
        f"{r['explain_ms_p50']:.0f} ms | |",
        f"| one client computed online: read, features, model, SHAP (p50 / p95, 20 clients) | "
        f"{r['online_ms_p50']:.0f} / {r['online_ms_p95']:.0f} ms | |",
        f"| apply a cohort selection (p50 / p95) | {r['cohort_ms_p50']:.0f} / {r['cohort_ms_p95']:.0f} ms | |",
        f"| recompute the cost curve ({r['oof_rows']:,} OOF predictions, p50) | {r['threshold_ms_p50']:.0f} ms | |",
        f"| hexagons drawn in the cohort density (every client) | {r['density_tiles']:,} | ≤ 20,000 |",
        "",
        "Plots receive aggregates (histograms, rates per category, clients per hexagon) computed on the whole "
        "portfolio; the portfolio lives once per server process.",
    ]
    return "\n".join(lines)




@click.command(name="python -m bench.dashboard", context_settings=CONTEXT, help=__doc__.splitlines()[0])
@click.option("--scale", type=int, default=356_000, help="clients in the measured portfolio (0 = as is)")
@click.option("--sessions", type=int, default=5, help="sessions built to measure memory")
@click.option("--switches", type=int, default=50, help="clients opened to time the switch")
@click.option("--no-serve", is_flag=True, help="skip the bokeh serve start-up measurement")
@click.option("--no-write", is_flag=True, help="print without updating docs/performance.md")
def cli(**options) -> int:
    """Run the benchmark and write its section."""
    args = SimpleNamespace(**options)
    result = run(args.scale or None, args.sessions, args.switches, not args.no_serve)
    text = markdown(result, args)
    print(text)
    if not args.no_write:
        write_section("dashboard", text)
        print(f"written to {DOC}", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    return run_command(cli, argv, cli.name)


if __name__ == "__main__":
    sys.exit(main())
