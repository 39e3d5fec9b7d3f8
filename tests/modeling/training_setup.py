"""One small training run shared by the training, artifact, scorer and behaviour tests (built once per session)."""

from __future__ import annotations

import functools
from pathlib import Path

from database.synthetic import generate
from modeling.config import TrainConfig
from modeling.training.train import TrainResult, train

N_CLIENTS = 1500
SEED = 7


@functools.cache
def synthetic_dir(base: Path) -> Path:
    """Kaggle-format CSV files (and true_pd.csv) of a synthetic population."""
    folder = base / "synthetic-training"
    generate(n_clients=N_CLIENTS, seed=SEED, out_dir=folder, progress=None)
    return folder


@functools.cache
def trained(base: Path) -> TrainResult:
    """A model trained on the synthetic CSV files into base/models: 3 folds, 2 Hyperopt trials, one thread."""
    cfg = TrainConfig(folds=3, max_evals=2, strategies=("none", "undersample"), seed=SEED,
                      source=synthetic_dir(base), out_dir=base / "models", n_jobs=1)
    return train(cfg, say=lambda _message: None)


@functools.cache
def database_url(base: Path) -> str:
    """A SQLite database loaded with the same synthetic CSV files."""
    from database.loader import load

    url = f"sqlite:///{base / 'scoring.db'}"
    load([synthetic_dir(base)], url, progress=None)
    return url
