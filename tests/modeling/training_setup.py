"""The one small training run of the modeling tests: its synthetic population, its model and its database.

The session fixtures ``training_csv``, ``trained_model`` and ``training_db_url`` of tests/modeling/conftest.py
build each once; tests ask for the fixtures and never call these builders themselves.
"""

from __future__ import annotations

from pathlib import Path

from database.loader import load
from database.synthetic import generate
from modeling.config import TrainConfig
from modeling.training.train import TrainResult, train

N_CLIENTS = 1500
SEED = 7


def write_population(folder: Path) -> Path:
    """Kaggle-format CSV files (and true_pd.csv) of the synthetic population, written into ``folder``."""
    generate(n_clients=N_CLIENTS, seed=SEED, out_dir=folder, progress=None)
    return folder


def train_model(source: Path, out_dir: Path) -> TrainResult:
    """A model trained on the CSV files of ``source`` into ``out_dir``: 3 folds, 2 Hyperopt trials, one thread."""
    cfg = TrainConfig(folds=3, max_evals=2, strategies=("none", "undersample"), seed=SEED,
                      source=source, out_dir=out_dir, n_jobs=1)
    return train(cfg, say=lambda _message: None)


def load_database(source: Path, folder: Path) -> str:
    """The URL of a SQLite database in ``folder`` loaded with the CSV files of ``source``."""
    url = f"sqlite:///{folder / 'scoring.db'}"
    load([source], url, progress=None)
    return url
