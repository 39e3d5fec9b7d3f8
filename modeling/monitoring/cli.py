"""`python -m modeling monitor`: drift and back-testing of the database's clients, printed, kept and reported.

It reports, it does not fail: the exit code is 0 whatever the level, 2 on bad input (no model, a model
without reference, an empty database, an unwritable --out folder). `predict --store` ends with the same
run over the features it has just computed, and the Makefile's `load` target runs it after each load.
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import click
from sqlalchemy.exc import SQLAlchemyError

from database.config import get_engine
from modeling.monitoring.report import write_report
from modeling.monitoring.run import history, run
from modeling.serving.artifact import ModelError, load_bundle
from modeling.serving.scorer import Scorer
from modeling.serving.signing import SignatureError
from modeling.serving.store import latest_load_run
from modeling.wording import catalogue
from settings.cli import fail


@dataclass(frozen=True)
class Monitor:
    """The options of ``monitor``."""

    json: bool
    out: Path | None
    model: Path | None
    new: bool
    lang: str
    no_store: bool


@click.command(help="drift (PSI/CSI) and back-testing of the clients of the database against the model's reference")
@click.option("--json", is_flag=True, help="print the result as one JSON document on stdout")
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="folder to write the report into (monitoring.md and PNG figures)")
@click.option("--model", type=click.Path(path_type=Path), default=None, help="model folder (default MODEL_DIR/latest)")
@click.option("--new", is_flag=True,
              help="only the clients the model was not trained on (default: every client of the database)")
@click.option("--lang", type=click.Choice(catalogue.LANGS), default=catalogue.DEFAULT_LANG,
              help="language of the report")
@click.option("--no-store", is_flag=True, help="do not append the result to monitoring_result")
def monitor(**options) -> None:
    """``monitor``: bad input ends in one line and exit code 2."""
    try:
        run_monitor(Monitor(**options))
    except (ModelError, SignatureError, ValueError, FileNotFoundError, LookupError) as exc:
        fail(str(exc), 2)


def _say(message: str) -> None:
    print(f"[monitor] {message}", file=sys.stderr, flush=True)


def _scorer(model: Path | None):
    return Scorer(load_bundle(model), get_engine())


def run_monitor(args: Monitor) -> None:
    """Run ``monitor``; bad input raises ValueError (one line, exit code 2)."""
    if args.out is not None and args.out.exists() and not args.out.is_dir():
        raise ValueError(f"--out {args.out} is a file: give a folder for the report")
    started = time.perf_counter()
    scorer = _scorer(args.model)
    try:
        result = run(scorer, new_only=args.new, store=not args.no_store, progress=_say)
    except SQLAlchemyError as exc:
        raise ValueError(f"database: {str(exc).splitlines()[0]} (is the schema up to date? "
                         "run `python -m database init`)") from exc
    if args.out is not None:
        _say(f"report written to {write_report(result, args.out, args.lang)}")
    if args.json:
        print(json.dumps(result, ensure_ascii=False, allow_nan=False))
    _say(summary(result) + f"; {time.perf_counter() - started:.1f} s")


def summary(result: dict) -> str:
    """One line: level, score PSI, the most drifting characteristic, back-testing."""
    top = result["features"][0] if result["features"] else None
    line = (f"model {result['model_version']}, {result['clients']:,} clients: level {result['level']}, "
            f"score PSI {result['score_psi']:.3f} ({result['score']['level']})")
    if top is not None:
        line += f", top drift {top['name']} PSI {top['psi']:.3f} ({top['level']})"
    if "backtest" in result:
        line += f", back-testing {result['backtest']['level']} on {result['backtest']['clients']:,} outcomes"
    return line


def after_store(scorer, features, say) -> None:
    """After ``predict --store``: monitor the features just scored and keep the result (skipped without reference)."""
    if not getattr(scorer.bundle, "reference", None):
        say(f"monitoring skipped: model {scorer.bundle.version} has no reference (retrain to get one)")
        return
    done = _monitored_load(scorer)
    if done is not None:
        say(f"monitoring: load {done['load_run_id']} already monitored with model {scorer.bundle.version} "
            f"(result of {done['computed_at']}): not run again; `python -m modeling monitor` runs it anyway")
        return
    result = run(scorer, features=features, progress=say)
    say("monitoring: " + summary(result))


def _monitored_load(scorer) -> dict | None:
    """The stored result of this model over the latest load, if there is one (one load, one monitoring run)."""
    with scorer.engine.connect() as connection:
        load_run_id = latest_load_run(connection)
    last = history(scorer.engine, scorer.bundle.version, limit=1)
    if load_run_id is not None and last and last[0]["load_run_id"] == load_run_id:
        return last[0]
    return None
