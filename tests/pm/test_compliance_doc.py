"""The compliance document (docs/gestion-projet/conformite.md) names tests as its evidence: each must exist."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DOC = REPO / "docs" / "gestion-projet" / "conformite.md"


def _named_tests() -> list[tuple[str, str]]:
    return sorted(set(re.findall(r"`(tests/[\w/]+\.py)::(test_\w+)`", DOC.read_text(encoding="utf-8"))))


def test_the_document_cites_its_evidence():
    assert len(_named_tests()) >= 8


@pytest.mark.parametrize(("path", "name"), _named_tests())
def test_every_test_the_document_cites_exists(path: str, name: str):
    source = REPO / path
    assert source.is_file(), f"conformite.md cites {path}, which does not exist"
    functions = {node.name for node in ast.walk(ast.parse(source.read_text(encoding="utf-8")))
                 if isinstance(node, ast.FunctionDef)}
    assert name in functions, f"conformite.md cites {path}::{name}, which does not exist"
