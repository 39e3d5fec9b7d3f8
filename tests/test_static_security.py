"""Static security analysis: bandit finds nothing of medium or high severity in the project's packages that is
not justified on its line (``# nosec BXXX: reason``), and every such justification names its check and a reason."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from tests.stack import REPO

pytestmark = pytest.mark.requirement("EXG-SEC-01")

PACKAGES = ("settings", "database", "modeling", "api", "bokeh_app", "webapp", "pm", "bench")
#: A justified exception: the check's ID(s), a colon and a reason of a few words.
JUSTIFIED = re.compile(r"#\s*nosec\s+B\d{3}(?:\s*,\s*B\d{3})*:\s+\S.{4,}")


def test_bandit_finds_nothing_of_medium_or_high_severity():
    done = subprocess.run([sys.executable, "-m", "bandit", "-r", *PACKAGES, "--severity-level", "medium", "-f", "json",
                           "-q"], cwd=REPO, capture_output=True, text=True, timeout=600)
    report = json.loads(done.stdout)
    assert not report["errors"], report["errors"]
    found = [f"{r['filename']}:{r['line_number']}: {r['test_id']} {r['issue_text']}" for r in report["results"]]
    assert not found, "fix these or justify them inline with `# nosec BXXX: reason`:\n" + "\n".join(found)
    assert report["metrics"]["_totals"]["loc"] > 10_000, "bandit read the packages"


def test_every_nosec_names_its_check_and_a_reason():
    bare = [f"{path.relative_to(REPO)}:{number}: {line.strip()}"
            for package in PACKAGES for path in sorted((REPO / package).rglob("*.py"))
            for number, line in enumerate(path.read_text().splitlines(), 1)
            if re.search(r"#\s*nosec\b", line) and not JUSTIFIED.search(line)]
    assert not bare, "write `# nosec BXXX: reason`:\n" + "\n".join(bare)
