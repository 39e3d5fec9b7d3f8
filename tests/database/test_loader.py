"""The loader as a user meets it: real and synthetic files load, bad input is refused or quarantined, and a
failed or killed load leaves the database exactly as it was (SQLite and a real PostgreSQL server)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pytest
from sqlalchemy import text

from database.config import REPO_ROOT, get_engine
from database.loader import LoadError, load
from database.schema import DATA_TABLES

pytestmark = pytest.mark.requirement("EXG-DB-02", "EXG-DB-04")

BUREAU_HEADER = ("SK_ID_CURR,SK_ID_BUREAU,CREDIT_ACTIVE,CREDIT_CURRENCY,DAYS_CREDIT,CREDIT_DAY_OVERDUE,"
                 "DAYS_CREDIT_ENDDATE,DAYS_ENDDATE_FACT,AMT_CREDIT_MAX_OVERDUE,CNT_CREDIT_PROLONG,AMT_CREDIT_SUM,"
                 "AMT_CREDIT_SUM_DEBT,AMT_CREDIT_SUM_LIMIT,AMT_CREDIT_SUM_OVERDUE,CREDIT_TYPE,DAYS_CREDIT_UPDATE,"
                 "AMT_ANNUITY")


def bureau_line(client: int, credit: int, days: str = "-857") -> str:
    """One valid bureau line (Excel style: integral floats without '.0')."""
    return f'{client},{credit},"Closed",currency 1,{days},0,-492,-553,NA,0,112500,0,0,0,Consumer credit,-155,NA'


def snapshot(url: str) -> dict[str, int]:
    """Row counts of every table the loader writes, to compare a database before and after."""
    engine = get_engine(url)
    with engine.connect() as connection:
        names = [*DATA_TABLES, "load_run", "rejected_row"]
        exists = set(engine.dialect.get_table_names(connection))
        counts = {n: connection.execute(text(f"SELECT COUNT(*) FROM {n}")).scalar() if n in exists else -1
                  for n in names}
    engine.dispose()
    return counts


def query(url: str, sql: str) -> list[tuple]:
    """Rows of one query."""
    engine = get_engine(url)
    with engine.connect() as connection:
        rows = [tuple(r) for r in connection.execute(text(sql))]
    engine.dispose()
    return rows


def orphans(url: str) -> int:
    """Rows in the database whose parent is missing (must be zero)."""
    checks = [("bureau", "sk_id_curr", "application", "sk_id_curr"),
              ("bureau_balance", "sk_id_bureau", "bureau", "sk_id_bureau"),
              ("previous_application", "sk_id_curr", "application", "sk_id_curr")]
    checks += [(t, c, p, c) for t in ("pos_cash_balance", "credit_card_balance", "installments_payments")
               for c, p in (("sk_id_prev", "previous_application"), ("sk_id_curr", "application"))]
    return sum(query(url, f"SELECT COUNT(*) FROM {t} WHERE {c} NOT IN (SELECT {pc} FROM {p})")[0][0]
               for t, c, p, pc in checks)


@pytest.fixture
def app_dir(sample_dir: Path, tmp_path: Path) -> Path:
    """A folder with 20 real train applications (SK_ID_CURR 100002...) as application_train.csv."""
    folder = tmp_path / "app"
    folder.mkdir()
    lines = (sample_dir / "application_data_sample.csv").read_text().splitlines()
    (folder / "application_train.csv").write_text("\n".join(lines[:21]) + "\n")
    return folder


def client_ids(app_dir: Path) -> list[int]:
    """The SK_ID_CURR of the applications in app_dir."""
    return [int(line.split(",")[0]) for line in (app_dir / "application_train.csv").read_text().splitlines()[1:]]


# -- real and synthetic data ------------------------------------------------------------------------

def test_real_sample_loads_with_true_reasons_and_reruns_idempotently(db_url: str, sample_set: Path) -> None:
    summary = load([sample_set], db_url, progress=None)
    counts = snapshot(db_url)
    assert counts["application"] == 872
    by_file = {f.file: f for f in summary.files}
    for f in summary.files:
        assert f.loaded + f.rejected == f.rows_read
        assert counts[f.table] == f.loaded or f.table == "application"
    assert orphans(db_url) == 0
    # SK_ID_CURR 100001 is an application_test client absent from the files: its bureau rows are orphans.
    reasons = query(db_url, "SELECT reason, raw_row, line_number FROM rejected_row "
                            "WHERE source_file LIKE '%bureau.csv' ORDER BY line_number")
    assert reasons[0][0].startswith("orphan: SK_ID_CURR=100001 is in no application row")
    assert reasons[0][1].startswith("100001,5896630,Closed,currency 1,-857") and reasons[0][2] == 2
    # A bureau_balance row whose credit was rejected as an orphan is itself an orphan (parents first).
    rejected_credits = {int(r[1].split(",")[1]) for r in reasons}
    balance = query(db_url, "SELECT raw_row, reason FROM rejected_row WHERE source_file LIKE '%bureau_balance.csv'")
    assert any(int(raw.split(",")[0]) in rejected_credits for raw, _ in balance)
    assert all(reason.startswith("orphan: SK_ID_BUREAU=") for _, reason in balance)
    assert by_file["installments_payments.csv"].reasons == {"orphan (parent not found)": 1823}

    again = load([sample_set], db_url, progress=None)
    assert snapshot(db_url) | {"load_run": 0, "rejected_row": 0} == counts | {"load_run": 0, "rejected_row": 0}
    assert again.total("loaded") == 0
    assert again.total("already_present") == summary.total("loaded")


def test_synthetic_set_loads_without_orphans_and_second_run_changes_nothing(db_url: str,
                                                                           synthetic_dir: Path) -> None:
    summary = load([synthetic_dir], db_url, progress=None)
    files = {f.file: f for f in summary.files}
    for name, f in files.items():
        lines = (synthetic_dir / name).read_text().count("\n") - 1
        assert f.rows_read == lines and f.loaded == lines - f.rejected, name
        assert set(f.reasons) <= {"orphan (parent not found)", "duplicate key"}, name
    counts = snapshot(db_url)
    assert counts["application"] == files["application_train.csv"].loaded + files["application_test.csv"].loaded
    assert counts["installments_payments"] == files["installments_payments.csv"].loaded
    assert orphans(db_url) == 0
    tests = query(db_url, "SELECT COUNT(*) FROM application WHERE target IS NULL")[0][0]
    assert tests == files["application_test.csv"].loaded

    again = load([synthetic_dir], db_url, progress=None)
    assert again.total("loaded") == 0
    assert {k: v for k, v in snapshot(db_url).items() if k in DATA_TABLES} == \
        {k: v for k, v in counts.items() if k in DATA_TABLES}


# -- file-level problems: one clear line, database unchanged -----------------------------------------

def _bad_files() -> dict[str, tuple]:
    """Name -> (file name, content bytes or callable(path), words the message must contain)."""
    header = BUREAU_HEADER
    return {
        "missing column": ("bureau.csv", (header.replace(",CREDIT_TYPE", "") + "\n").encode(),
                           ["bureau.csv", "missing column", "CREDIT_TYPE"]),
        "unknown column": ("bureau.csv", (header + ",COLOUR\n").encode(), ["bureau.csv", "unknown column", "COLOUR"]),
        "empty file": ("bureau.csv", b"", ["bureau.csv", "empty"]),
        "not utf-8": ("bureau.csv", (header + "\n" + bureau_line(100002, 1) + "\n").encode()
                      + b'100002,2,"Clos\xe9d",x,-1,0,0,0,0,0,0,0,0,0,x,0,0\n', ["bureau.csv", "line 3", "UTF-8"]),
        "zip": ("bureau.csv", "zip", ["bureau.csv", "zip archive"]),
        "binary": ("bureau.csv", bytes(range(256)) * 4, ["bureau.csv", "not a CSV"]),
        "one-column garbage": ("bureau.csv", b"hello world\nfoo\nbar\n", ["bureau.csv", "not a Home Credit"]),
    }


@pytest.mark.parametrize("case", list(_bad_files()))
def test_bad_file_stops_the_load_and_leaves_the_database_unchanged(case: str, sqlite_url: str, app_dir: Path,
                                                                   tmp_path: Path) -> None:
    load([app_dir], sqlite_url, progress=None)
    before = snapshot(sqlite_url)
    name, content, words = _bad_files()[case]
    folder = tmp_path / "bad"
    shutil.copytree(app_dir, folder)
    if content == "zip":
        with zipfile.ZipFile(folder / name, "w") as archive:
            archive.writestr("bureau.csv", BUREAU_HEADER + "\n")
    else:
        (folder / name).write_bytes(content)
    with pytest.raises(LoadError) as error:
        load([folder], sqlite_url, progress=None)
    message = str(error.value)
    assert "\n" not in message
    for word in words:
        assert word in message
    assert snapshot(sqlite_url) == before


def test_label_named_defaulted_gets_the_rename_hint(sample_dir: Path, sqlite_url: str) -> None:
    with pytest.raises(LoadError, match="unknown column.*DEFAULTED.*rename DEFAULTED to TARGET"):
        load([sample_dir / "application.csv"], sqlite_url, progress=None)


def test_two_files_for_one_table_is_an_error(sample_dir: Path, sqlite_url: str) -> None:
    with pytest.raises(LoadError, match="application.csv and application_data_sample.csv are both files"):
        load([sample_dir], sqlite_url, progress=None)


def test_utf8_error_midway_in_a_big_file_rolls_back_rows_already_written(db_url: str, app_dir: Path) -> None:
    ids = client_ids(app_dir)
    lines = [BUREAU_HEADER] + [bureau_line(ids[i % 20], 5_000_000 + i) for i in range(30_000)]
    data = ("\n".join(lines) + "\n").encode() + bureau_line(ids[0], 1).replace("Closed", "Clos\xe9d").encode("latin-1")
    (app_dir / "bureau.csv").write_bytes(data + b"\n")
    with pytest.raises(LoadError, match=r"bureau.csv: not UTF-8 text at line 30002"):
        load([app_dir], db_url, block_size=1 << 18, progress=None)
    assert snapshot(db_url)["application"] in (0, -1)


# -- row-level problems: exactly those rows quarantined ---------------------------------------------

def test_bad_rows_are_rejected_with_reason_and_raw_text(db_url: str, app_dir: Path) -> None:
    ids = client_ids(app_dir)
    app_lines = (app_dir / "application_train.csv").read_text().splitlines()
    bad_target = app_lines[1].split(",")
    bad_target[0], bad_target[1] = "999001", "2"
    (app_dir / "application_train.csv").write_text("\n".join(app_lines + [",".join(bad_target)]) + "\n")
    rows = [
        bureau_line(ids[0], 10),                                   # 2 good
        bureau_line(ids[0], 11, days="-3648.0"),                  # 3 good: integral float
        bureau_line(ids[0], 12, days="abc"),                      # 4 text in a numeric column
        bureau_line(ids[1], 13, days="-12.5"),                    # 5 not a whole number
        bureau_line(ids[1], 10),                                   # 6 duplicate key of line 2
        bureau_line(999999, 14),                                   # 7 orphan
        bureau_line(ids[2], 15).replace(f"{ids[2]},15", f"{ids[2]},"),  # 8 empty key
        bureau_line(ids[2], 16),                                   # 9 good
        "100002,17,Closed,currency 1",                            # 10 truncated last line
    ]
    (app_dir / "bureau.csv").write_bytes(("\r\n".join([BUREAU_HEADER] + rows)).encode())
    summary = load([app_dir], db_url, progress=None)
    rejected = {line: (reason, raw) for line, reason, raw in
                query(db_url, "SELECT line_number, reason, raw_row FROM rejected_row WHERE source_file LIKE "
                              "'%bureau.csv'")}
    assert sorted(rejected) == [4, 5, 6, 7, 8, 10]
    assert rejected[4][0] == "DAYS_CREDIT='abc' is not a number" and rejected[4][1] == rows[2]
    assert rejected[5][0] == "DAYS_CREDIT='-12.5' is not a whole number"
    assert rejected[6][0].startswith("duplicate key SK_ID_BUREAU=10")
    assert rejected[7][0].startswith("orphan: SK_ID_CURR=999999")
    assert rejected[8][0] == "SK_ID_BUREAU is empty"
    assert rejected[10][0].startswith("has 4 fields, expected 17") and rejected[10][1] == rows[-1]
    assert query(db_url, "SELECT sk_id_bureau, days_credit FROM bureau ORDER BY 1") == [(10, -857), (11, -3648),
                                                                                          (16, -857)]
    target = query(db_url, "SELECT reason, line_number FROM rejected_row WHERE source_file LIKE '%train.csv'")
    assert target == [("TARGET='2' is not 0 or 1", 22)]
    assert {f.file: f.rejected for f in summary.files} == {"application_train.csv": 1, "bureau.csv": 6}


def test_strict_refuses_the_whole_load_when_a_row_is_bad(sqlite_url: str, app_dir: Path) -> None:
    ids = client_ids(app_dir)
    (app_dir / "bureau.csv").write_text("\n".join([BUREAU_HEADER, bureau_line(ids[0], 1),
                                                   bureau_line(ids[0], 2, days="x")]) + "\n")
    with pytest.raises(LoadError, match=r"--strict: 1 row\(s\) rejected \(first: bureau.csv line 3: DAYS_CREDIT"):
        load([app_dir], sqlite_url, strict=True, progress=None)
    assert snapshot(sqlite_url)["application"] in (0, -1)
    load([app_dir], sqlite_url, progress=None)
    assert snapshot(sqlite_url)["bureau"] == 1


def test_subset_header_only_file_and_tables_option(sqlite_url: str, app_dir: Path) -> None:
    (app_dir / "bureau.csv").write_text("\ufeff" + BUREAU_HEADER + "\r\n")
    summary = load([app_dir], sqlite_url, tables=["application"], progress=None)
    assert [f.file for f in summary.files] == ["application_train.csv"]
    summary = load([app_dir], sqlite_url, progress=None)
    assert {f.file: f.rows_read for f in summary.files} == {"application_train.csv": 20, "bureau.csv": 0}
    assert snapshot(sqlite_url)["application"] == 20


def test_header_only_child_files_load_as_empty_tables(db_url: str, app_dir: Path, sample_dir: Path) -> None:
    """An empty bureau.csv and an empty bureau_balance.csv (headers only) are empty tables, not an error."""
    balance_header = (sample_dir / "bureau_balance.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    (app_dir / "bureau.csv").write_text(BUREAU_HEADER + "\n")
    (app_dir / "bureau_balance.csv").write_text("\ufeff" + balance_header + "\r\n")
    summary = load([app_dir], db_url, progress=None)
    assert {f.file: f.rows_read for f in summary.files} == {
        "application_train.csv": 20, "bureau.csv": 0, "bureau_balance.csv": 0}
    counts = snapshot(db_url)
    assert counts["application"] == 20 and counts["bureau"] == 0 and counts["bureau_balance"] == 0


def test_child_without_any_parent_table_is_a_clear_error(sqlite_url: str, sample_dir: Path) -> None:
    with pytest.raises(LoadError, match="table bureau needs application rows, but application is empty"):
        load([sample_dir / "bureau.csv"], sqlite_url, progress=None)


def test_instalments_of_a_loan_already_loaded_are_skipped_as_a_unit(sqlite_url: str, sample_set: Path,
                                                                    tmp_path: Path) -> None:
    load([sample_set], sqlite_url, progress=None)
    before = snapshot(sqlite_url)
    loan, client = query(sqlite_url, "SELECT sk_id_prev, sk_id_curr FROM installments_payments LIMIT 1")[0]
    extra = tmp_path / "installments_payments.csv"
    header = (sample_set / "installments_payments.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    extra.write_text(f"{header}\n{loan},{client},1,99,-10,-10,5.0,5.0\n")
    summary = load([extra], sqlite_url, progress=None)
    assert summary.files[0].already_present == 1 and snapshot(sqlite_url)["installments_payments"] == \
        before["installments_payments"]


# -- the command line and a killed load ---------------------------------------------------------------

def run_cli(*args: str, url: str) -> subprocess.CompletedProcess:
    """Run ``python -m database`` with DATABASE_URL set."""
    return subprocess.run([sys.executable, "-m", "database", *args], cwd=REPO_ROOT, capture_output=True,
                          text=True, env={**os.environ, "DATABASE_URL": url}, timeout=120)


def test_cli_prints_one_line_and_exits_2_on_a_bad_file(sample_dir: Path, sqlite_url: str) -> None:
    result = run_cli("load", "--source", str(sample_dir / "application.csv"), url=sqlite_url)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "Traceback" not in result.stderr
    assert "DEFAULTED" in result.stderr


def test_cli_load_prints_progress_and_summary(app_dir: Path, sqlite_url: str) -> None:
    result = run_cli("load", "--source", str(app_dir), url=sqlite_url)
    assert result.returncode == 0, result.stderr
    assert "application_train.csv: 20 rows read" in result.stderr
    assert result.stdout.strip().splitlines()[-1].startswith("Loaded 20 rows from 1 file(s)")


def test_sigkill_halfway_leaves_the_database_as_before(db_url: str, app_dir: Path) -> None:
    load([app_dir], db_url, progress=None)
    before = snapshot(db_url)
    ids = client_ids(app_dir)
    credits = 5_000_000 + np.arange(200)
    (app_dir / "bureau.csv").write_text("\n".join([BUREAU_HEADER] + [bureau_line(ids[i % 20], c)
                                                                      for i, c in enumerate(credits)]) + "\n")
    months = 8000
    balance = pa.table({"SK_ID_BUREAU": np.repeat(credits, months), "MONTHS_BALANCE": np.tile(-np.arange(months), 200),
                        "STATUS": pa.array(["C"] * (months * 200))})
    pacsv.write_csv(balance, app_dir / "bureau_balance.csv")
    process = subprocess.Popen([sys.executable, "-m", "database", "load", "--source", str(app_dir),
                                "--batch-size-mb", "0.25"], cwd=REPO_ROOT, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "DATABASE_URL": db_url})
    deadline = time.monotonic() + 60
    seen = ""
    while time.monotonic() < deadline:
        line = process.stderr.readline()
        seen += line
        if "bureau_balance.csv" in line and " 0 written" not in line:
            break
        assert line, f"load ended before progress showed written rows: {seen}"
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    assert snapshot(db_url) == before


def test_the_last_progress_line_of_a_file_agrees_with_its_summary(app_dir: Path, sqlite_url: str) -> None:
    """Progress said "installments_payments.csv: 310,540 rows read" and the summary 384,813: a line written
    midway read as the file's count."""
    import io

    said = io.StringIO()
    header, *_ = (app_dir / "application_train.csv").read_text().splitlines()
    summary = load([app_dir], sqlite_url, block_size=4 * len(header), progress=said)  # several blocks of rows
    lines = [line.strip() for line in said.getvalue().splitlines() if "application_train.csv" in line]
    rows = summary.files[0].rows_read
    assert rows == 20 and len(lines) >= 2
    assert all("so far" in line for line in lines[:-1])
    assert lines[-1].startswith(f"application_train.csv: {rows:,} rows read, {summary.files[0].loaded:,} written")
