"""Fixtures of the modeling tests: the real Home Credit sample, a small synthetic data set and the shared model."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from training_setup import load_database, train_model, write_population

from database.synthetic import generate
from modeling.features import FeatureBuilder
from modeling.serving.data import load_csv_tables
from modeling.training.train import TrainResult

SAMPLE_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "homecredit-sample"


@pytest.fixture(scope="session")
def sample_tables() -> dict[str, pd.DataFrame]:
    """The seven tables of the real Kaggle sample (1000 applications and their linked rows)."""
    return load_csv_tables(SAMPLE_DIR)


@pytest.fixture(scope="session")
def synthetic_tables(tmp_path_factory: pytest.TempPathFactory) -> dict[str, pd.DataFrame]:
    """The seven tables of a 300-client synthetic data set with full histories."""
    folder = tmp_path_factory.mktemp("synthetic")
    generate(n_clients=300, seed=11, out_dir=folder, progress=None)
    return load_csv_tables(folder)


@pytest.fixture(scope="session")
def sample_builder(sample_tables: dict[str, pd.DataFrame]) -> FeatureBuilder:
    """A FeatureBuilder fitted on the real sample."""
    return FeatureBuilder().fit(sample_tables)


@pytest.fixture(scope="session")
def training_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The CSV files of the synthetic population the shared model is trained on (training_setup.N_CLIENTS)."""
    return write_population(tmp_path_factory.mktemp("synthetic-training"))


@pytest.fixture(scope="session")
def trained_model(training_csv: Path, tmp_path_factory: pytest.TempPathFactory) -> TrainResult:
    """The modeling tests' one trained model (trained once per session, in a models folder of its own)."""
    return train_model(training_csv, tmp_path_factory.mktemp("models"))


@pytest.fixture(scope="session")
def training_db_url(training_csv: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite database loaded with the shared model's training CSV files."""
    return load_database(training_csv, tmp_path_factory.mktemp("training-db"))


def client_tables(tables: dict[str, pd.DataFrame], client_id: int) -> dict[str, pd.DataFrame]:
    """Only the rows of one client in every table, as the serving path reads them."""
    out = {}
    for name, frame in tables.items():
        if name == "bureau_balance":
            credits = tables["bureau"].loc[tables["bureau"]["SK_ID_CURR"] == client_id, "SK_ID_BUREAU"]
            out[name] = frame[frame["SK_ID_BUREAU"].isin(credits)]
        else:
            out[name] = frame[frame["SK_ID_CURR"] == client_id]
    return out
