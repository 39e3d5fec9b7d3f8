"""The production server: gunicorn with api/gunicorn.conf.py answers real HTTP on a loopback port."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest
from api_server import gunicorn_api

pytestmark = pytest.mark.requirement("EXG-API-09")


def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.fixture
def server(stack, api_key, keys, tmp_path):
    """gunicorn (2 workers) over the session stack; yields its base URL, stops it afterwards."""
    env = {**stack.env(), "WEB_CONCURRENCY": "2", "SCORING_API_KEYS": keys(api_key)}
    env.pop("OMP_NUM_THREADS")  # the config file must set it itself
    with gunicorn_api(env, tmp_path / "gunicorn.log", timeout=60) as base:
        yield base


@pytest.mark.slow
def test_gunicorn_serves_scores_over_http(server, stack, api_key):
    client_id = stack.client_ids[3]
    # Several requests so that both workers (each with its own model load after the fork) answer.
    bodies = []
    for _ in range(6):
        status, headers, body = get(f"{server}/api/v1/clients/{client_id}/score?lang=en",
                                    {"X-API-Key": api_key})
        assert status == 200, body
        assert headers["X-Content-Type-Options"] == "nosniff"
        bodies.append(json.loads(body))
    assert all(b == bodies[0] for b in bodies)
    assert bodies[0]["client_id"] == client_id and bodies[0]["decision"] in ("grant", "refuse")
    status, _, body = get(f"{server}/api/v1/clients/{client_id}/score")
    assert status == 401 and json.loads(body)["error"]["code"] == "missing_api_key"
    status, _, body = get(f"{server}/")
    assert status == 200 and b'lang="fr"' in body
