"""The chain behind each requirement: the user stories that carry it (backlog tags), the use cases of the
specification that name it, and the acceptance scenarios of the acceptance book (recette.csv) that check it."""
from __future__ import annotations

import re
from pathlib import Path

from pm import backlog, config
from pm.data import read

REQUIREMENT = re.compile(r"(EXG-[A-Z]+-)(\d{2})(?: à EXG-[A-Z]+-(\d{2}))?")
USE_CASE = re.compile(r"^\| (CU\d+) \|.*\| ([^|]*EXG-[^|]*) \|$")


def expand(text: str) -> list[str]:
    """Requirement IDs named in a text, ranges 'EXG-MOD-01 à EXG-MOD-05' written out."""
    ids = []
    for prefix, first, last in REQUIREMENT.findall(text):
        ids += [f"{prefix}{n:02d}" for n in range(int(first), int(last or first) + 1)]
    return ids


def use_cases(template: Path | None = None) -> dict[str, list[str]]:
    """Use case ID -> requirements it names, from the specification's use-case table."""
    path = template or config.TEMPLATES / "specification-fonctionnelle-technique.md.j2"
    found = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        match = USE_CASE.match(line)
        if match:
            found[match.group(1)] = expand(match.group(2))
    return found


def scenarios(folder: Path | None = None) -> list[dict]:
    """The acceptance scenarios of recette.csv, each with the requirement IDs it checks."""
    return [{**row, "ids": expand(row["exigences"])} for row in read("recette.csv", folder).to_dict("records")]


def chain(folder: Path | None = None) -> dict[str, dict[str, list]]:
    """Requirement ID -> its stories (with sprint), use cases and acceptance scenarios."""
    folder = folder or config.docs_dir()
    stories = backlog.stories(backlog.read(folder / "backlog.csv"))
    cases = use_cases()
    acceptance = scenarios(folder)
    out: dict[str, dict[str, list]] = {}
    for rid in read("exigences.csv", folder)["id"]:
        out[rid] = {"stories": [s for s in stories if rid in s.tags],
                    "use_cases": [cu for cu, ids in cases.items() if rid in ids],
                    "scenarios": [s["id"] for s in acceptance if rid in s["ids"]]}
    return out
