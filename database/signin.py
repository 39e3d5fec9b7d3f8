"""The sign-in cookie shared by the dashboard and the advisor page, and the limit on failed sign-ins.

The cookie holds the user's name signed with the cookie secret (tornado's signed-value format, the one Bokeh's
auth hooks use), so one sign-in is valid on every screen served with the same secret. The secret comes from
BOKEH_COOKIE_SECRET; nothing in this module reads it at import time.
"""

from __future__ import annotations

import os
import threading
import time
from collections import deque

COOKIE = "homecredit_user"
#: A sign-in lasts one working day.
MAX_AGE_DAYS = 0.5
SECRET_VARIABLE = "BOKEH_COOKIE_SECRET"
SECRET_MIN = 32


class SignInNotConfigured(RuntimeError):
    """No usable cookie secret: sign-in cannot be offered."""


def cookie_secret() -> str:
    """BOKEH_COOKIE_SECRET, at least 32 characters; SignInNotConfigured saying how to make one otherwise."""
    secret = os.environ.get(SECRET_VARIABLE, "")
    if len(secret) < SECRET_MIN:
        raise SignInNotConfigured(
            f"{SECRET_VARIABLE} must hold at least {SECRET_MIN} random characters (it has {len(secret)}): "
            "python -c \"import secrets; print(secrets.token_urlsafe(32))\"")
    return secret


def secrets_problem() -> str | None:
    """What is missing for signed sessions and sign-in cookies (None: both secrets are set)."""
    try:
        cookie_secret()
    except SignInNotConfigured as error:
        return str(error)
    if len(os.environ.get("BOKEH_SECRET_KEY", "")) < 32:
        return ("BOKEH_SECRET_KEY must hold at least 32 random characters (it signs the session ids): "
                "python -c \"import secrets; print(secrets.token_urlsafe(32))\"")
    return None


def sign(name: str, secret: str) -> str:
    """The cookie value for a signed-in ``name``."""
    from tornado.web import create_signed_value

    return create_signed_value(secret, COOKIE, name).decode()


def signed_name(value: str | bytes | None, secret: str) -> str | None:
    """The user name of a cookie value, None if absent, forged or older than a working day."""
    from tornado.web import decode_signed_value

    if not value:
        return None
    name = decode_signed_value(secret, COOKIE, value, max_age_days=MAX_AGE_DAYS)
    return name.decode() if name else None


class FailedSignIns:
    """At most ``limit`` failed sign-ins per name and per address in ``window`` seconds (this process)."""

    def __init__(self, limit: int = 5, window: float = 900.0):
        self.limit, self.window = limit, window
        self._failures: dict[str, deque] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque:
        times = self._failures.setdefault(key, deque())
        while times and now - times[0] > self.window:
            times.popleft()
        return times

    def blocked(self, name: str, address: str) -> float:
        """Seconds to wait before ``name`` may try again from ``address`` (0: may try now)."""
        now = time.monotonic()
        with self._lock:
            waits = [self.window - (now - times[0]) for key in (f"name:{name}", f"ip:{address}")
                     if len(times := self._recent(key, now)) >= self.limit]
        return max(waits, default=0.0)

    def failed(self, name: str, address: str) -> None:
        """Count one failed sign-in of ``name`` from ``address``."""
        now = time.monotonic()
        with self._lock:
            for key in (f"name:{name}", f"ip:{address}"):
                self._recent(key, now).append(now)

    def succeeded(self, name: str) -> None:
        """Forget the failures of ``name`` (the address keeps its count)."""
        with self._lock:
            self._failures.pop(f"name:{name}", None)
