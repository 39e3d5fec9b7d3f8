"""A real gunicorn running the API for tests: started on a free loopback port, stopped afterwards."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


@contextmanager
def gunicorn_api(env: dict[str, str], log_path: Path, timeout: float = 90) -> Iterator[str]:
    """Run ``api/gunicorn.conf.py`` with ``env`` until the health check passes; yields the base URL.

    The log goes to a file: a pipe nobody drains fills up under heavy logging and blocks the workers.
    """
    port = free_port()
    env = {**env, "SCORING_BIND": f"127.0.0.1:{port}"}
    base = f"http://127.0.0.1:{port}"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--config", "api/gunicorn.conf.py", "api:create_app()"],
            cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        try:
            deadline = time.monotonic() + timeout
            while not _healthy(f"{base}/api/v1/health"):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"gunicorn did not become healthy:\n{log_path.read_text()[-3000:]}")
                time.sleep(0.3)
            yield base
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)
