"""FeatureBuilder: one code path for all clients and one client, encoders replayed, data problems handled."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal, assert_series_equal
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from modeling.features import FeatureBuilder
from modeling.features.aggregate import aggregate
from modeling.serving.data import load_csv_tables
from tests.modeling.conftest import SAMPLE_DIR, client_tables

pytestmark = pytest.mark.requirement("EXG-MOD-01")


def _assert_alone_equals_batch(builder: FeatureBuilder, tables: dict, client_ids: list[int]) -> None:
    batch = builder.transform(tables)
    for client_id in client_ids:
        alone = builder.transform(client_tables(tables, client_id))
        assert list(alone.index) == [client_id]
        assert_frame_equal(alone, batch.loc[[client_id]], check_exact=False, rtol=1e-12, atol=0)


def test_one_client_alone_equals_its_batch_row_on_real_sample(sample_tables, sample_builder):
    app_ids = sample_tables["application"]["SK_ID_CURR"]
    rich = [int(i) for i in sample_tables["credit_card_balance"]["SK_ID_CURR"].unique() if i in set(app_ids)][:2]
    with_balance = sample_tables["bureau"].loc[
        sample_tables["bureau"]["SK_ID_BUREAU"].isin(sample_tables["bureau_balance"]["SK_ID_BUREAU"]), "SK_ID_CURR"
    ]
    rich += [int(i) for i in with_balance.unique() if i in set(app_ids)][:2]
    rng = np.random.default_rng(0)
    picked = rich + [int(i) for i in rng.choice(app_ids, 3, replace=False)]
    _assert_alone_equals_batch(sample_builder, sample_tables, picked)


def test_one_client_alone_equals_its_batch_row_on_synthetic_histories(synthetic_tables):
    builder = FeatureBuilder().fit(synthetic_tables)
    ids = synthetic_tables["application"]["SK_ID_CURR"].sample(5, random_state=3).astype(int).tolist()
    _assert_alone_equals_batch(builder, synthetic_tables, ids)


def test_unseen_categories_go_to_other_and_keep_one_code_path(sample_tables, sample_builder):
    tables = {name: frame.copy() for name, frame in sample_tables.items()}
    client = int(tables["previous_application"]["SK_ID_CURR"].iloc[0])
    app = tables["application"]
    app.loc[app["SK_ID_CURR"] == client, ["ORGANIZATION_TYPE", "NAME_INCOME_TYPE"]] = ["Space agency", "Lottery"]
    prev = tables["previous_application"]
    prev.loc[prev["SK_ID_CURR"] == client, "NAME_CONTRACT_STATUS"] = "Frozen"
    _assert_alone_equals_batch(sample_builder, tables, [client])
    row = sample_builder.transform(client_tables(tables, client)).iloc[0]
    assert row["ORGANIZATION_TYPE_OTHER"] == 1.0
    assert row["NAME_INCOME_TYPE_OTHER"] == 1.0
    assert row.filter(like="NAME_INCOME_TYPE_").sum() == 1.0
    assert row["PREV_NAME_CONTRACT_STATUS_OTHER_SHARE"] == 1.0
    assert list(row.index) == list(sample_builder.get_feature_names_out())


def _hand_made_client() -> dict[str, pd.DataFrame]:
    """Client 1 with two previous loans and two bureau credits; numbers easy to check by hand."""
    app = pd.DataFrame({
        "SK_ID_CURR": [1], "AMT_CREDIT": [200000.0], "AMT_INCOME_TOTAL": [100000.0], "AMT_ANNUITY": [10000.0],
        "AMT_GOODS_PRICE": [180000.0], "CNT_FAM_MEMBERS": [2.0], "DAYS_BIRTH": [-10000], "DAYS_EMPLOYED": [-2000],
        "CODE_GENDER": ["XNA"], "NAME_CONTRACT_TYPE": ["Cash loans"], "EXT_SOURCE_2": [0.4], "EXT_SOURCE_3": [0.6],
    })
    installments = pd.DataFrame({
        "SK_ID_PREV": [10, 10, 20], "SK_ID_CURR": [1, 1, 1],
        "DAYS_INSTALMENT": [-100.0, -70.0, -50.0], "DAYS_ENTRY_PAYMENT": [-90.0, -70.0, -55.0],
        "AMT_INSTALMENT": [1000.0, 1000.0, 500.0], "AMT_PAYMENT": [1000.0, 600.0, 500.0],
    })
    bureau = pd.DataFrame({
        "SK_ID_CURR": [1, 1], "SK_ID_BUREAU": [7, 8], "CREDIT_ACTIVE": ["Active", "Closed"],
        "AMT_CREDIT_SUM": [1000.0, 4000.0], "AMT_CREDIT_SUM_DEBT": [500.0, 0.0],
    })
    balance = pd.DataFrame({"SK_ID_BUREAU": [7, 7, 7, 7], "MONTHS_BALANCE": [-1, -2, -3, -30],
                            "STATUS": ["0", "1", "C", "2"]})
    previous = pd.DataFrame({
        "SK_ID_PREV": [10, 20], "SK_ID_CURR": [1, 1], "NAME_CONTRACT_STATUS": ["Approved", "Refused"],
        "DAYS_TERMINATION": [365243.0, -300.0], "AMT_CREDIT": [0.0, 5000.0], "AMT_APPLICATION": [1000.0, 5000.0],
    })
    return {"application": app, "installments_payments": installments, "bureau": bureau,
            "bureau_balance": balance, "previous_application": previous}


def test_ratios_and_aggregates_of_a_hand_made_client(sample_builder):
    row = sample_builder.transform(_hand_made_client()).loc[1]
    assert row["CREDIT_INCOME_RATIO"] == 2.0
    assert row["ANNUITY_INCOME_RATIO"] == 0.1
    assert row["ANNUITY_CREDIT_RATIO"] == 0.05
    assert row["GOODS_CREDIT_RATIO"] == 0.9
    assert row["INCOME_PER_PERSON"] == 50000.0
    assert row["EMPLOYED_AGE_RATIO"] == 0.2
    assert row["EXT_SOURCE_MEAN"] == pytest.approx(0.5)
    assert row["EXT_SOURCE_MISSING_COUNT"] == 1.0
    # Instalments: 10 days late, on time, 5 days early -> delays 10, 0, 0.
    assert row["INSTAL_COUNT"] == 3.0
    assert row["INSTAL_DAYS_LATE_MEAN"] == pytest.approx(10 / 3)
    assert row["INSTAL_DAYS_LATE_MAX"] == 10.0
    assert row["INSTAL_LATE_MEAN"] == pytest.approx(1 / 3)
    assert row["INSTAL_SHORTFALL_SUM"] == 400.0
    assert row["INSTAL_PAID_RATIO_MIN"] == 0.6
    assert row["INSTAL_LOAN_COUNT"] == 2.0
    assert row["INSTAL_LOAN_WORST_DAYS_LATE_MEAN"] == 5.0  # loan 10: 10 days, loan 20: 0
    assert row["INSTAL_LOAN_PAID_SHARE_MIN"] == 0.8  # loan 10 paid 1600 of 2000
    # Bureau: one running credit half repaid, one closed; monthly history of the running one.
    assert (row["BURO_COUNT"], row["ACTIVE_COUNT"], row["CLOSED_COUNT"]) == (2.0, 1.0, 1.0)
    assert row["BURO_DEBT_CREDIT_RATIO_MEAN"] == 0.25
    assert row["ACTIVE_DEBT_CREDIT_RATIO_MEAN"] == 0.5
    assert row["BURO_CREDIT_ACTIVE_ACTIVE_SHARE"] == 0.5
    assert row["BB_DPD_SHARE_MEAN"] == 0.5  # months 1 and 2 late out of 4
    assert row["BB_DPD_12M_SHARE_MEAN"] == pytest.approx(1 / 3)  # only month -2 is late in the last 12
    assert row["BB_WORST_STATUS_MAX"] == 2.0
    assert row["BURO_DEBT_INCOME_RATIO"] == 0.005
    # Previous applications: one approved, one refused; a zero credit gives NaN, not infinity.
    assert (row["APPROVED_COUNT"], row["REFUSED_COUNT"]) == (1.0, 1.0)
    assert row["PREV_NAME_CONTRACT_STATUS_REFUSED_SHARE"] == 0.5
    assert row["PREV_APPLICATION_CREDIT_RATIO_MAX"] == 1.0
    assert row["PREV_DAYS_TERMINATION_MAX"] == -300.0  # 365243 means "no date"
    assert np.isfinite(row.dropna().to_numpy()).all()


def test_sentinels_and_xna_codes_become_missing(sample_builder):
    tables = _hand_made_client()
    tables["application"]["DAYS_EMPLOYED"] = 365243
    row = sample_builder.transform(tables).loc[1]
    assert np.isnan(row["DAYS_EMPLOYED"]) and np.isnan(row["EMPLOYED_AGE_RATIO"])
    assert row["DAYS_EMPLOYED_ANOM"] == 1.0
    assert row.filter(like="CODE_GENDER_").sum() == 0.0  # XNA is missing, not a gender


def test_zero_income_gives_nan_ratio_not_infinity(sample_builder):
    tables = _hand_made_client()
    tables["application"]["AMT_INCOME_TOTAL"] = 0.0
    row = sample_builder.transform(tables).loc[1]
    assert np.isnan(row["CREDIT_INCOME_RATIO"]) and np.isnan(row["BURO_DEBT_INCOME_RATIO"])


def test_client_without_any_history_gets_zero_counts_and_missing_aggregates(sample_builder):
    app = _hand_made_client()["application"]
    for tables in ({"application": app}, {**{n: f.iloc[0:0] for n, f in _hand_made_client().items()}, "application": app}):
        row = sample_builder.transform(tables).loc[1]
        counts = [c for c in row.index if c.endswith("_COUNT") and c.split("_")[0] in ("BURO", "PREV", "INSTAL", "CC", "POS")]
        assert counts and (row[counts] == 0.0).all()
        assert np.isnan(row["INSTAL_DAYS_LATE_MEAN"]) and np.isnan(row["BURO_AMT_CREDIT_SUM_MEAN"])
        assert row["CREDIT_INCOME_RATIO"] == 2.0


def test_output_follows_application_order_with_fixed_float_columns(sample_tables, sample_builder):
    app = sample_tables["application"].sample(frac=1.0, random_state=5)
    out = sample_builder.transform({**sample_tables, "application": app})
    assert list(out.index) == app["SK_ID_CURR"].tolist() and out.index.name == "SK_ID_CURR"
    assert list(out.columns) == list(sample_builder.get_feature_names_out())
    assert (out.dtypes == "float64").all()
    assert 300 <= out.shape[1] <= 700


def test_aggregate_engine_returns_the_spec_columns_even_when_empty():
    frame = pd.DataFrame({"K": [1, 1, 2], "X": [1.0, 3.0, 5.0], "C": ["a", "b", None]})
    spec = {"X": ["mean", "max"], "C": ["share"], "ABSENT": ["sum"]}
    out = aggregate(frame, "K", spec, "T_", {"C": ["a"]})
    assert list(out.columns) == ["T_COUNT", "T_X_MEAN", "T_X_MAX", "T_C_A_SHARE", "T_C_OTHER_SHARE", "T_ABSENT_SUM"]
    assert_series_equal(out["T_X_MEAN"], pd.Series([2.0, 5.0], index=pd.Index([1, 2], name="K"), name="T_X_MEAN"))
    assert out.loc[1, "T_C_OTHER_SHARE"] == 0.5 and out.loc[2, "T_C_A_SHARE"] == 0.0
    empty = aggregate(frame.iloc[0:0], "K", spec, "T_", {"C": ["a"]})
    assert empty.empty and list(empty.columns) == list(out.columns)


def test_estimator_contract(sample_tables):
    builder = FeatureBuilder(min_category_share=0.05)
    with pytest.raises(NotFittedError):
        builder.transform(sample_tables)
    assert builder.fit(sample_tables) is builder
    assert clone(builder).get_params() == {"min_category_share": 0.05, "max_categories": 30}
    assert all(name.endswith("_") for name in ("categories_", "feature_names_out_"))
    assert len(builder.categories_["application"]["ORGANIZATION_TYPE"]) < len(
        FeatureBuilder().fit(sample_tables).categories_["application"]["ORGANIZATION_TYPE"]
    )
    with pytest.raises(ValueError, match="unknown table"):
        builder.transform({**sample_tables, "bureaux": sample_tables["bureau"]})


def test_load_csv_tables_reads_the_sample_with_integer_ids_and_target(sample_tables):
    app = sample_tables["application"]
    assert "TARGET" in app.columns and "DEFAULTED" not in app.columns
    assert set(sample_tables) == {"application", "bureau", "bureau_balance", "previous_application",
                                  "pos_cash_balance", "credit_card_balance", "installments_payments"}
    for frame in sample_tables.values():
        for column in [c for c in frame.columns if c.startswith("SK_ID_")]:
            assert frame[column].dtype == "int64"
    assert sample_tables["bureau_balance"].columns[0] == "SK_ID_BUREAU"  # byte-order mark removed


def test_load_csv_tables_concatenates_train_and_test(tmp_path):
    sample = pd.read_csv(SAMPLE_DIR / "application_data_sample.csv")
    sample.iloc[:5].to_csv(tmp_path / "application_train.csv", index=False)
    sample.iloc[5:8].drop(columns="TARGET").to_csv(tmp_path / "application_test.csv", index=False)
    app = load_csv_tables(tmp_path)["application"]
    assert len(app) == 8 and app["TARGET"].isna().sum() == 3
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(FileNotFoundError, match="no application CSV"):
        load_csv_tables(empty)


def test_aggregate_engine_matches_pandas_groupby_on_unsorted_keys_with_missing_values():
    rng = np.random.default_rng(4)
    keys = rng.integers(0, 50, 2000).astype("float64")
    keys[:7] = np.nan  # rows without a key are ignored
    values = rng.normal(size=2000) * 1e3
    values[rng.random(2000) < 0.2] = np.nan
    values[keys == 3] = np.nan  # a key whose values are all missing
    frame = pd.DataFrame({"K": keys, "X": values})
    out = aggregate(frame, "K", {"X": ["mean", "min", "max", "sum", "std"]}, "T_")
    expected = frame.groupby("K")["X"].agg(["mean", "min", "max", "sum", "std"])
    expected.columns = [f"T_X_{c.upper()}" for c in expected.columns]
    expected.insert(0, "T_COUNT", frame.groupby("K").size().astype("float64"))
    assert_frame_equal(out, expected, check_exact=False, rtol=1e-10, check_index_type=False)
    assert np.isnan(out.loc[3.0, "T_X_MEAN"]) and out.loc[3.0, "T_X_SUM"] == 0.0
