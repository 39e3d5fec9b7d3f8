"""Imports sit at the top of each module; an import inside a function is kept only for a package that is
optional where the module runs, and says so (``# deferred: <kind>``), checked against the requirements files."""

from __future__ import annotations

import ast
import re
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest
from stack import REPO

PACKAGES = ("settings", "database", "modeling", "api", "bokeh_app", "webapp", "pm", "bench")
#: what a deferred import may give as its reason -> the requirements file its package must be pinned in
#: (and requirements.txt, what the deployed API and dashboard install, must not pin it)
KINDS = {"training package": "requirements-train.txt", "Dask": "requirements-train.txt",
         "dev package": "requirements-dev.txt"}
#: the one deferral that is not a package: Flask's application factory (flaskr) imports its blueprints when it
#: makes the app, so that `python -m api --help` and `import api` do not load the model stack
APP_FACTORY = "app factory"
#: and the command lines of the web app and of the project documents load a command's modules when it runs, so
#: that their --help answers at once (click's lazy subcommands); any other __main__ imports at the top
COMMAND, LAZY_MAINS = "command", ("webapp/__main__.py", "pm/__main__.py")
MARK = re.compile(r"#\s*deferred:\s*(?P<kind>[A-Za-z ]+?)\s*$")


def _pinned(name: str) -> set[str]:
    lines = (REPO / name).read_text(encoding="utf-8").splitlines()
    return {re.split(r"[=<>\[ ]", line)[0].lower().replace("_", "-") for line in lines
            if line and not line.startswith(("#", "-r"))}


def _optional_in(module: str, kind: str) -> bool:
    """True if ``module`` belongs to a package pinned for ``kind`` and not installed with serving."""
    if module == "modeling.training" or module.startswith("modeling.training."):
        return kind == "training package"
    dists = {d.lower().replace("_", "-") for d in packages_distributions().get(module.split(".")[0], [])}
    return bool(dists) and not dists & _pinned("requirements.txt") and bool(dists & _pinned(KINDS[kind]))


def deferred_imports(root: Path, packages=PACKAGES) -> list[str]:
    """Every import inside a function that is not an optional package's with its reason, as `file:line: why`."""
    wrong = []
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            text = path.read_text(encoding="utf-8")
            lines = text.splitlines()
            for fn in ast.walk(ast.parse(text)):
                if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    continue
                for node in ast.walk(fn):
                    if not isinstance(node, (ast.Import, ast.ImportFrom)):
                        continue
                    module = node.names[0].name if isinstance(node, ast.Import) else node.module or ""
                    mark = MARK.search(lines[node.lineno - 1])
                    where = f"{path.relative_to(root)}:{node.lineno}"
                    if mark is None:
                        wrong.append(f"{where}: `{module}` imported inside a function without "
                                     f"'# deferred: <{' | '.join([*KINDS, APP_FACTORY, COMMAND])}>'; import it at the top of the module")
                    elif mark["kind"] == COMMAND:
                        if str(path.relative_to(root)) not in LAZY_MAINS or module.split(".")[0] not in PACKAGES:
                            wrong.append(f"{where}: `{module}`: only {' and '.join(LAZY_MAINS)} defer a command's modules")
                    elif mark["kind"] == APP_FACTORY:
                        if fn.name != "create_app" or module.split(".")[0] != package:
                            wrong.append(f"{where}: `{module}`: only create_app defers its own package's modules")
                    elif mark["kind"] not in KINDS or not _optional_in(module, mark["kind"]):
                        wrong.append(f"{where}: `{module}` is not a {mark['kind']} (see the requirements files); "
                                     "import it at the top of the module")
    return sorted(set(wrong))


def test_imports_inside_functions_are_only_optional_packages_each_with_its_reason():
    assert deferred_imports(REPO) == []


@pytest.mark.parametrize("body, found", [
    ("import pandas as pd", "`pandas` imported inside a function without"),
    ("import pandas as pd  # deferred: training package", "`pandas` is not a training package"),
    ("from modeling.serving.scorer import Scorer  # deferred: dev package", "is not a dev package"),
    ("from modeling.serving.scorer import Scorer  # deferred: app factory", "only create_app defers"),
], ids=["no-reason", "serving-package-called-optional", "our-serving-code-called-optional", "not-an-app-factory"])
def test_a_deferred_import_of_a_serving_dependency_is_caught(tmp_path, body, found):
    (tmp_path / "api").mkdir()
    (tmp_path / "api" / "late.py").write_text(f"def f():\n    {body}\n", encoding="utf-8")
    assert [line for line in deferred_imports(tmp_path, ("api",)) if found in line], deferred_imports(tmp_path, ("api",))
