"""The layers of the code and the absence of import cycles (pyproject.toml, [tool.importlinter]) hold, and an
import against either is caught."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from stack import REPO

PACKAGES = ("settings", "database", "modeling", "api", "bokeh_app", "webapp", "pm", "bench")


def _lint_imports(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run([Path(sys.executable).parent / "lint-imports", "--config", "pyproject.toml", "--no-cache"],
                          cwd=root, env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"}, text=True,
                          capture_output=True, timeout=300)


def test_every_package_imports_only_the_layers_below_it_and_no_module_imports_itself_back():
    done = _lint_imports(REPO)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 kept, 0 broken" in done.stdout


@pytest.mark.parametrize("module, line, broken", [
    ("database/schema.py", "from modeling import catalogue", "database.schema -> modeling.catalogue"),
    # the settings layer is the lowest: the packages' config modules build on it, never the reverse
    ("settings/base.py", "from database import config", "settings.base -> database.config"),
    # the cycle once kept alive by imports inside functions: artifact -> scorecard -> calibration -> cv -> families
    ("modeling/families.py", "from modeling.artifact import ModelError", "- .families -> .artifact"),
], ids=["database-imports-modeling", "settings-imports-database", "cycle-in-modeling"])
def test_an_import_against_the_architecture_breaks_a_contract(tmp_path, module, line, broken):
    """The check is not a formality: one such import, in a copy of the code, fails it and is named."""
    for package in PACKAGES:
        shutil.copytree(REPO / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    path = tmp_path / module
    path.write_text(path.read_text(encoding="utf-8") + f"\n{line}  # noqa\n", encoding="utf-8")
    done = _lint_imports(tmp_path)
    assert done.returncode == 1, done.stdout
    assert "1 kept, 1 broken" in done.stdout and broken in done.stdout, done.stdout
