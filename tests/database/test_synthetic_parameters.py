"""The generator's fitted parameters are data: fitted.json, written by refit from the real sample, read back."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from database.synthetic import generate, refit
from database.synthetic.parameters import read, shipped

pytestmark = pytest.mark.requirement("EXG-DB-03")

REPO = Path(__file__).resolve().parents[2]


def _run(module: str, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", module, *map(str, args)], cwd=cwd, capture_output=True, text=True)


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """A copy of the database package (and of the settings layer below it) whose fitted.json is not there yet
    (refit has not been run)."""
    root = tmp_path / "checkout"
    for package in ("settings", "database"):
        shutil.copytree(REPO / package, root / package, ignore=shutil.ignore_patterns("__pycache__"))
    (root / "database" / "synthetic" / "fitted.json").unlink()
    return root


def test_refit_on_the_real_sample_gives_the_shipped_file_byte_for_byte(sample_dir, tmp_path):
    assert refit.main(["--sample", str(sample_dir), "--out", str(tmp_path / "fitted.json")]) == 0
    assert (tmp_path / "fitted.json").read_bytes() == shipped().read_bytes()


def test_the_generator_draws_from_the_file_refit_writes(checkout, sample_dir, tmp_path):
    # a sample in which every applicant owns a car, otherwise the real one
    sample = tmp_path / "sample"
    shutil.copytree(sample_dir, sample)
    with open(sample_dir / "application.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    car = rows[0].index("FLAG_OWN_CAR")
    with open(sample / "application.csv", "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\r\n").writerows([rows[0]] + [[*r[:car], "Y", *r[car + 1:]]
                                                                         for r in rows[1:]])
    run_refit = _run("database.synthetic.refit", "--sample", sample, cwd=checkout)  # the default --out
    assert run_refit.returncode == 0, run_refit.stderr
    written = json.loads((checkout / "database" / "synthetic" / "fitted.json").read_text(encoding="utf-8"))
    assert written["app_categories"]["FLAG_OWN_CAR"] == {"Y": 1.0}
    made = _run("database.synthetic", "--clients", 300, "--seed", 5, "--out", tmp_path / "refitted", cwd=checkout)
    assert made.returncode == 0, made.stderr
    generate(300, 5, tmp_path / "shipped", progress=None)
    refitted = pd.read_csv(tmp_path / "refitted" / "application_train.csv")
    usual = pd.read_csv(tmp_path / "shipped" / "application_train.csv")
    assert (refitted["FLAG_OWN_CAR"] == "Y").all() and refitted["OWN_CAR_AGE"].notna().all()
    assert (usual["FLAG_OWN_CAR"] == "N").mean() > 0.5
    pd.testing.assert_series_equal(refitted["DAYS_BIRTH"], usual["DAYS_BIRTH"])  # the same draw otherwise
    assert (tmp_path / "refitted" / "bureau.csv").read_bytes() == (tmp_path / "shipped" / "bureau.csv").read_bytes()


def test_without_its_parameter_file_the_generator_stops_with_one_line_naming_it_and_writes_nothing(checkout, tmp_path):
    run = _run("database.synthetic", "--clients", 50, "--out", tmp_path / "out", cwd=checkout)
    assert run.returncode == 2
    assert run.stderr.strip().splitlines() == [
        f"error: {checkout / 'database' / 'synthetic' / 'fitted.json'}: no such file; write it with "
        "python -m database.synthetic.refit --sample FOLDER"]
    assert not list((tmp_path / "out").glob("*.csv"))


def _renamed_card_limits(text: str) -> str:
    params = json.loads(text)
    params["card_limit"] = params.pop("card_limits")
    return json.dumps(params)


@pytest.mark.parametrize(("damage", "said"), [
    (lambda text: text[: len(text) // 2], "not JSON ("),
    (_renamed_card_limits, "missing parameters card_limits and unknown parameters card_limit;"),
    (lambda text: "[]", "a JSON list, not the object of parameters;"),
], ids=["cut short", "a parameter renamed", "not an object"])
def test_a_damaged_parameter_file_is_refused_naming_it_and_the_fix(damage, said, tmp_path):
    path = tmp_path / "fitted.json"
    path.write_text(damage(shipped().read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(ValueError) as refused:
        read(path)
    message = str(refused.value)
    assert message.startswith(f"{path}: ") and said in message and "\n" not in message
    assert message.endswith("regenerate it with python -m database.synthetic.refit --sample FOLDER")


def test_refit_from_a_folder_without_the_sample_names_the_missing_files_and_writes_nothing(tmp_path, capsys):
    out = tmp_path / "fitted.json"
    out.write_bytes(shipped().read_bytes())
    assert refit.main(["--sample", str(tmp_path), "--out", str(out)]) == 2
    said = capsys.readouterr().err
    assert said == (f"error: {tmp_path} has no application.csv, previous_application_sample.csv, bureau.csv, "
                    "credit_card_balance.csv: --sample must be the folder of the real Home Credit sample CSVs\n")
    assert out.read_bytes() == shipped().read_bytes()


def test_refit_from_a_sample_without_a_kaggle_column_names_the_file_and_column_and_writes_nothing(sample_dir, tmp_path,
                                                                                                   capsys):
    sample = tmp_path / "sample"
    shutil.copytree(sample_dir, sample)
    pd.read_csv(sample_dir / "bureau.csv").drop(columns="CREDIT_TYPE").to_csv(sample / "bureau.csv", index=False)
    out = tmp_path / "fitted.json"
    assert refit.main(["--sample", str(sample), "--out", str(out)]) == 2
    assert capsys.readouterr().err == (f"error: {sample / 'bureau.csv'}: no column CREDIT_TYPE; the sample must have "
                                       "the Kaggle columns\n")
    assert not out.exists()
