"""Whether the published documents still say what their sources say: each one rendered again into a scratch
folder and compared, the specification's use cases held against the API's operations and the dashboard's tabs,
and the goals the sprints' texts quote held against objectifs.csv."""
from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

from pm import azure, config, deliverables, evm, facts, performance, reports, schedule, steering
from pm.data import read

COMPARED = ("*.md", "evm.csv", "sprints.csv", "backlog-azure-boards.csv")
GOAL = re.compile(r"objectif de (\d+(?:,\d+)?) ?(ms|s|min)\b")


def _first_difference(old: str, new: str) -> str:
    for number, (a, b) in enumerate(zip(old.splitlines(), new.splitlines(), strict=False), start=1):
        if a != b:
            return f"line {number}: published {a.strip()[:90]!r}, sources give {b.strip()[:90]!r}"
    return f"published {len(old.splitlines())} lines, sources give {len(new.splitlines())}"


def stale(folder: Path | None = None, tests: Path | None = None, xml: Path | None = None) -> list[str]:
    """One line per published document that differs from what its sources give today."""
    folder = folder or config.docs_dir()
    with tempfile.TemporaryDirectory() as scratch:
        fresh = Path(scratch) / "docs"
        shutil.copytree(folder, fresh, ignore=shutil.ignore_patterns("*.md", "*.pdf", "img"))
        evm.write(fresh, img=Path(scratch) / "img")
        reports.write_matrix(fresh, tests, xml or folder / "junit.xml")
        reports.write_test_report(fresh, xml or folder / "junit.xml", tests)
        steering.write_all(fresh)
        azure.write(fresh)
        lines = []
        for pattern in COMPARED:
            for path in sorted(fresh.glob(pattern)):
                published = folder / path.name
                if not published.exists():
                    lines.append(f"{published}: missing; run python -m pm all")
                elif published.read_text(encoding="utf-8") != path.read_text(encoding="utf-8"):
                    lines.append(f"{published}: out of date ({_first_difference(published.read_text(encoding='utf-8'), path.read_text(encoding='utf-8'))}); "
                                 "run python -m pm all")
    return lines


def use_case_gaps(spec: str, operations: list[str], tabs: list[str]) -> list[str]:
    """API operations and dashboard tabs that no use case of the specification's section 2 names."""
    section = spec.split("## 2. Cas d'utilisation", 1)[-1].split("## 2 bis", 1)[0]
    lines = [f"specification-fonctionnelle-technique: no use case names the API operation {op}"
             for op in operations if op not in section]
    lines += [f"specification-fonctionnelle-technique: no use case names the dashboard tab « {tab} »"
              for tab in tabs if f"« {tab} »" not in section.replace("\u00a0", " ")]
    return lines


def quoted_goals(folder: Path | None = None) -> list[str]:
    """Goals quoted in the sprints' reviews and retrospectives that objectifs.csv does not set."""
    targets = " ".join(read("objectifs.csv", folder)["cible"])
    lines = []
    for row in read("sprints.csv", folder).to_dict("records"):
        for column in ("revue", "retrospective"):
            for value, unit in GOAL.findall(row[column]):
                if not re.search(rf"(?<![\d,]){re.escape(value)} ?{unit}\b", targets):
                    lines.append(f"sprints.csv: {row['sprint']}, {column}: 'objectif de {value} {unit}' is no "
                                 "target of objectifs.csv")
    return lines


SEVERITIES = ("bloquante", "majeure", "mineure")


def anomaly_problems(folder: Path | None = None) -> list[str]:
    """Anomalies with a severity the test plan does not define, or called fixed while their goal is missed."""
    goals = {g["cle"]: g for g in performance.goals(folder)}
    lines = []
    for a in read("anomalies.csv", folder).to_dict("records"):
        if a["gravite"] not in SEVERITIES:
            lines.append(f"anomalies.csv: {a['id']}: gravite {a['gravite']!r} is not one of {', '.join(SEVERITIES)}")
        goal = goals.get(a["objectif"]) if a["objectif"] else None
        if a["objectif"] and goal is None:
            lines.append(f"anomalies.csv: {a['id']}: objectif {a['objectif']!r} is not a key of objectifs.csv")
        elif goal is not None and goal["atteint"] is False and a["statut"] == "corrigé":
            lines.append(f"anomalies.csv: {a['id']} is 'corrigé' but its goal {a['objectif']} is missed "
                         f"({goal['mesure']} for {goal['cible']})")
    return lines


def problems(folder: Path | None = None, tests: Path | None = None, xml: Path | None = None) -> list[str]:
    """Everything `python -m pm check` reports."""
    folder = folder or config.docs_dir()
    spec = (folder / "specification-fonctionnelle-technique.md").read_text(encoding="utf-8")
    gaps = use_case_gaps(spec, [op.label for op in facts.operations()], facts.tabs())
    unticked = [f"{d['document']}: expected content '{label}' is missing"
                for d in deliverables.index(folder) for label, ok in d["contenus"] if not ok]
    return (stale(folder, tests, xml) + gaps + quoted_goals(folder) + anomaly_problems(folder)
            + schedule.problems(folder) + unticked)
