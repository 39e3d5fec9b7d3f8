"""The layers of the code (pyproject.toml, [tool.importlinter]) hold, and an import against them is caught."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from stack import REPO

PACKAGES = ("database", "modeling", "api", "bokeh_app", "webapp", "pm", "bench")


def _lint_imports(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run([Path(sys.executable).parent / "lint-imports", "--config", "pyproject.toml", "--no-cache"],
                          cwd=root, env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"}, text=True,
                          capture_output=True, timeout=300)


def test_every_package_imports_only_the_layers_below_it():
    done = _lint_imports(REPO)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 kept, 0 broken" in done.stdout


def test_the_database_layer_importing_the_model_breaks_the_contract(tmp_path):
    """The check is not a formality: one import of modeling from database, in a copy of the code, fails it."""
    for package in PACKAGES:
        shutil.copytree(REPO / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    schema = tmp_path / "database" / "schema.py"
    schema.write_text(schema.read_text(encoding="utf-8") + "\nfrom modeling import catalogue  # noqa\n",
                      encoding="utf-8")
    done = _lint_imports(tmp_path)
    assert done.returncode == 1, done.stdout
    assert "0 kept, 1 broken" in done.stdout and "database.schema -> modeling.catalogue" in done.stdout
