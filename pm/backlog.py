"""The Azure Boards backlog (CSV import format, hierarchy by 'Title 1'..'Title 4') read as a tree."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pm import config
from pm.data import DataFileError

LEVELS = ("Title 1", "Title 2", "Title 3", "Title 4")
COLUMNS = ("ID", "Work Item Type", *LEVELS, "Description", "Acceptance Criteria", "State",
           "Story Points", "Priority", "Iteration Path", "Area Path", "Assigned To", "Tags")
TYPES = {"Epic": 0, "Feature": 1, "User Story": 2, "Task": 3}
DONE_STATES = ("Closed", "Resolved")
STATES = ("New", "Active", *DONE_STATES, "Removed")


@dataclass(frozen=True)
class Item:
    """One work item with its parent's row number (None for an epic)."""

    row: int
    kind: str
    title: str
    parent: int | None
    state: str
    points: float
    sprint: str
    acceptance: str
    tags: tuple[str, ...]


def read(path: Path | None = None) -> list[Item]:
    """Parse backlog.csv; every item sits one level under its parent, with a known type and state."""
    path = path or config.docs_dir() / "backlog.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise DataFileError(f"{path}: Azure Boards column {missing[0]!r} is missing")
    items: list[Item] = []
    parents: list[int | None] = [None] * len(LEVELS)
    for index, row in frame.iterrows():
        line = int(index) + 2
        kind = row["Work Item Type"]
        if kind not in TYPES:
            raise DataFileError(f"{path}: row {line}: unknown Work Item Type {kind!r}; use {', '.join(TYPES)}")
        level = TYPES[kind]
        titles = [row[c] for c in LEVELS]
        if not titles[level] or any(t for i, t in enumerate(titles) if i != level):
            raise DataFileError(f"{path}: row {line}: a {kind} has its title in {LEVELS[level]!r} only")
        parent = parents[level - 1] if level else None
        if level and parent is None:
            raise DataFileError(f"{path}: row {line}: {kind} {titles[level]!r} has no parent above it")
        if row["State"] not in STATES:
            raise DataFileError(f"{path}: row {line}: unknown State {row['State']!r}")
        parents[level] = len(items)
        parents[level + 1:] = [None] * (len(LEVELS) - level - 1)
        sprint = row["Iteration Path"].rsplit("\\", 1)[-1] if row["Iteration Path"] else ""
        items.append(Item(line, kind, titles[level], parent, row["State"],
                          float(row["Story Points"] or 0), sprint, row["Acceptance Criteria"],
                          tuple(t.strip() for t in row["Tags"].split(";") if t.strip())))
    return items


def stories(items: list[Item]) -> list[Item]:
    """The user stories, which carry the story points."""
    return [i for i in items if i.kind == "User Story"]


def open_epics(items: list[Item]) -> list[tuple[Item, float]]:
    """Each epic not done yet, with the points of its stories still to deliver."""
    feature_epic = {i.row: i.parent for i in items if i.kind == "Feature"}
    left = {}
    for story in stories(items):
        if story.state not in DONE_STATES:
            epic = feature_epic.get(story.parent)
            left[epic] = left.get(epic, 0.0) + story.points
    return [(e, left.get(e.row, 0.0)) for e in items if e.kind == "Epic" and e.state not in DONE_STATES]


def points_by_sprint(items: list[Item]) -> pd.DataFrame:
    """Committed and done story points per sprint (index: sprint name)."""
    frame = pd.DataFrame([(s.sprint, s.points, s.points if s.state in DONE_STATES else 0.0)
                          for s in stories(items)], columns=["sprint", "engages", "termines"])
    return frame.groupby("sprint")[["engages", "termines"]].sum()
