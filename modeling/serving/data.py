"""Load the seven Home Credit tables as pandas frames, from the database or from Kaggle CSV files."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from database.read import read_columns, read_range, read_table
from modeling.features.builder import TABLES

#: Accepted file names per table, first found wins (Kaggle names, then the sample's lower-case names).
CSV_NAMES: dict[str, tuple[tuple[str, ...], ...]] = {
    "application": (
        ("application_train.csv", "application_test.csv"),
        ("application.csv",),
        ("application_data_sample.csv",),
    ),
    "bureau": (("bureau.csv",),),
    "bureau_balance": (("bureau_balance.csv",),),
    "previous_application": (("previous_application.csv",), ("previous_application_sample.csv",)),
    "pos_cash_balance": (("POS_CASH_balance.csv",), ("pos_cash_balance.csv",)),
    "credit_card_balance": (("credit_card_balance.csv",),),
    "installments_payments": (("installments_payments.csv",),),
}
#: Label column names found in copies of application_train.
_LABEL_ALIASES = {"DEFAULTED": "TARGET"}


def load_tables(engine: Engine, client_ids: Sequence[int] | None = None) -> dict[str, pd.DataFrame]:
    """All seven tables from the database, or only the rows of ``client_ids``."""
    with engine.connect() as connection:  # one pool checkout for the seven reads
        return {name: read_table(connection, name, client_ids) for name in TABLES}


def load_clients(engine: Engine, client_ids: Sequence[int]) -> dict[str, dict[str, np.ndarray]]:
    """The seven tables' rows of ``client_ids`` as column arrays (no DataFrame): the serving read, which
    ``FeatureBuilder.transform`` accepts as it accepts frames."""
    with engine.connect() as connection:
        return {name: read_columns(connection, name, client_ids) for name in TABLES}


def load_range(engine: Engine, first: int, last: int) -> dict[str, dict[str, np.ndarray]]:
    """The seven tables' rows of the clients with ``first <= SK_ID_CURR <= last`` (one batch partition)."""
    with engine.connect() as connection:
        return {name: read_range(connection, name, first, last) for name in TABLES}


def load_csv_tables(folder: str | Path) -> dict[str, pd.DataFrame]:
    """The tables found in a folder of Kaggle-format CSV files (absent tables are left out).

    application_train.csv and application_test.csv are concatenated (TARGET empty for test rows);
    SK_ID_* columns are read as 64-bit integers.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"CSV folder {folder} does not exist")
    tables: dict[str, pd.DataFrame] = {}
    for name, choices in CSV_NAMES.items():
        for files in choices:
            paths = [folder / f for f in files]
            if paths[0].exists():
                frames = [_read_csv(p) for p in paths if p.exists()]
                tables[name] = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
                break
    if "application" not in tables:
        raise FileNotFoundError(f"no application CSV (application_train.csv or application.csv) in {folder}")
    return tables


def _read_csv(path: Path) -> pd.DataFrame:
    """One CSV file with a byte-order mark tolerated, R-style NA read as missing and integer IDs."""
    frame = pd.read_csv(path, encoding="utf-8-sig", low_memory=False)
    frame = frame.rename(columns=lambda c: _LABEL_ALIASES.get(c.strip(), c.strip()))
    for column in [c for c in frame.columns if c.startswith("SK_ID_")]:
        if frame[column].isna().any():
            row = int(frame[column].isna().to_numpy().argmax()) + 2
            raise ValueError(f"{path.name}: column {column} is empty on line {row}; IDs are required")
        frame[column] = frame[column].astype("int64")
    return frame
