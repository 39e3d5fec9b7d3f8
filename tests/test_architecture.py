"""The layers of the code and the absence of import cycles (pyproject.toml, [tool.importlinter]) hold, and an
import against either is caught."""

from __future__ import annotations

import re
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


CONTRACTS = {
    "layers": "Layers: bench > pm > webapp > api | bokeh_app > modeling > database > settings",
    "modeling": "Modeling: training > monitoring > serving > wording > features",
    "users": "What answers a user (API, dashboard, web app) never imports training code",
    "packages": "Serving runs without the training packages (requirements-train.txt), each optional use named",
    "cycles": "No import cycle among the modules of a package",
}


def _broken(stdout: str) -> set[str]:
    """The contracts the report calls BROKEN (long names are folded over lines in its summary)."""
    summary = " ".join(stdout.split("Contracts:")[0].split())
    return {key for key, name in CONTRACTS.items()
            if re.search(re.escape(name) + r".*?\b(KEPT|BROKEN)\b", summary).group(1) == "BROKEN"}


def test_every_package_imports_only_the_layers_below_it_and_no_module_imports_itself_back():
    done = _lint_imports(REPO)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"{len(CONTRACTS)} kept, 0 broken" in done.stdout


@pytest.mark.parametrize("module, line, broken, chain", [
    ("database/schema.py", "from modeling.wording import catalogue", {"layers"},
     "database.schema -> modeling.wording.catalogue"),
    # serving must run where training packages are not installed: one training import there breaks the
    # modeling layers, and the API, the dashboard and the web app then reach training code through it
    ("modeling/serving/scorer.py", "from modeling.training.cv import make_folds", {"modeling", "users", "packages", "cycles"},
     "modeling.serving.scorer -> modeling.training.cv"),
    # the cycle artifact -> scorecard -> calibration -> cv -> families -> artifact is gone; a new one is caught
    ("modeling/serving/calibration.py", "from modeling.serving.scorecard import PointsScale", {"cycles"},
     "- .scorecard -> .calibration"),
    # the deployed API and dashboard install requirements.txt only: a training package there would not import
    ("api/service.py", "import imblearn", {"packages"}, "api.service -> imblearn"),
    # the settings layer is the lowest: the packages' config modules build on it, never the reverse
    ("settings/base.py", "from database import config", {"layers"}, "settings.base -> database.config"),
], ids=["database-imports-modeling", "serving-imports-training", "cycle-in-serving", "api-imports-a-training-package",
        "settings-imports-database"])
def test_an_import_against_the_architecture_breaks_a_contract(tmp_path, module, line, broken, chain):
    """The check is not a formality: one such import, in a copy of the code, fails it and is named."""
    for package in PACKAGES:
        shutil.copytree(REPO / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    path = tmp_path / module
    path.write_text(path.read_text(encoding="utf-8") + f"\n{line}  # noqa\n", encoding="utf-8")
    done = _lint_imports(tmp_path)
    assert done.returncode == 1, done.stdout
    assert _broken(done.stdout) == broken, done.stdout
    assert chain in done.stdout, done.stdout
