"""One small synthetic bank shared by the test folders: CSV files, a loaded SQLite database, a trained model.

``build_stack`` makes it (1,500 synthetic clients, a model trained with 2 folds and default parameters);
tests/conftest.py builds it once per session as the ``stack`` fixture.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from contextlib import closing
from dataclasses import dataclass, replace
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
N_CLIENTS = 1500
SEED = 7
FIRST_CLIENT_ID = 100_002  # database.synthetic numbers clients from here
#: The test suite's model-signing key (tests only; stable so that a reused STACK_DIR's models still verify).
SIGNING_KEY = "tests-only-model-signing-key-never-used-outside-the-test-suite"
#: The signing settings every test process runs with: the key above, no key file, no previous key.
SIGNING_ENV = {"MODEL_SIGNING_KEY": SIGNING_KEY, "MODEL_SIGNING_KEY_FILE": "", "MODEL_VERIFY_KEYS": ""}


@dataclass(frozen=True)
class Stack:
    """A loaded database, the CSV files it was loaded from, and a model trained on it."""

    database_url: str
    model_dir: Path
    csv_dir: Path
    client_ids: tuple[int, ...]

    def env(self) -> dict[str, str]:
        """Environment for subprocesses using this stack."""
        return {**os.environ, "DATABASE_URL": self.database_url, "MODEL_DIR": str(self.model_dir),
                "OMP_NUM_THREADS": "1", **SIGNING_ENV}

    def over(self, database_url: str) -> Stack:
        """The same model and clients over another database (loaded from ``csv_dir``)."""
        return replace(self, database_url=database_url)

    def copied_to(self, path: Path) -> Stack:
        """The same model and clients over a copy of this stack's SQLite bank at ``path``, made by SQLite's backup
        API. Never copy the file itself: opening and closing it in a process that holds SQLite connections to it
        drops that process's POSIX locks, and another process then checkpoints under it (the shared bank was
        found corrupted that way)."""
        copy_sqlite(Path(self.database_url.removeprefix("sqlite:///")), path)
        return self.over(f"sqlite:///{path}")


def copy_sqlite(source: Path, target: Path) -> None:
    """A consistent copy of the SQLite database ``source`` (its WAL included) at ``target``, through SQLite."""
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)


def _train(stack: Stack, *extra: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "modeling", "train", "--folds", "2", "--max-evals", "0",
         "--sample", "1000", "--strategies", "none", "--no-baselines", "--compare-rows", "1000", *extra],
        cwd=REPO, env=stack.env(), check=True, capture_output=True, timeout=600,
    )


def with_lightgbm(stack: Stack) -> Stack:
    """The same clients with a LightGBM model (trained once, next to the stack's model): the stack's own champion,
    a scorecard on 1,000 clients, does not weigh the loan terms, and what-if questions need a model that does."""
    lightgbm = replace(stack, model_dir=stack.model_dir.parent / "models-lightgbm")
    if not (lightgbm.model_dir / "latest").exists():
        _train(lightgbm, "--candidates", "lightgbm")
    return lightgbm


def build_stack(root: Path, database_url: str | None = None) -> Stack:
    """Generate, load and train (train only when the model folder is empty)."""
    from database.loader import load
    from database.synthetic.generate import generate

    csv_dir, model_dir = root / "csv", root / "models"
    if not (csv_dir / "application_train.csv").exists():
        generate(N_CLIENTS, SEED, csv_dir, progress=None)
    url = database_url or f"sqlite:///{root / 'bank.db'}"
    if database_url or not (root / "bank.db").exists():
        load([csv_dir], url, progress=None)
    stack = Stack(url, model_dir, csv_dir, tuple(range(FIRST_CLIENT_ID, FIRST_CLIENT_ID + N_CLIENTS)))
    if not (model_dir / "latest").exists():
        _train(stack)
    return stack
