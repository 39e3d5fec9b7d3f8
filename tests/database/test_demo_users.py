"""`python -m bokeh_app demo-users` run twice (a second `make demo`): the second run says how to get a password,
and the command it names gives one that signs in."""
from __future__ import annotations

import re
import subprocess
import sys

from database.config import get_engine
from database.loader import load
from database.users import authenticate
from tests.stack import REPO


def _dashboard(url: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bokeh_app", *args], cwd=REPO, capture_output=True, text=True, stdin=subprocess.DEVNULL,
                          env={"PATH": "/usr/bin:/bin", "DATABASE_URL": url, "PYTHONPATH": str(REPO)}, timeout=120)


def test_a_second_demo_run_names_the_command_that_gives_a_password(stack, tmp_path):
    url = f"sqlite:///{tmp_path / 'bank.db'}"
    load([stack.csv_dir], url, tables=["application"], progress=None)
    first = _dashboard(url, "demo-users")
    assert first.returncode == 0 and "demo user advisor (advisor): password" in first.stdout, first.stderr
    second = _dashboard(url, "demo-users")
    said = second.stdout.strip()
    assert "none created" in said
    command = re.search(r"python -m bokeh_app (\S+) NAME", said)
    assert command, f"no command to get a password in: {said}"
    reset = _dashboard(url, command.group(1), "advisor")
    assert reset.returncode == 0, reset.stderr
    password = reset.stdout.strip().rsplit(": ", 1)[-1]
    engine = get_engine(url)
    assert authenticate(engine, "advisor", password) is not None
    engine.dispose()
