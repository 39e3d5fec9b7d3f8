"""Reading the tables back: whole tables from PostgreSQL come through COPY and equal the row-by-row read;
the serving read of a few clients gives exactly their rows of the whole table."""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import select

from database.config import get_engine
from database.loader import load
from database.read import _copy_frame, _frame, read_columns, read_table
from database.schema import DATA_TABLES, kaggle_columns, table

pytestmark = pytest.mark.requirement("EXG-DB-04", "EXG-MOD-01")


def expected_columns(name: str) -> list[str]:
    return list(_frame([], name).columns)


def _every_row(connection, name: str) -> list:
    """Every row of table ``name`` through SQLAlchemy, its Kaggle columns in order."""
    source = table(name)
    return connection.execute(select(*[source.c[c.lower()] for c in kaggle_columns(name)])).fetchall()


@pytest.mark.postgres
def test_copy_read_equals_the_row_by_row_read(pg_database, sample_set):
    load([sample_set], pg_database, progress=None)
    engine = get_engine(pg_database)
    try:
        with engine.connect() as connection:
            for name in DATA_TABLES:
                expected = _frame(_every_row(connection, name), name)
                got = _copy_frame(connection, name)
                assert len(got) > 0, f"{name}: the sample loads rows"
                sort = [c for c in expected.columns if c.startswith("SK_ID")] + list(expected.columns[:3])
                sort = list(dict.fromkeys(sort))
                pd.testing.assert_frame_equal(
                    got.sort_values(sort, ignore_index=True), expected.sort_values(sort, ignore_index=True),
                    check_exact=True, obj=name)
        # read_table takes the COPY path for a whole table and keeps the empty strings and NULLs apart
        whole = read_table(engine, "application")
        assert whole["NAME_TYPE_SUITE"].map(lambda v: v is None or isinstance(v, str)).all()
        # an empty table reads as an empty frame with every column
        with engine.begin() as connection:
            connection.exec_driver_sql("DELETE FROM installments_payments")
        empty = read_table(engine, "installments_payments")
        assert len(empty) == 0 and list(empty.columns) == list(expected_columns("installments_payments"))
    finally:
        engine.dispose()


@pytest.mark.postgres
@pytest.mark.parametrize("engine_kind", ["sqlite", "postgresql"])
def test_reading_some_clients_gives_their_rows_of_the_whole_table(engine_kind, pg_database, sample_set, tmp_path):
    url = pg_database if engine_kind == "postgresql" else f"sqlite:///{tmp_path / 'read.db'}"
    load([sample_set], url, progress=None)
    engine = get_engine(url)
    try:
        whole = {name: read_table(engine, name) for name in DATA_TABLES}
        bureau = whole["bureau"]
        # clients with bureau credits (so bureau_balance, read through bureau, has rows), one without, one unknown
        monthly = bureau["SK_ID_BUREAU"].isin(whole["bureau_balance"]["SK_ID_BUREAU"])
        ids = [int(i) for i in bureau.loc[monthly, "SK_ID_CURR"].drop_duplicates().head(3)]
        ids += [int(whole["application"].loc[~whole["application"]["SK_ID_CURR"].isin(bureau["SK_ID_CURR"]),
                                             "SK_ID_CURR"].iloc[0]), 999_999_999]
        keys = set(bureau.loc[bureau["SK_ID_CURR"].isin(ids), "SK_ID_BUREAU"])
        for name in DATA_TABLES:
            frame = whole[name]
            mine = frame["SK_ID_BUREAU"].isin(keys) if name == "bureau_balance" else frame["SK_ID_CURR"].isin(ids)
            expected = frame[mine]
            assert len(expected) > 0 or name not in ("application", "bureau", "bureau_balance"), name
            columns = read_columns(engine, name, ids)
            assert list(columns) == list(frame.columns), name
            got = read_table(engine, name, ids)
            assert len(got) == len(expected) and len(got) == len(next(iter(columns.values()))), name
            sort = list(dict.fromkeys([c for c in frame.columns if c.startswith("SK_ID")] + list(frame.columns[:3])))
            pd.testing.assert_frame_equal(got.sort_values(sort, ignore_index=True),
                                          expected.sort_values(sort, ignore_index=True), check_exact=True, obj=name)
        assert len(read_columns(engine, "application", [999_999_999])["SK_ID_CURR"]) == 0
    finally:
        engine.dispose()


def test_a_read_of_many_rows_gives_the_columns_a_read_of_a_few_rows_gives(sample_set, tmp_path):
    """Tables of thousands of rows are turned into columns by pandas, a few clients' rows one tuple at a time:
    the real sample's every table read whole equals the same rows read a few hundred at a time."""
    url = f"sqlite:///{tmp_path / 'many.db'}"
    load([sample_set], url, progress=None)
    engine = get_engine(url)
    try:
        with engine.connect() as connection:
            for name in DATA_TABLES:
                rows = _every_row(connection, name)
                whole = _frame(rows, name)
                pieces = pd.concat([_frame(rows[i:i + 500], name) for i in range(0, len(rows), 500)],
                                   ignore_index=True)
                pd.testing.assert_frame_equal(whole, pieces, check_exact=True, obj=name)
                assert list(whole.dtypes.astype(str)) == list(pieces.dtypes.astype(str)), name
        big = [name for name in DATA_TABLES if len(read_table(engine, name)) >= 1_000]
        assert {"bureau", "installments_payments", "previous_application"} <= set(big), "the sample has tables of many rows"
    finally:
        engine.dispose()
