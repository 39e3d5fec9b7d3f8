"""The columnar feature path gives today's feature table: same names, order, values (1e-6 relative), categories
and missing values, on the test bank, the real sample, one client and a partition; the served probabilities
of an unchanged model move by less than 1e-9."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from database.config import get_engine
from modeling.artifact import load_bundle
from modeling.data import load_arrow, load_clients, load_range, load_tables
from modeling.features import FeatureBuilder
from modeling.features.builder import FEW_CLIENTS
from modeling.features.columnar import build
from tests.modeling.conftest import client_tables


def assert_same_features(new: pd.DataFrame, reference: pd.DataFrame) -> None:
    """Same clients in the same order, same columns in the same order, values equal to 1e-6 relative, missing
    where the reference is missing."""
    assert list(new.index) == list(reference.index)
    assert list(new.columns) == list(reference.columns)
    assert (new.dtypes == "float64").all()
    x, y = new.to_numpy(), reference.to_numpy()
    assert (np.isnan(x) == np.isnan(y)).all(), "missing values differ in " + ", ".join(
        reference.columns[(np.isnan(x) != np.isnan(y)).any(axis=0)][:5])
    close = np.isclose(x, y, rtol=1e-6, atol=0, equal_nan=True)
    assert close.all(), "values differ in " + ", ".join(reference.columns[~close.all(axis=0)][:5])


def columnar(builder: FeatureBuilder, tables) -> pd.DataFrame:
    """The columnar path whatever the number of clients (``transform`` sends a few clients to numpy)."""
    return build(tables, builder.categories_, list(builder.feature_names_out_))


@pytest.fixture(scope="module")
def bank(stack):
    """The test bank's engine, its model and its reference feature table (numpy code on pandas frames)."""
    engine = get_engine(stack.database_url)
    bundle = load_bundle(stack.model_dir / "latest")
    return engine, bundle, bundle.features.reference_transform(load_tables(engine))


def test_bank_read_as_arrow_gives_the_reference_features(bank):
    engine, bundle, reference = bank
    tables = load_arrow(engine)
    assert all(isinstance(table, pa.Table) for table in tables.values())
    assert len(reference) > FEW_CLIENTS  # the portfolio goes through the columnar path
    assert_same_features(bundle.features.transform(tables), reference)


def test_one_client_and_a_partition_give_their_rows_of_the_reference(bank, stack):
    engine, bundle, reference = bank
    builder = bundle.features
    client = stack.client_ids[37]
    assert_same_features(columnar(builder, load_clients(engine, [client])), reference.loc[[client]])
    assert_same_features(columnar(builder, load_arrow(engine, client, client)), reference.loc[[client]])
    first, last = stack.client_ids[200], stack.client_ids[899]
    part = builder.transform(load_arrow(engine, first, last))
    assert_same_features(part, reference.loc[first:last])
    assert_same_features(part, builder.reference_transform(load_range(engine, first, last)))


def test_served_probabilities_do_not_move_for_an_unchanged_model(bank):
    engine, bundle, reference = bank
    new, _ = bundle.production(bundle.in_order(bundle.features.transform(load_arrow(engine))))
    old, _ = bundle.production(bundle.in_order(reference))
    assert np.abs(new - old).max() <= 1e-9
    assert len(np.unique(np.round(old, 6))) > 100  # real scores, not a constant


def test_real_sample_gives_the_reference_features(sample_tables, sample_builder):
    reference = sample_builder.reference_transform(sample_tables)
    assert_same_features(sample_builder.transform(sample_tables), reference)
    arrow = {name: pa.Table.from_pandas(frame, preserve_index=False) for name, frame in sample_tables.items()}
    assert_same_features(sample_builder.transform(arrow), reference)
    for client in sample_tables["application"]["SK_ID_CURR"].iloc[[0, 17, 400]]:
        assert_same_features(columnar(sample_builder, client_tables(sample_tables, client)), reference.loc[[client]])


def test_synthetic_histories_give_the_reference_features(synthetic_tables):
    builder = FeatureBuilder().fit(synthetic_tables)
    assert_same_features(builder.transform(synthetic_tables), builder.reference_transform(synthetic_tables))


def test_missing_tables_columns_and_categories_are_handled_as_the_reference(sample_tables, sample_builder):
    app = sample_tables["application"].head(80).copy()
    app.loc[app.index[:5], "NAME_INCOME_TYPE"] = "a value never seen in training"
    app.loc[app.index[5:9], "CODE_GENDER"] = "XNA"
    app.loc[app.index[9:12], "DAYS_EMPLOYED"] = 365243
    app.loc[app.index[12:15], ["AMT_ANNUITY", "AMT_INCOME_TOTAL"]] = [np.nan, 0.0]
    tables = {"application": app.drop(columns=["OWN_CAR_AGE"]),
              "bureau": sample_tables["bureau"].drop(columns=["CREDIT_CURRENCY", "AMT_ANNUITY"]),
              "installments_payments": sample_tables["installments_payments"]}
    reference = sample_builder.reference_transform(tables)
    assert reference["NAME_INCOME_TYPE_OTHER"].iloc[:5].eq(1).all()  # the case is really there
    assert_same_features(sample_builder.transform(tables), reference)


def test_real_sample_read_by_polars_gives_the_reference_features(sample_tables, sample_builder):
    from modeling.data import load_csv_polars
    from tests.modeling.conftest import SAMPLE_DIR

    tables = load_csv_polars(SAMPLE_DIR)  # the sample's byte-order marks, NA and DEFAULTED label included
    assert tables["application"].height == len(sample_tables["application"])
    assert_same_features(sample_builder.transform(tables), sample_builder.reference_transform(sample_tables))


@pytest.mark.postgres
def test_postgresql_read_as_arrow_gives_the_reference_features(pg_database, tmp_path):
    from database.loader import load
    from database.synthetic import generate

    generate(n_clients=150, seed=5, out_dir=tmp_path, progress=None)
    load([tmp_path], pg_database, progress=None)
    engine = get_engine(pg_database)
    try:
        tables = load_tables(engine)
        builder = FeatureBuilder().fit(tables)
        arrow = load_arrow(engine)
        assert arrow["bureau_balance"].num_rows == len(tables["bureau_balance"]) > 0
        assert_same_features(builder.transform(arrow), builder.reference_transform(tables))
        first, last = (int(i) for i in tables["application"]["SK_ID_CURR"].iloc[[10, 60]])
        assert_same_features(columnar(builder, load_arrow(engine, first, last)),
                             builder.reference_transform(load_range(engine, first, last)))
    finally:
        engine.dispose()
