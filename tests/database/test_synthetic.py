"""Behaviour of the synthetic Home Credit generator: Kaggle layout, quirks, determinism and signal."""

from __future__ import annotations

import csv
import hashlib
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from database.synthetic import generate
from database.synthetic.drift import parse_drift
from database.synthetic.generate import APPLICATION_FILES, CHILD_FILES

pytestmark = pytest.mark.requirement("EXG-DB-03")

CLIENTS = 2000
REPO = Path(__file__).resolve().parents[2]
FILES = [*APPLICATION_FILES, *CHILD_FILES]
#: The file of the real sample (tests/fixtures/homecredit-sample) holding each file's exact Kaggle header.
REAL_HEADERS = {"application_train.csv": "application_data_sample.csv", "bureau.csv": "bureau.csv",
                "bureau_balance.csv": "bureau_balance.csv", "previous_application.csv": "previous_application_sample.csv",
                "POS_CASH_balance.csv": "pos_cash_balance.csv", "credit_card_balance.csv": "credit_card_balance.csv",
                "installments_payments.csv": "installments_payments.csv"}


def _digest(folder: Path) -> dict:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.glob("*.csv"))}


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> tuple[Path, dict]:
    folder = tmp_path_factory.mktemp("synthetic")
    return folder, generate(CLIENTS, 7, folder, progress=None)


@pytest.fixture(scope="module")
def tables(data) -> dict:
    folder, _ = data
    return {name: pd.read_csv(folder / name) for name in FILES + ["true_pd.csv"]}


def _first_row(path: Path) -> list[str]:
    with open(path, newline="", encoding="utf-8-sig") as handle:  # the real sample has byte-order marks
        return next(csv.reader(handle))


def test_every_file_has_the_exact_kaggle_header(data, sample_dir):
    folder, counts = data
    real = {name: _first_row(sample_dir / source) for name, source in REAL_HEADERS.items()}
    real["application_test.csv"] = [c for c in real["application_train.csv"] if c != "TARGET"]
    for name in FILES:
        first_line = (folder / name).read_text(encoding="utf-8").split("\n", 1)[0]
        assert first_line.split(",") == real[name], name
        assert counts[name] > 0, name
    assert len(real["application_train.csv"]) == 122 and "TARGET" in real["application_train.csv"]


