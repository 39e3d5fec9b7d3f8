"""The project's calendar could be true and its history is kept: sprints in turn, one day per role per day,
dates the repository shows, frozen plans, status reports that read as they did on their committee's date."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from pm import check, evm, schedule, status, steering

pytestmark = pytest.mark.requirement("EXG-GP-03")

REPO = Path(__file__).resolve().parents[2]
DOCS = REPO / "docs" / "gestion-projet"


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """A copy of the data files (no generated documents)."""
    shutil.copytree(DOCS, tmp_path / "docs", ignore=shutil.ignore_patterns("*.md", "*.pdf", "img"))
    return tmp_path / "docs"


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_published_calendar_has_no_problem():
    assert schedule.problems(DOCS) == []


def test_sprints_sharing_a_day_as_they_did_before_are_refused(data):
    _edit(data / "sprints.csv", "Sprint 2,2026-11-26T00:53", "Sprint 2,2026-11-25T23:00")
    assert schedule.overlaps(data) == [
        "sprints.csv: Sprint 2 starts (2026-11-25 23:00:00) before Sprint 1 ends (2026-11-26 00:37:00)"]


def test_a_role_logging_more_than_a_day_on_one_calendar_day_is_refused(data):
    _edit(data / "temps.csv", "2026-11-26,Sprint 2,Product Owner,0.5", "2026-11-26,Sprint 2,Product Owner,2")
    assert schedule.overloaded_days(data) == [
        "temps.csv: Product Owner logs 2.5 days on 2026-11-26; one calendar day holds at most one day of a role"]


def test_sprint_dates_the_history_does_not_show_are_refused(data):
    if subprocess.run(["git", "-C", str(REPO), "rev-parse", "--is-shallow-repository"],
                      capture_output=True, text=True).stdout.strip() == "true":
        pytest.skip("a shallow clone has not the sprints' commits; fetch the whole history (git fetch --unshallow)")
    _edit(data / "sprints.csv", "Sprint 4,2026-12-01T20:12,2026-12-02T00:38", "Sprint 4,2026-11-30T09:00,2026-12-01T18:00")
    assert schedule.history_mismatches(data) == [
        "sprints.csv: Sprint 4 ends 2026-12-01T18:00 but its last commit 2fa413d is of 2026-12-02T00:38",
        "sprints.csv: Sprint 4 has commits on 2026-12-02, outside 2026-11-30..2026-12-01"]


def test_a_plan_changed_after_it_was_frozen_or_frozen_late_without_saying_so_is_refused(data):
    _edit(data / "sprints.csv", "Sprint 5,2026-12-02T00:38,2026-12-02T08:57,Décision humaine tracée et passage à "
          "l'échelle du scoring de portefeuille,26", "Sprint 5,2026-12-02T00:38,2026-12-02T08:57,Décision humaine "
          "tracée et passage à l'échelle du scoring de portefeuille,30")
    _edit(data / "plan-de-reference.csv", "Sprint 4,2026-12-01T20:30,55,oui", "Sprint 4,2026-12-01T20:30,55,non")
    assert schedule.baseline_problems(data) == [
        "plan-de-reference.csv: Sprint 4 frozen 2026-12-01T20:30, sprint started 2026-12-01T20:12: retroactif must be oui",
        "sprints.csv: Sprint 5 plans 30 points, its frozen plan 26; a plan is not changed once frozen"]


def test_the_committed_baseline_of_a_started_sprint_cannot_be_rewritten(tmp_path, monkeypatch):
    committed = subprocess.run(["git", "-C", str(REPO), "show", "HEAD:docs/gestion-projet/plan-de-reference.csv"],
                               capture_output=True, text=True)
    if committed.returncode:
        pytest.skip("plan-de-reference.csv is not committed in this checkout")
    assert schedule.changed_since_committed(DOCS) == []
    original = (DOCS / "plan-de-reference.csv").read_text(encoding="utf-8")
    try:
        (DOCS / "plan-de-reference.csv").write_text(original.replace("Sprint 1,2026-12-01T20:30,90",
                                                                     "Sprint 1,2026-12-01T20:30,84"), encoding="utf-8")
        assert schedule.changed_since_committed(DOCS) == [
            "plan-de-reference.csv: the frozen plan of Sprint 1 changed after the sprint started"]
    finally:
        (DOCS / "plan-de-reference.csv").write_text(original, encoding="utf-8")


def test_at_the_end_of_the_last_sprint_the_schedule_index_is_one_not_an_artefact():
    last = evm.compute(DOCS).iloc[-1]
    assert last["avancement_temps"] == 1.0
    assert last["SPI"] == pytest.approx(1.0)
    assert last["TCPI"] == 0.0


def test_the_november_report_keeps_the_risks_open_then_when_later_statuses_change(data):
    ctx = steering.context(data)
    november = status.committees(data)[0]
    before = status.report_values(november, ctx, data)
    assert [r["id"] for r in before["open_risks"]] == ["R12", "R13", "R14", "R15"]
    with (data / "risques-historique.csv").open("a", encoding="utf-8") as out:
        out.write("R1,2026-12-05T10:00,ouvert\n")
    after = status.report_values(november, steering.context(data), data)
    assert after["open_risks"] == before["open_risks"]
    assert after["row"] == before["row"]
    assert [r["id"] for r in status.risks_at(pd.Timestamp("2026-12-06"), data) if r["statut"] == "ouvert"] == ["R1"]


def test_the_published_reports_are_what_their_committee_date_gives():
    stale = [line for line in check.stale(DOCS) if "rapport-avancement" in line]
    assert stale == []
    text = (DOCS / "rapport-avancement-2026-11.md").read_text(encoding="utf-8")
    assert "R15" in text.split("## Risques ouverts à cette date", 1)[1].split("##", 1)[0]


@pytest.mark.parametrize(("tcpi", "cpi", "expected"), [
    (0.0, 2.26, "Tout le travail prévu est livré (EV = BAC)"),
    (float("nan"), 0.8, "le TCPI n'est pas défini"),
    (0.6, 1.8, "le travail restant peut être fait avec un rendement moindre que prévu"),
    (1.2, 1.1, "le travail restant doit être fait plus efficacement que prévu, et même mieux que jusqu'ici"),
])
def test_the_to_complete_index_is_read_the_right_way_round(tcpi, cpi, expected):
    sentence = steering.effort({"TCPI": tcpi, "CPI": cpi})
    assert expected in sentence.replace("\u00a0", " ").replace("\u202f", " ")


def test_the_to_complete_index_is_undefined_once_the_budget_is_spent():
    table = evm.indices(pd.DataFrame({"PV": [100.0], "EV": [80.0], "AC": [120.0]}), bac=100.0)
    assert table["TCPI"].isna().all()
