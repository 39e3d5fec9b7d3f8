"""Smoke test of a deployment: the API's health, one score and the dashboard page (or its sign-in form).

Used after each deployment (azure-pipelines.yml) and by the platform rehearsal test; waits for the
deployment to answer (a host may still be building or starting it), then checks each part once.
Standard library only, so a pipeline runs it without installing the project:

    DEMO_API_KEY=... python -m webapp.smoke https://owner-space.hf.space
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass


class SmokeFailure(RuntimeError):
    """A part of the deployment does not answer as it should; the message names it."""


@dataclass(frozen=True)
class SmokeReport:
    """What the deployment answered."""

    model_version: str
    client_id: int
    probability: float
    decision: str
    dashboard_bytes: int

    def line(self) -> str:
        return (f"smoke test passed: model {self.model_version}, client {self.client_id} scored "
                f"{self.probability:.3f} ({self.decision}), dashboard page {self.dashboard_bytes:,} bytes")


def _get(url: str, headers: dict[str, str] | None = None, timeout: float = 30) -> tuple[int, bytes]:
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):  # never file:// or another scheme
        raise SmokeFailure(f"{url}: give the deployment's http:// or https:// address")
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # nosec B310: scheme checked to be http(s)
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def wait_healthy(base: str, timeout: float, say=print) -> dict:
    """The health answer once it is 200, polling every few seconds until ``timeout`` seconds have passed."""
    deadline, last = time.monotonic() + timeout, "no answer"
    next_report = time.monotonic()
    while True:
        try:
            status, body = _get(f"{base}/api/v1/health", timeout=10)
            if status == 200:
                return json.loads(body)
            last = f"HTTP {status}: {body[:200].decode(errors='replace')}"
        except (urllib.error.URLError, OSError) as error:
            last = str(error)
        if time.monotonic() > deadline:
            raise SmokeFailure(f"{base}/api/v1/health did not answer 200 within {timeout:.0f} s (last: {last})")
        if time.monotonic() >= next_report:
            say(f"smoke: waiting for {base}/api/v1/health ({last})")
            next_report = time.monotonic() + 10
        time.sleep(2)


def smoke(base: str, api_key: str, client_id: int, timeout: float = 120, say=print) -> SmokeReport:
    """Check the health, one client's score and the dashboard page of the deployment at ``base``."""
    base = base.rstrip("/")
    health = wait_healthy(base, timeout, say)
    status, body = _get(f"{base}/api/v1/clients/{client_id}/score", {"X-API-Key": api_key})
    if status != 200:
        raise SmokeFailure(f"score of client {client_id}: HTTP {status}: {body[:200].decode(errors='replace')}")
    score = json.loads(body)
    if not 0 <= score["probability"] <= 1 or score["decision"] not in ("grant", "refuse"):
        raise SmokeFailure(f"score of client {client_id} makes no sense: {score}")
    status, page = _get(f"{base}/")  # the dashboard sends a browser that has not signed in to its sign-in form
    if status != 200 or b"<title>" not in page or not (b"bokeh" in page or b'name="password"' in page):
        raise SmokeFailure(f"dashboard page {base}/: HTTP {status}, {len(page)} bytes, neither the dashboard nor "
                           "its sign-in form")
    return SmokeReport(health["model_version"], client_id, score["probability"], score["decision"], len(page))


def main(argv: list[str] | None = None) -> int:
    """Check the deployment named on the command line; one line either way (exit 1 on failure)."""
    parser = argparse.ArgumentParser(prog="python -m webapp.smoke", description=__doc__.split("\n")[0])
    parser.add_argument("url", help="base URL of the deployment, e.g. https://owner-space.hf.space")
    parser.add_argument("--client", type=int, default=100_002, help="client ID to score (default 100002)")
    parser.add_argument("--timeout", type=float, default=900, help="seconds to wait for the health check")
    args = parser.parse_args(argv)
    key = os.environ.get("DEMO_API_KEY") or os.environ.get("SCORING_API_KEY") or ""
    try:
        print(smoke(args.url, key, args.client, args.timeout).line())
        return 0
    except SmokeFailure as error:
        print(f"error: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
