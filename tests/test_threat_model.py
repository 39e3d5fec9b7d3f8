"""The threat model of docs/operations.md cannot claim a control no test backs: every row names tests, and every
test it names exists."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from tests.stack import REPO

pytestmark = pytest.mark.requirement("EXG-SEC-01")

GUIDE = REPO / "docs" / "operations.md"
HEADER = "| asset | threat | control | test |"
REFERENCE = re.compile(r"`(tests/[\w/]+\.py)::([\w:]+)`")


def threat_rows(text: str) -> list[list[str]]:
    """The cells of each row of the threat-model table (the table whose header is ``HEADER``)."""
    lines = text.splitlines()
    start = lines.index(HEADER) + 2  # after the header and its --- line
    rows = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
    return rows


def test_names(path: Path) -> set[str]:
    """``name`` of every test function and ``Class::name`` of every test method of a test module."""
    tree = ast.parse(path.read_text())
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test"):
            names.add(node.name)
        if isinstance(node, ast.ClassDef):
            names |= {f"{node.name}::{n.name}" for n in node.body
                      if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name.startswith("test")}
    return names


test_names.__test__ = False  # a helper, not a test


def test_every_test_the_threat_model_names_exists():
    rows = threat_rows(GUIDE.read_text())
    assert len(rows) >= 10, "the threat model has its rows"
    missing = []
    for asset, threat, _control, tests in rows:
        references = REFERENCE.findall(tests)
        assert references, f"the row '{asset}: {threat[:60]}' names no test"
        for file, name in references:
            path = REPO / file
            if not path.is_file() or name not in test_names(path):
                missing.append(f"{file}::{name}")
    assert not missing, "named in docs/operations.md, 13. Threat model, but no such test: " + ", ".join(missing)


def test_the_check_catches_a_renamed_test(tmp_path):
    module = tmp_path / "test_example.py"
    module.write_text("def test_kept():\n    pass\n\nclass TestGroup:\n    def test_inside(self):\n        pass\n")
    assert test_names(module) == {"test_kept", "TestGroup::test_inside"}
    table = f"{HEADER}\n| --- | --- | --- | --- |\n| a | b | c | `tests/x.py::test_gone` |\n\nafter\n"
    assert threat_rows(table) == [["a", "b", "c", "`tests/x.py::test_gone`"]]
