"""The Azure Boards backlog parses and is complete; the sprints and the EVM table agree with it."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from pm import backlog, evm
from pm.data import DataFileError

pytestmark = pytest.mark.requirement("EXG-GP-03")

REPO = Path(__file__).resolve().parents[2]
DOCS = REPO / "docs" / "gestion-projet"
DATA = ("backlog.csv", "sprints.csv", "budget.csv", "temps.csv")


def test_backlog_has_the_azure_boards_columns_and_a_full_hierarchy():
    frame = pd.read_csv(DOCS / "backlog.csv", dtype=str, keep_default_na=False)
    for column in ("Work Item Type", "Title 1", "Description", "Acceptance Criteria", "State", "Story Points",
                   "Priority", "Iteration Path", "Area Path", "Assigned To", "Tags"):
        assert column in frame.columns
    items = backlog.read(DOCS / "backlog.csv")
    kinds = {i.kind for i in items}
    assert kinds == {"Epic", "Feature", "User Story", "Task"}
    for item in items:
        if item.parent is not None:
            assert backlog.TYPES[items[item.parent].kind] == backlog.TYPES[item.kind] - 1


def test_every_user_story_has_acceptance_criteria_points_and_a_sprint_of_sprints_csv():
    sprints = set(pd.read_csv(DOCS / "sprints.csv")["sprint"])
    for story in backlog.stories(backlog.read(DOCS / "backlog.csv")):
        assert story.acceptance, story.title
        assert story.points > 0, story.title
        assert story.sprint in sprints, story.title


def test_sprints_points_are_the_backlogs():
    points = backlog.points_by_sprint(backlog.read(DOCS / "backlog.csv"))
    sprints = pd.read_csv(DOCS / "sprints.csv").set_index("sprint")
    assert (sprints.loc[points.index, "points_engages"] == points["engages"]).all()
    assert (sprints.loc[points.index, "points_termines"] == points["termines"]).all()


def test_evm_indices_recompute_from_its_own_pv_ev_ac():
    table = pd.read_csv(DOCS / "evm.csv")
    assert list(table.columns) == list(evm.COLUMNS)
    assert list(table["sprint"]) == [f"Sprint {n}" for n in range(1, len(table) + 1)]
    bac = evm.budget_at_completion(DOCS)
    again = evm.indices(table[["sprint", "PV", "EV", "AC"]], bac)
    for column in ("SV", "CV", "SPI", "CPI", "EAC", "ETC", "VAC", "TCPI"):
        assert table[column].to_numpy() == pytest.approx(again[column].to_numpy(), rel=1e-3, abs=0.01), column
    assert (table["EV"].diff().dropna() >= 0).all() and (table["AC"].diff().dropna() >= 0).all()


def test_the_command_regenerates_the_published_evm_and_its_pictures(tmp_path):
    for name in DATA:
        shutil.copy(DOCS / name, tmp_path / name)
    result = subprocess.run([sys.executable, "-m", "pm", "--docs", str(tmp_path), "evm"], cwd=REPO,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "evm.csv"), pd.read_csv(DOCS / "evm.csv"))
    for picture in ("evm-courbe-en-s.png", "burndown.png"):
        assert (tmp_path / "img" / picture).stat().st_size > 10_000


def test_a_task_without_a_story_above_it_is_refused_with_its_row(tmp_path):
    frame = pd.read_csv(DOCS / "backlog.csv", dtype=str, keep_default_na=False)
    task = frame[frame["Work Item Type"] == "Task"].iloc[[0]]
    bad = pd.concat([task, frame]).reset_index(drop=True)
    bad.to_csv(tmp_path / "backlog.csv", index=False)
    with pytest.raises(DataFileError, match="row 2: Task .* has no parent above it"):
        backlog.read(tmp_path / "backlog.csv")
