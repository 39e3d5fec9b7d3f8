"""The release step of a deployment: migrate the database; in demo mode, fill it and make sure a model exists.

Run once per deployment before the web process (Heroku's ``release:`` phase, the image's start, the compose
``init`` job). Every step is idempotent: a database already at the newest revision, already holding clients,
or already scored is left as it is.
"""

from __future__ import annotations

import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, select

from database.config import REPO_ROOT, database_url, get_engine, masked
from database.loader import format_summary, load
from database.migrate import migrate
from database.schema import Application
from database.synthetic.generate import generate
from database.users import create_demo_users
from modeling.serving.artifact import ModelError, resolve
from webapp.config import WebSettings


class ReleaseError(RuntimeError):
    """A release step cannot be done; the message says what to do."""


def _say(message: str) -> None:
    print(f"release: {message}", flush=True)


def client_count(url: str) -> int:
    """How many applications the database holds."""
    engine = get_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(select(func.count()).select_from(Application)).scalar_one()
    finally:
        engine.dispose()


def fill_with_synthetic_clients(url: str, clients: int, seed: int) -> None:
    """Generate ``clients`` synthetic clients and load them (the loader prints its progress)."""
    with tempfile.TemporaryDirectory(prefix="demo-data-") as folder:
        generate(clients, seed, Path(folder), progress=_say)
        (Path(folder) / "true_pd.csv").unlink(missing_ok=True)
        _say(format_summary(load([Path(folder)], url)))


def has_model() -> bool:
    """Whether MODEL_DIR holds a model to serve."""
    try:
        resolve(None)
        return True
    except ModelError:
        return False


def _module(*args: str) -> None:
    """Run ``python -m ...`` from the repository; its own progress lines go to this output."""
    result = subprocess.run([sys.executable, "-m", *args], cwd=REPO_ROOT, check=False)
    if result.returncode:
        raise ReleaseError(f"`python -m {' '.join(args)}` failed with exit code {result.returncode}")


def train_demo_model(arguments: str) -> None:
    """Train the demo model on the database with the demo budget (``python -m modeling train`` ``arguments``);
    training packages must be installed."""
    try:
        import hyperopt  # noqa: F401  # deferred: training package
    except ImportError:
        raise ReleaseError("no model in MODEL_DIR and the training packages are not installed: build the "
                           "image (its build trains the demo model) or run `pip install -r requirements-train.txt`"
                           " then `python -m modeling train`") from None
    _module("modeling", "train", *shlex.split(arguments))


def release(config: WebSettings) -> int:
    """Migrate; in demo mode also load synthetic clients into an empty database, train if no model, score."""
    started = time.perf_counter()
    url = database_url()
    before, after = migrate(url)
    _say(f"schema of {masked(url)} " + (f"upgraded from {before or 'empty'} to {after}" if before != after
                                         else f"already at {after}"))
    if config.demo:
        if client_count(url) == 0:
            _say(f"demo mode: empty database, loading {config.demo_clients:,} synthetic clients")
            fill_with_synthetic_clients(url, config.demo_clients, config.demo_seed)
        if not has_model():
            _say("demo mode: no model in MODEL_DIR, training the demo model")
            train_demo_model(config.demo_train_args)
        _module("modeling", "predict", "--store")

        engine = get_engine(url)
        try:
            create_demo_users(engine, say=_say)  # one user per role, passwords printed once in this log
        finally:
            engine.dispose()
    _say(f"done in {time.perf_counter() - started:.1f} s")
    return 0
