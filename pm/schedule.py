"""Whether the project's calendar could be true: sprints one after the other, at most one day per role per
calendar day, sprint dates that the repository's history shows, and each sprint's plan frozen before it started."""
from __future__ import annotations

import subprocess
from io import StringIO
from pathlib import Path

import pandas as pd

from pm import config
from pm.data import numbers, read


def overlaps(folder: Path | None = None) -> list[str]:
    """Sprints that end before they start or start before the previous one ended."""
    sprints = read("sprints.csv", folder)
    start, end = pd.to_datetime(sprints["debut"]), pd.to_datetime(sprints["fin"])
    lines = [f"sprints.csv: {s} ends ({e}) before it starts ({b})"
             for s, b, e in zip(sprints["sprint"], start, end, strict=True) if e <= b]
    lines += [f"sprints.csv: {sprints['sprint'][i]} starts ({start[i]}) before {sprints['sprint'][i - 1]} ends ({end[i - 1]})"
              for i in range(1, len(sprints)) if start[i] < end[i - 1]]
    return lines


def overloaded_days(folder: Path | None = None) -> list[str]:
    """Roles logging more than one day on one calendar day, and time logged outside its sprint's days."""
    sheet = read("temps.csv", folder)
    sheet["jours"] = numbers(sheet, "jours", "temps.csv")
    per_day = sheet.groupby(["date", "role"])["jours"].sum()
    lines = [f"temps.csv: {role} logs {days:g} days on {day}; one calendar day holds at most one day of a role"
             for (day, role), days in per_day.items() if days > 1]
    sprints = read("sprints.csv", folder).set_index("sprint")
    for row in sheet.to_dict("records"):
        if row["sprint"] not in sprints.index:
            lines.append(f"temps.csv: {row['date']}: sprint {row['sprint']!r} is not in sprints.csv")
        elif not sprints.loc[row["sprint"], "debut"][:10] <= row["date"] <= sprints.loc[row["sprint"], "fin"][:10]:
            lines.append(f"temps.csv: {row['role']} logs {row['sprint']} on {row['date']}, outside the sprint's days")
    return lines


def _git(*args: str) -> str:
    return subprocess.run(["git", "-C", str(config.REPO_ROOT), *args], capture_output=True, text=True,
                          check=True).stdout


def history_mismatches(folder: Path | None = None) -> list[str]:
    """Sprints whose end is not the time of their last commit, or whose commits fall outside their days."""
    sprints = read("sprints.csv", folder)
    lines, previous = [], None
    for row in sprints.to_dict("records"):
        commit = row["dernier_commit"]
        shown = _git("log", "-1", "--format=%cI", commit).strip()[:16]
        if shown != row["fin"][:16]:
            lines.append(f"sprints.csv: {row['sprint']} ends {row['fin']} but its last commit {commit} is of {shown}")
        span = f"{previous}..{commit}" if previous else commit
        days = set(_git("log", "--format=%cs", span).split())
        outside = sorted(d for d in days if not row["debut"][:10] <= d <= row["fin"][:10])
        if outside:
            lines.append(f"sprints.csv: {row['sprint']} has commits on {', '.join(outside)}, outside "
                         f"{row['debut'][:10]}..{row['fin'][:10]}")
        previous = commit
    return lines


def baseline_problems(folder: Path | None = None) -> list[str]:
    """Plans that differ from the frozen baseline, or claim to precede a sprint they were written after."""
    plan = read("plan-de-reference.csv", folder).set_index("sprint")
    sprints = read("sprints.csv", folder)
    lines = []
    for row in sprints.to_dict("records"):
        name = row["sprint"]
        if name not in plan.index:
            lines.append(f"plan-de-reference.csv: {name} has no frozen plan; freeze it at its planning")
            continue
        frozen = plan.loc[name]
        if frozen["points_prevus"] != row["points_prevus"]:
            lines.append(f"sprints.csv: {name} plans {row['points_prevus']} points, its frozen plan "
                         f"{frozen['points_prevus']}; a plan is not changed once frozen")
        late = pd.Timestamp(frozen["gele_le"]) > pd.Timestamp(row["debut"])
        if late != (frozen["retroactif"] == "oui"):
            lines.append(f"plan-de-reference.csv: {name} frozen {frozen['gele_le']}, sprint started {row['debut']}: "
                         f"retroactif must be {'oui' if late else 'non'}")
    return lines


def changed_since_committed(folder: Path | None = None, started_by: pd.Timestamp | None = None) -> list[str]:
    """Rows of started sprints in plan-de-reference.csv that differ from the committed version (HEAD)."""
    folder = folder or config.docs_dir()
    path = (folder / "plan-de-reference.csv").resolve().relative_to(config.REPO_ROOT.resolve()).as_posix()
    try:
        committed = _git("show", f"HEAD:{path}")
    except subprocess.CalledProcessError:
        return []  # not committed yet: nothing frozen to compare with
    before = pd.read_csv(StringIO(committed), dtype=str, keep_default_na=False).set_index("sprint")
    now = read("plan-de-reference.csv", folder).set_index("sprint")
    starts = read("sprints.csv", folder).set_index("sprint")["debut"]
    moment = started_by or pd.Timestamp.now()
    return [f"plan-de-reference.csv: the frozen plan of {name} changed after the sprint started"
            for name in before.index if name in starts.index and pd.Timestamp(starts[name]) <= moment
            and (name not in now.index or not before.loc[name].equals(now.loc[name]))]


def problems(folder: Path | None = None) -> list[str]:
    """Every calendar problem of the project data."""
    return (overlaps(folder) + overloaded_days(folder) + history_mismatches(folder) + baseline_problems(folder)
            + changed_since_committed(folder))
