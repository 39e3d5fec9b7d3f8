"""Reading the tables back: whole tables from PostgreSQL come through COPY and equal the row-by-row read."""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import select

from database.config import get_engine
from database.loader import load
from database.read import _copy_frame, _frame, read_table
from database.schema import DATA_TABLES, kaggle_columns, table


def expected_columns(name: str) -> list[str]:
    return list(_frame([], name).columns)


@pytest.mark.postgres
def test_copy_read_equals_the_row_by_row_read(pg_database, sample_set):
    load([sample_set], pg_database, progress=None)
    engine = get_engine(pg_database)
    try:
        with engine.connect() as connection:
            for name in DATA_TABLES:
                source = table(name)
                query = select(*[source.c[c.lower()] for c in kaggle_columns(name)])
                expected = _frame(connection.execute(query).fetchall(), name)
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
