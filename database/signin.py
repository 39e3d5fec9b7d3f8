"""The sign-in cookie shared by the dashboard and the advisor page, and the CSRF token of their forms.

The cookie holds the id of a server-side session (``database.sessions``) signed with the cookie secret
(tornado's signed-value format, the one Bokeh's auth hooks use), so one sign-in is valid on every screen served
with the same secret and database, until it is revoked or times out. The secret comes from BOKEH_COOKIE_SECRET;
nothing in this module reads it at import time. Failed sign-ins are counted by ``database.lockout``.
"""

from __future__ import annotations

import hmac
import os
import secrets
from urllib.parse import urlsplit

from tornado.web import create_signed_value, decode_signed_value

from database.sessions import reference

COOKIE = "homecredit_session"
#: The CSRF cookie (double submit): the forms repeat it in a hidden field ``csrf``.
CSRF_COOKIE = "homecredit_csrf"
#: A signed cookie older than this is refused before the database is asked (a session ends sooner).
MAX_AGE_DAYS = 1
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


def sign(session_id: str, secret: str) -> str:
    """The cookie value for a session id."""
    return create_signed_value(secret, COOKIE, session_id).decode()


def signed_session(value: str | bytes | None, secret: str) -> str | None:
    """The session id of a cookie value, None if absent, forged or older than a session's absolute end."""
    if not value:
        return None
    session_id = decode_signed_value(secret, COOKIE, value, max_age_days=MAX_AGE_DAYS)
    return session_id.decode() if session_id else None


def new_csrf() -> str:
    """A random token for the CSRF cookie and the hidden field of a sign-in or sign-out form."""
    return secrets.token_urlsafe(24)


def csrf_matches(cookie: str | None, field: str | None) -> bool:
    """True when the form's hidden field repeats the CSRF cookie (a site elsewhere can read neither)."""
    return bool(cookie) and bool(field) and hmac.compare_digest(cookie.encode(), field.encode())


def signout_token(ref: str, secret: str) -> str:
    """The sign-out form's token of the session named ``ref`` (only the server, holding the secret, makes it)."""
    return hmac.new(secret.encode(), f"sign-out:{ref}".encode(), "sha256").hexdigest()


def signout_matches(session_id: str, token: str | None, secret: str) -> bool:
    """True when ``token`` is the sign-out token of the session ``session_id``."""
    return bool(token) and hmac.compare_digest(signout_token(reference(session_id), secret), token)


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a path of this server only. Browsers read ``\\`` as ``/`` and ignore tabs
    and newlines, so ``/\\evil.com`` or a tab inside ``//evil.com`` would leave for another site: such targets give ``/``."""
    target = target or "/"
    parts = urlsplit(target)
    if (parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target
            or any(ord(c) < 32 or ord(c) == 127 for c in target)):
        return "/"
    return target
