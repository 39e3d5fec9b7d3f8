"""Results of the last test run, read from pytest's JUnit XML (`pytest --junitxml=...`)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from xml.etree.ElementTree import ParseError

from defusedxml import ElementTree as ET


@dataclass(frozen=True)
class Case:
    """One executed test: where it lives, its outcome and its duration."""

    module: str  # tests/api/test_api_auth.py
    test: str  # test_x or TestY::test_x, without parameters
    name: str  # full name with parameters
    outcome: str  # passed, failed, error, skipped
    seconds: float
    message: str


@dataclass(frozen=True)
class Run:
    """A whole run: its cases, when it ran and how long pytest took."""

    cases: list[Case]
    timestamp: str
    seconds: float

    def outcome_of(self, module: str, test: str) -> list[str]:
        """Outcomes of every parametrisation of one test function."""
        return [c.outcome for c in self.cases if c.module == module and c.test == test]


def _module_and_class(classname: str) -> tuple[str, str]:
    parts = classname.split(".")
    for i in range(len(parts), 0, -1):
        if parts[i - 1].startswith("test_"):
            return "/".join(parts[:i]) + ".py", "::".join(parts[i:])
    return "/".join(parts) + ".py", ""


def read(path: Path) -> Run:
    """Parse a JUnit XML file; a missing or broken file is one clear error."""
    if not path.exists():
        raise FileNotFoundError(f"{path}: no JUnit XML; run pytest --junitxml={path} (or make docs TESTS=run)")
    try:
        root = ET.parse(path).getroot()
    except ParseError as error:
        raise ValueError(f"{path}: not a JUnit XML file ({error}); run the suite again") from None
    suite = root if root.tag == "testsuite" else root.find("testsuite")
    cases = []
    for case in suite.iter("testcase"):
        module, cls = _module_and_class(case.get("classname", ""))
        name = case.get("name", "")
        base = name.split("[", 1)[0]
        outcome, message = "passed", ""
        for tag in ("failure", "error", "skipped"):
            child = case.find(tag)
            if child is not None:
                outcome = {"failure": "failed"}.get(tag, tag)
                message = (child.get("message") or "").splitlines()[0][:160] if child.get("message") else ""
                break
        cases.append(Case(module, f"{cls}::{base}" if cls else base, name, outcome,
                          float(case.get("time", 0) or 0), message))
    return Run(cases, suite.get("timestamp", ""), float(suite.get("time", 0) or 0))
