"""The schema matches the real Home Credit files, enforces its keys, and is the one the document describes."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from database.datamodel_doc import DOC_PATH, render_document
from database.loader import create_schema
from database.schema import DATA_TABLES, kaggle_columns, table

pytestmark = pytest.mark.requirement("EXG-DB-01")

#: Real sample file of each table (application.csv names its label DEFAULTED, so the R sample is used).
SAMPLE_FILES = {"application": "application_data_sample.csv", "bureau": "bureau.csv",
                "bureau_balance": "bureau_balance.csv", "previous_application": "previous_application_sample.csv",
                "pos_cash_balance": "pos_cash_balance.csv", "credit_card_balance": "credit_card_balance.csv",
                "installments_payments": "installments_payments.csv"}


@pytest.mark.parametrize("name", DATA_TABLES)
def test_every_kaggle_column_of_the_real_file_is_in_the_schema(name: str, sample_dir: Path) -> None:
    with (sample_dir / SAMPLE_FILES[name]).open(encoding="utf-8-sig") as handle:
        header = next(csv.reader(handle))
    assert sorted(kaggle_columns(name)) == sorted(header)


def test_keys_and_an_index_on_every_foreign_key(sqlite_url: str) -> None:
    inspector = inspect(create_schema(sqlite_url))
    expected_pk = {"application": ["sk_id_curr"], "bureau": ["sk_id_bureau"],
                   "bureau_balance": ["sk_id_bureau", "months_balance"], "previous_application": ["sk_id_prev"],
                   "pos_cash_balance": ["sk_id_prev", "months_balance"],
                   "credit_card_balance": ["sk_id_prev", "months_balance"], "installments_payments": ["id"]}
    for name in DATA_TABLES:
        pk = inspector.get_pk_constraint(name)["constrained_columns"]
        assert pk == expected_pk[name], name
        indexed = {tuple(ix["column_names"])[0] for ix in inspector.get_indexes(name)} | {pk[0]}
        for fk in inspector.get_foreign_keys(name):
            assert fk["constrained_columns"][0] in indexed, f"{name}.{fk['constrained_columns'][0]} has no index"
    assert {fk["referred_table"] for fk in inspector.get_foreign_keys("installments_payments")} == \
        {"application", "previous_application"}


def test_target_is_nullable_and_binary(sqlite_url: str) -> None:
    assert table("application").c.target.nullable
    engine = create_schema(sqlite_url)
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO application (sk_id_curr, target) VALUES (1, NULL)"))
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(text("INSERT INTO application (sk_id_curr, target) VALUES (2, 3)"))


def test_sqlite_enforces_foreign_keys(sqlite_url: str) -> None:
    engine = create_schema(sqlite_url)
    with pytest.raises(IntegrityError, match="FOREIGN KEY"), engine.begin() as connection:
        connection.execute(text("INSERT INTO bureau (sk_id_bureau, sk_id_curr) VALUES (1, 424242)"))


def test_postgres_enforces_foreign_keys(pg_database: str) -> None:
    engine = create_schema(pg_database)
    with pytest.raises(IntegrityError, match="foreign key"), engine.begin() as connection:
        connection.execute(text("INSERT INTO bureau (sk_id_bureau, sk_id_curr) VALUES (1, 424242)"))
    engine.dispose()


def test_data_model_document_matches_the_models() -> None:
    committed = DOC_PATH.read_text(encoding="utf-8")
    assert committed == render_document(committed), "docs/data-model.md is stale: run python -m database docs"
    for name in DATA_TABLES:
        assert f"| {name} |" in committed and f"    {name} {{" in committed
