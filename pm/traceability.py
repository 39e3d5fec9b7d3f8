"""Requirements traced to tests: the `requirement` markers of the test modules, read without importing them.

A module-level `pytestmark` marks every test of its module; a decorator marks one test or class.
"""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

from pm import config
from pm.data import DataFileError, read

ID_PATTERN = re.compile(r"^EXG-[A-Z]+-\d{2}$")


@dataclass(frozen=True)
class Marked:
    """One test function and the requirement IDs it carries."""

    module: str  # tests/api/test_api_auth.py
    test: str  # test_parse_and_identify or TestX::test_y
    line: int
    ids: tuple[str, ...]


def requirements(folder: Path | None = None) -> dict[str, dict]:
    """exigences.csv keyed by ID; a malformed or repeated ID is an error naming its row."""
    frame = read("exigences.csv", folder)
    out: dict[str, dict] = {}
    for index, row in frame.iterrows():
        rid = row["id"]
        if not ID_PATTERN.match(rid):
            raise DataFileError(f"exigences.csv: row {int(index) + 2}: {rid!r} is not an ID like EXG-DB-01")
        if rid in out:
            raise DataFileError(f"exigences.csv: row {int(index) + 2}: {rid} appears twice")
        out[rid] = dict(row)
    return out


def _requirement_ids(node: ast.expr) -> list[str] | None:
    """IDs of a `pytest.mark.requirement(...)` call (None when the node is another mark)."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "requirement":
        return [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
    return None


def _marks(node: ast.expr) -> list[str]:
    items = node.elts if isinstance(node, ast.List | ast.Tuple) else [node]
    return [i for item in items for i in (_requirement_ids(item) or [])]


def _tests(body: list[ast.stmt], inherited: list[str], prefix: str = "") -> list[tuple[str, int, list[str]]]:
    found = []
    for node in body:
        own = [i for d in getattr(node, "decorator_list", []) for i in (_requirement_ids(d) or [])]
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test"):
            found.append((prefix + node.name, node.lineno, inherited + own))
        elif isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
            found += _tests(node.body, inherited + own, f"{prefix}{node.name}::")
    return found


def scan(tests: Path | None = None) -> list[Marked]:
    """Every test function under `tests` with the requirement IDs it carries (maybe none)."""
    tests = tests or config.tests_dir()
    root = tests.parent
    out = []
    for path in sorted(tests.rglob("test_*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        module_ids = [i for node in tree.body if isinstance(node, ast.Assign)
                      and any(isinstance(t, ast.Name) and t.id == "pytestmark" for t in node.targets)
                      for i in _marks(node.value)]
        rel = path.relative_to(root).as_posix()
        out += [Marked(rel, name, line, tuple(dict.fromkeys(ids)))
                for name, line, ids in _tests(tree.body, module_ids)]
    return out


def problems(reqs: dict[str, dict], marked: list[Marked]) -> list[str]:
    """One line per unknown ID a test names and per requirement no test checks."""
    lines = [f"{m.module}:{m.line}: {m.test} names unknown requirement {rid}; add it to exigences.csv or fix the ID"
             for m in marked for rid in m.ids if rid not in reqs]
    tested = {rid for m in marked for rid in m.ids}
    lines += [f"exigences.csv: {rid} has no test; mark one with @pytest.mark.requirement({rid!r})"
              for rid in reqs if rid not in tested]
    return lines


def by_requirement(reqs: dict[str, dict], marked: list[Marked]) -> dict[str, list[Marked]]:
    """Tests per requirement, in the order of exigences.csv."""
    return {rid: [m for m in marked if rid in m.ids] for rid in reqs}
