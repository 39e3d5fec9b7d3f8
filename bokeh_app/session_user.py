"""Who is using this browser session: the user of the live server-side session, or nobody.

Bokeh's auth hooks (``bokeh_app/auth.py``) refuse the page and the websocket without a live session. The
session token Bokeh embeds in the page carries no cookie (``TOKEN_HEADERS``, ``TOKEN_EXCLUDED_COOKIES``): it
carries the session's public reference (``database.sessions.reference``), put there by ``process_request``
(``app_hooks.py``), which is no sign-in by itself; the websocket is accepted only with the cookie of that same
session. The document asks the database for the reference's user, so a revoked session or a removed account
loses its access. Without sign-in (``--no-auth``, local development only) the session is a local administrator.
"""
from __future__ import annotations

from functools import cache

from database.config import get_engine, sign_in_policy
from database.sessions import live_reference_user, reference
from database.signin import (
    COOKIE,
    CSRF_COOKIE,
    SignInNotConfigured,
    cookie_secret,
    signed_session,
    signout_token,
)
from database.users import User

LOCAL_USER = User("local", "admin")
#: The only request header copied into Bokeh's session token (no Cookie header, no Authorization).
TOKEN_HEADERS = ("Accept-Language",)
#: Cookies never copied into the session token.
TOKEN_EXCLUDED_COOKIES = (COOKIE, CSRF_COOKIE)
#: The token payload's key holding the session's public reference.
PAYLOAD_KEY = "signin_session"


def cookie_reference(cookies) -> str | None:
    """The public reference of the session whose signed id ``cookies`` (tornado's or a dict) hold, else None."""
    value = cookies.get(COOKIE)
    value = getattr(value, "value", value)
    try:
        session_id = signed_session(value, cookie_secret())
    except SignInNotConfigured:
        return None
    return reference(session_id) if session_id else None


def token_reference(context) -> str | None:
    """The session reference in the Bokeh session token of ``context`` (None: none)."""
    token = getattr(context, "_token", None) if context is not None else None
    return context.token_payload.get(PAYLOAD_KEY) if token else None


def session_user(context, auth: bool, engine, touch: bool = True) -> User | None:
    """The session's user; None when sign-in is required and the token names no live session. ``touch``: count
    this as a use of the session (its idle time starts again)."""
    if not auth:
        return LOCAL_USER

    ref = token_reference(context)
    return live_reference_user(engine, ref, sign_in_policy(), touch=touch) if ref else None


@cache
def engine_for(url: str | None):
    """One engine per database URL and server process, shared by the sessions (made on first use)."""
    return get_engine(url)


def signout_form_token(context) -> str:
    """The token of the page's sign-out form (empty without sign-in: there is no form then)."""
    ref = token_reference(context)
    try:
        return signout_token(ref, cookie_secret()) if ref else ""
    except SignInNotConfigured:
        return ""