def test_kaggle_value_formats(data):
    folder, _ = data
    with open(folder / "application_train.csv", newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header, line = next(reader), next(reader)
    row = dict(zip(header, line, strict=False))
    assert row["SK_ID_CURR"] == "100002"
    assert row["AMT_INCOME_TOTAL"].endswith(".0") and "." not in row["DAYS_BIRTH"]
    assert row["FLAG_OWN_CAR"] in {"Y", "N"}
    assert row["WEEKDAY_APPR_PROCESS_START"].isupper()
    assert "NA" not in line and "nan" not in line


def test_same_seed_same_bytes_other_seed_differs(data, tmp_path):
    folder, _ = data
    generate(CLIENTS, 7, tmp_path / "again", progress=None)
    generate(CLIENTS, 8, tmp_path / "other", progress=None)
    assert _digest(tmp_path / "again") == _digest(folder)
    other = _digest(tmp_path / "other")
    assert all(other[name] != digest for name, digest in _digest(folder).items())


def test_train_test_split_and_default_rate(tables):
    train, test = tables["application_train.csv"], tables["application_test.csv"]
    assert len(train) + len(test) == CLIENTS
    assert abs(len(test) / CLIENTS - 48_744 / 356_255) < 0.005
    assert 0.05 < train["TARGET"].mean() < 0.115
    assert set(train["TARGET"].unique()) == {0, 1}
    assert len(tables["true_pd.csv"]) == CLIENTS


def test_pensioner_sentinel_and_missing_patterns(tables):
    app = pd.concat([tables["application_train.csv"], tables["application_test.csv"]])
    pensioner = app["NAME_INCOME_TYPE"] == "Pensioner"
    assert 0.14 < pensioner.mean() < 0.22
    assert (app.loc[pensioner, "DAYS_EMPLOYED"] == 365243).all()
    assert (app.loc[~pensioner, "DAYS_EMPLOYED"] < 0).all()
    assert (app.loc[pensioner, "ORGANIZATION_TYPE"] == "XNA").all()
    assert 0.5 < app["EXT_SOURCE_1"].isna().mean() < 0.62
    assert 0.15 < app["EXT_SOURCE_3"].isna().mean() < 0.25
    assert (app["OWN_CAR_AGE"].isna() == (app["FLAG_OWN_CAR"] == "N")).all()
    avg, mode = app["APARTMENTS_AVG"].isna(), app["APARTMENTS_MODE"].isna()
    assert (avg == mode).all() and 0.4 < avg.mean() < 0.6
    assert (app["CNT_FAM_MEMBERS"] >= app["CNT_CHILDREN"] + 1).all()
    assert (app["AMT_CREDIT"] > app["AMT_ANNUITY"]).all()


def test_child_tables_quirks(tables):
    prev = tables["previous_application.csv"]
    assert (prev["DAYS_FIRST_DRAWING"] == 365243).any() and (prev["DAYS_LAST_DUE"] == 365243).any()
    assert set(prev["NAME_CONTRACT_STATUS"]) >= {"Approved", "Refused", "Canceled"}
    assert set(tables["bureau_balance.csv"]["STATUS"].astype(str)) <= set("CX012345")
    assert (tables["bureau.csv"]["DAYS_CREDIT"] < 0).all()
    inst = tables["installments_payments.csv"]
    keys = ["SK_ID_PREV", "NUM_INSTALMENT_NUMBER", "NUM_INSTALMENT_VERSION"]
    assert inst.duplicated(keys).any()  # partial payments split into two rows


KEYS = {"application_train.csv": ["SK_ID_CURR"], "application_test.csv": ["SK_ID_CURR"],
        "bureau.csv": ["SK_ID_BUREAU"], "previous_application.csv": ["SK_ID_PREV"],
        "bureau_balance.csv": ["SK_ID_BUREAU", "MONTHS_BALANCE"],
        "POS_CASH_balance.csv": ["SK_ID_PREV", "MONTHS_BALANCE"],
        "credit_card_balance.csv": ["SK_ID_PREV", "MONTHS_BALANCE"]}


@pytest.mark.parametrize("name", list(KEYS))
def test_database_keys_are_unique(tables, name):
    duplicated = tables[name][tables[name].duplicated(KEYS[name], keep=False)]
    assert duplicated.empty, f"{name}: repeated key {KEYS[name]} on rows\n{duplicated.head()}"


def test_train_and_test_clients_are_disjoint(tables):
    train, test = tables["application_train.csv"], tables["application_test.csv"]
    assert not set(train["SK_ID_CURR"]) & set(test["SK_ID_CURR"])


def test_card_repayments_appear_in_installments(tables):
    inst, card = tables["installments_payments.csv"], tables["credit_card_balance.csv"]
    repayments = inst[inst["SK_ID_PREV"].isin(card["SK_ID_PREV"])]
    assert len(repayments) > 0.5 * (card["AMT_PAYMENT_TOTAL_CURRENT"] > 0).sum()
    assert (repayments["NUM_INSTALMENT_VERSION"] == 0).all()
    assert (repayments["DAYS_ENTRY_PAYMENT"] < 0).all()


def test_foreign_keys_mostly_resolve_with_a_few_orphans(tables):
    clients = set(tables["application_train.csv"]["SK_ID_CURR"]) | set(tables["application_test.csv"]["SK_ID_CURR"])
    assert set(tables["bureau.csv"]["SK_ID_CURR"]) <= clients
    assert set(tables["previous_application.csv"]["SK_ID_CURR"]) <= clients
    orphan = ~tables["bureau_balance.csv"]["SK_ID_BUREAU"].isin(tables["bureau.csv"]["SK_ID_BUREAU"])
    assert orphan.mean() < 0.01
    prev_ids = tables["previous_application.csv"]["SK_ID_PREV"]
    for name in ["installments_payments.csv", "POS_CASH_balance.csv", "credit_card_balance.csv"]:
        assert tables[name]["SK_ID_PREV"].isin(prev_ids).mean() > 0.99, name


def test_orphans_exist_at_a_larger_size(tmp_path):
    counts = generate(12_000, 3, tmp_path, progress=None)
    bureau = pd.read_csv(tmp_path / "bureau.csv", usecols=["SK_ID_BUREAU"])
    balance = pd.read_csv(tmp_path / "bureau_balance.csv", usecols=["SK_ID_BUREAU"])
    assert 0 < (~balance["SK_ID_BUREAU"].isin(bureau["SK_ID_BUREAU"])).sum() < 0.01 * counts["bureau_balance.csv"]


def test_history_carries_default_signal(tables):
    train = tables["application_train.csv"]
    bureau = tables["bureau.csv"]
    overdue = set(bureau.loc[bureau["AMT_CREDIT_MAX_OVERDUE"].fillna(0) > 0, "SK_ID_CURR"])
    flagged = train["SK_ID_CURR"].isin(overdue)
    assert train.loc[flagged, "TARGET"].mean() > 1.3 * train.loc[~flagged, "TARGET"].mean()
    inst = tables["installments_payments.csv"]
    late = inst["DAYS_ENTRY_PAYMENT"] > inst["DAYS_INSTALMENT"]
    late_clients = set(inst.loc[late, "SK_ID_CURR"])
    has_late = train["SK_ID_CURR"].isin(late_clients)
    assert train.loc[has_late, "TARGET"].mean() > train.loc[~has_late, "TARGET"].mean()


def test_cli_help_and_run(tmp_path):
    shown = subprocess.run([sys.executable, "-m", "database.synthetic", "--help"], cwd=REPO,
                           capture_output=True, text=True, check=True)
    assert "--clients" in shown.stdout and "--test-share" in shown.stdout
    run = subprocess.run([sys.executable, "-m", "database.synthetic", "--clients", "300", "--seed", "1",
                          "--out", str(tmp_path)], cwd=REPO, capture_output=True, text=True, check=True)
    assert "done: 300 clients" in run.stderr
    assert sorted(p.name for p in tmp_path.glob("*.csv")) == sorted(FILES + ["true_pd.csv"])


def test_cli_rejects_a_bad_client_count(tmp_path):
    run = subprocess.run([sys.executable, "-m", "database.synthetic", "--clients", "0", "--out", str(tmp_path)],
                         cwd=REPO, capture_output=True, text=True)
    assert run.returncode == 2 and "--clients" in run.stderr


def test_drift_moves_amounts_external_scores_products_and_ids_only(tables, tmp_path):
    run = subprocess.run([sys.executable, "-m", "database.synthetic", "--clients", str(CLIENTS), "--seed", "7",
                          "--out", str(tmp_path), "--drift", "all"], cwd=REPO, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    before, after = tables["application_train.csv"], pd.read_csv(tmp_path / "application_train.csv")
    assert (after["SK_ID_CURR"] - before["SK_ID_CURR"] == 10_000_000).all()  # new clients, loadable beside
    assert after["AMT_INCOME_TOTAL"].median() / before["AMT_INCOME_TOTAL"].median() == pytest.approx(1.3, abs=0.03)
    assert after["EXT_SOURCE_2"].mean() < before["EXT_SOURCE_2"].mean() - 0.05
    revolving = (after["NAME_CONTRACT_TYPE"] == "Revolving loans").mean()
    assert revolving == pytest.approx(0.5, abs=0.04) and (before["NAME_CONTRACT_TYPE"] == "Revolving loans").mean() < 0.15
    pd.testing.assert_series_equal(after["DAYS_BIRTH"], before["DAYS_BIRTH"])  # the rest is the same draw


def test_drift_of_defaults_raises_the_default_rate_and_unknown_drifts_are_refused(tables, tmp_path):
    generate(CLIENTS, 7, tmp_path, progress=None, drift=parse_drift("defaults"))
    raised = pd.read_csv(tmp_path / "application_train.csv")["TARGET"].mean()
    assert raised > 1.5 * tables["application_train.csv"]["TARGET"].mean()
    run = subprocess.run([sys.executable, "-m", "database.synthetic", "--clients", "10", "--out", str(tmp_path),
                          "--drift", "incomes-down"], cwd=REPO, capture_output=True, text=True)
    assert run.returncode == 2 and "unknown drift 'incomes-down'" in run.stderr and "amounts" in run.stderr


def test_through_the_door_keeps_the_refused_without_an_outcome_and_the_rest_unchanged(tables, tmp_path):
    run = subprocess.run([sys.executable, "-m", "database.synthetic", "--clients", str(CLIENTS), "--seed", "7",
                          "--out", str(tmp_path), "--through-the-door", "0.3"], cwd=REPO, capture_output=True,
                         text=True)
    assert run.returncode == 0, run.stderr
    ttd = pd.read_csv(tmp_path / "through_the_door.csv")
    train, test = pd.read_csv(tmp_path / "application_train.csv"), pd.read_csv(tmp_path / "application_test.csv")
    before = tables["application_train.csv"]
    refused = ttd[ttd["LEGACY_DECISION"] == "refused"]
    # the applicants are the clients that were in application_train; the legacy policy refused 30 % of them
    assert sorted(ttd["SK_ID_CURR"]) == sorted(before["SK_ID_CURR"])
    assert len(refused) == round(0.3 * len(ttd))
    # refused applicants are in the database without TARGET; the granted keep the outcome they had
    assert set(refused["SK_ID_CURR"]) <= set(test["SK_ID_CURR"]) and not set(refused["SK_ID_CURR"]) & set(train["SK_ID_CURR"])
    outcome = ttd.set_index("SK_ID_CURR")["OUTCOME"]
    assert (train.set_index("SK_ID_CURR")["TARGET"] == outcome.loc[train["SK_ID_CURR"]].to_numpy()).all()
    assert (before.set_index("SK_ID_CURR")["TARGET"] == outcome.loc[before["SK_ID_CURR"]].to_numpy()).all()
    # the policy refuses the riskier applicants, as a real one would, but not perfectly
    granted = ttd[ttd["LEGACY_DECISION"] == "granted"]
    assert refused["TRUE_PD"].mean() > 2 * granted["TRUE_PD"].mean()
    assert granted["TRUE_PD"].max() > refused["TRUE_PD"].min()
    # the other tables are the same draw
    for name in ("bureau.csv", "installments_payments.csv"):
        pd.testing.assert_frame_equal(pd.read_csv(tmp_path / name), tables[name])
    assert "refused by the legacy policy" in run.stderr
