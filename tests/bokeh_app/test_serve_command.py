"""`python -m bokeh_app serve` builds the `bokeh serve` command: loopback unless told otherwise, and a session
token that carries neither the sign-in cookie nor any header but Accept-Language."""
from __future__ import annotations

import pytest

from bokeh_app.__main__ import serve_command
from database.signin import COOKIE, CSRF_COOKIE

pytestmark = pytest.mark.requirement("EXG-SEC-21")


def _option(command: list[str], name: str) -> list[str]:
    """The values following ``name`` up to the next option."""
    start = command.index(name) + 1
    end = next((i for i in range(start, len(command)) if command[i].startswith("--")), len(command))
    return command[start:end]


def test_the_dashboard_listens_on_loopback_unless_an_address_is_given():
    command, _ = serve_command(None, False, [])
    assert _option(command, "--address") == ["127.0.0.1"]
    command, _ = serve_command(5006, False, ["--address", "0.0.0.0"])
    assert command.count("--address") == 1 and _option(command, "--address") == ["0.0.0.0"]


def test_the_session_token_is_built_without_the_sign_in_cookie_or_headers():
    command, env = serve_command(None, False, [])
    assert env["DASHBOARD_AUTH"] == "on" and _option(command, "--session-ids") == ["signed"]
    assert {COOKIE, CSRF_COOKIE} <= set(_option(command, "--exclude-cookies"))
    assert _option(command, "--include-headers") == ["Accept-Language"]
