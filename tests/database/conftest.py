"""Fixtures of the database tests: an empty database on each engine, and CSV folders to load."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

#: The real sample files that form one consistent set (application.csv names its label DEFAULTED).
SAMPLE_SET = ("application_data_sample.csv", "previous_application_sample.csv", "bureau.csv",
              "bureau_balance.csv", "pos_cash_balance.csv", "credit_card_balance.csv", "installments_payments.csv")


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """URL of a new SQLite file."""
    return f"sqlite:///{tmp_path / 'test.db'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database on SQLite, then on the ephemeral PostgreSQL server."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.db'}"
    return request.getfixturevalue("pg_database")


@pytest.fixture
def sample_set(sample_dir: Path, tmp_path: Path) -> Path:
    """A folder holding the real sample files that load together."""
    folder = tmp_path / "sample"
    folder.mkdir()
    for name in SAMPLE_SET:
        shutil.copy(sample_dir / name, folder / name)
    return folder


@pytest.fixture(scope="session")
def synthetic_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A synthetic Home Credit set of 2,000 clients (made once per session)."""
    from database.synthetic import generate

    folder = tmp_path_factory.mktemp("synthetic")
    generate(2000, 7, folder, progress=None)
    (folder / "true_pd.csv").unlink(missing_ok=True)
    return folder
