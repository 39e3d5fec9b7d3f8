"""Requirements traced to tests: the check fails on an untested requirement or an unknown ID, and the
matrix lists every requirement with the result of its tests' last run."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from pm import backlog, traceability

pytestmark = pytest.mark.requirement("EXG-GP-01")

REPO = Path(__file__).resolve().parents[2]
DOCS = REPO / "docs" / "gestion-projet"

TEST_MODULE = '''import pytest

pytestmark = pytest.mark.requirement("EXG-ZZ-99")


@pytest.mark.requirement("EXG-AA-01")
def test_one():
    assert True


class TestGroup:
    @pytest.mark.requirement("EXG-AA-03")
    def test_two(self):
        assert True
'''

JUNIT = '''<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest" tests="2" time="1.5" timestamp="2026-12-01T10:00:00">
<testcase classname="tests.pm_fake.test_fake" name="test_one" time="0.1"/>
<testcase classname="tests.pm_fake.test_fake.TestGroup" name="test_two" time="0.2">
<failure message="AssertionError: the score changed">trace</failure></testcase>
</testsuite></testsuites>
'''


def run_pm(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pm", *args], cwd=REPO, capture_output=True, text=True, timeout=60)


@pytest.fixture()
def project(tmp_path: Path) -> tuple[Path, Path]:
    """A docs folder with three requirements and a test folder marking two of them plus an unknown one."""
    docs = tmp_path / "docs"
    docs.mkdir()
    pd.DataFrame({"id": ["EXG-AA-01", "EXG-AA-02", "EXG-AA-03"], "enonce": ["un", "deux", "trois"],
                  "source": ["s"] * 3, "priorite": ["Must"] * 3}).to_csv(docs / "exigences.csv", index=False)
    tests = tmp_path / "tests" / "pm_fake"
    tests.mkdir(parents=True)
    (tests / "test_fake.py").write_text(TEST_MODULE)
    (docs / "junit.xml").write_text(JUNIT)
    items = [("Epic", 0, "Épargne", ""), ("Feature", 1, "Comptes", ""),
             ("User Story", 2, "En tant que conseiller, je veux un", "EXG-AA-01; data engineer")]
    pd.DataFrame([{"ID": "", "Work Item Type": kind, **{level: (title if i == depth else "")
                   for i, level in enumerate(backlog.LEVELS)}, "Description": "d", "Acceptance Criteria": "a",
                   "State": "Closed", "Story Points": "3" if kind == "User Story" else "", "Priority": "1",
                   "Iteration Path": "P\\Sprint 1", "Area Path": "P", "Assigned To": "", "Tags": tags}
                  for kind, depth, title, tags in items]).to_csv(docs / "backlog.csv", index=False)
    pd.DataFrame({"id": ["R01"], "scenario": ["s"], "etapes": ["e"], "attendu": ["a"],
                  "exigences": ["EXG-AA-01, EXG-AA-03"]}).to_csv(docs / "recette.csv", index=False)
    return docs, tests.parent


def test_every_requirement_has_a_test_and_every_marker_names_a_known_requirement():
    problems = traceability.problems(traceability.requirements(DOCS), traceability.scan(REPO / "tests"))
    assert problems == []


def test_the_check_fails_naming_the_unknown_id_and_the_untested_requirement(project):
    docs, tests = project
    result = run_pm("--docs", str(docs), "trace", "--check", "--tests", str(tests))
    assert result.returncode == 1
    assert "tests/pm_fake/test_fake.py:7: test_one names unknown requirement EXG-ZZ-99" in result.stderr
    assert "EXG-AA-02 has no test" in result.stderr
    assert "EXG-AA-01 has no test" not in result.stderr and "EXG-AA-03 has no test" not in result.stderr


def test_the_check_passes_once_the_marker_is_fixed(project):
    docs, tests = project
    module = tests / "pm_fake" / "test_fake.py"
    module.write_text(TEST_MODULE.replace('"EXG-ZZ-99"', '"EXG-AA-02"'))
    assert run_pm("--docs", str(docs), "trace", "--check", "--tests", str(tests)).returncode == 0


def test_the_matrix_lists_every_requirement_with_its_last_result(project):
    docs, tests = project
    run_pm("--docs", str(docs), "trace", "--tests", str(tests))
    matrix = (docs / "matrice-des-exigences.md").read_text()
    rows = {line.split(" | ")[0].strip("| "): line for line in matrix.splitlines() if line.startswith("| EXG-")}
    assert set(rows) == {"EXG-AA-01", "EXG-AA-02", "EXG-AA-03"}
    assert rows["EXG-AA-01"].endswith("| réussi | R01 |")
    assert "ligne 4 (Sprint 1)" in rows["EXG-AA-01"]
    assert rows["EXG-AA-03"].endswith("| **échec** | R01 |")
    assert rows["EXG-AA-02"].endswith("| non exécuté |  |")
    assert "EXG-ZZ-99" in matrix  # named among the traceability problems


def test_the_published_matrix_lists_every_requirement_of_the_data_file():
    ids = pd.read_csv(DOCS / "exigences.csv")["id"]
    matrix = (DOCS / "matrice-des-exigences.md").read_text()
    listed = [line.split(" | ")[0].strip("| ") for line in matrix.splitlines() if line.startswith("| EXG-")]
    assert listed == list(ids)


def test_a_missing_junit_file_is_one_clear_line(project, tmp_path):
    docs, tests = project
    (docs / "junit.xml").unlink()
    result = run_pm("--docs", str(docs), "tests", "--tests", str(tests))
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "junit.xml: no JUnit XML" in result.stderr
    shutil.rmtree(tests)
