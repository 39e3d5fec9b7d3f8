"""Measured figures read from docs/performance.md (written by bench/) and the reference model card."""
from __future__ import annotations

import json
import re
from pathlib import Path

from pm import config
from pm.data import read
from pm.formats import num, pct

MISSING = "voir docs/performance.md"


def row(label: str, path: Path | None = None) -> list[str]:
    """Cells of the first table row of performance.md that starts with `label` (empty when gone)."""
    path = path or config.REPO_ROOT / "docs" / "performance.md"
    for line in path.read_text(encoding="utf-8").splitlines() if path.exists() else []:
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if " | ".join(cells).startswith(label):
            return cells
    return []


def table_row(header: str, first: str, path: Path | None = None) -> list[str]:
    """Cells of the row starting with ``first`` in the first table of performance.md whose header row starts
    with ``header`` (empty when gone)."""
    path = path or config.REPO_ROOT / "docs" / "performance.md"
    inside = False
    for line in path.read_text(encoding="utf-8").splitlines() if path.exists() else []:
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if not line.strip().startswith("|"):
            inside = False
        elif " | ".join(cells).startswith(header):
            inside = True
        elif inside and cells[0] == first:
            return cells
    return []


def cell(label: str, index: int) -> str:
    """One measured figure of the row starting with ``label``, written the French way (32 112 ; 13,2 ms)."""
    return french(row(label), index)


def french(cells: list[str], index: int) -> str:
    """Cell ``index`` of a table row written the French way, or MISSING."""
    if len(cells) <= index:
        return MISSING
    text = re.sub(r"(\d),(\d{3})", "\\1\u202f\\2", cells[index].replace("`", "").replace("*", ""))
    text = re.sub(r"\s*\((met|missed)\)", "", text).replace("median", "médiane")
    text = re.sub(r"médiane of (\d+) starts", r"médiane de \1 démarrages", text)
    return re.sub(r"(\d)\.(\d)", r"\1,\2", text)


def reference_card() -> dict:
    """The model card of the 50,000-client reference model in docs/model-report/."""
    return json.loads((config.REPO_ROOT / "docs" / "model-report" / "model_card.json").read_text())


def measured() -> dict[str, str]:
    """The measured value of each goal of objectifs.csv, by key."""
    load = cell("356,255 clients | load | PostgreSQL", 4)
    return {
        "auc": pct(reference_card()["true_pd"]["share"], 2),
        "latence": cell("`Scorer.score` computed online", 1),
        "debit": cell("throughput", 1),
        "p50": cell("latency p50", 1),
        "p99": cell("latency p99", 1),
        "chargement": MISSING if load == MISSING else f"{load} s ({num(float(load.replace(',', '.')) / 60, 1)} min)",
        "tableau": cell("switch client", 1) + " (p50 / p95)",
        "demarrage": french(table_row("clients | page loaded | verdict and reasons shown", "356,255"), 2),
    }


def met(measure: str, goal: dict) -> bool | None:
    """Whether the measured text reaches the goal: its number at position `rang` against `seuil` ('min' goals
    are floors, 'max' goals ceilings); None when nothing was measured."""
    numbers = [float(n.replace(",", ".").replace("\u202f", "")) for n in re.findall(r"(?<![\w,])\d[\d\u202f]*(?:,\d+)?", measure)]
    rank = int(goal["rang"])
    if measure == MISSING or len(numbers) <= rank:
        return None
    value, bound = numbers[rank], float(goal["seuil"])
    if goal["sens"] not in ("min", "max"):
        raise ValueError(f"objectifs.csv: goal {goal['cle']}: sens {goal['sens']!r} is neither min nor max")
    return value >= bound if goal["sens"] == "min" else value < bound


def goals(folder: Path | None = None) -> list[dict]:
    """objectifs.csv with the measured value of each goal and whether it is met."""
    values = measured()
    rows = read("objectifs.csv", folder).to_dict("records")
    return [{**g, "mesure": values.get(g["cle"], MISSING), "atteint": met(values.get(g["cle"], MISSING), g)}
            for g in rows]
