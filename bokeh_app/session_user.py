"""Who is using this browser session: the signed-in user from the session's signed cookie, or nobody.

Bokeh has already refused the page and the websocket without a valid cookie (``bokeh_app/auth.py``); the
session reads the same cookie to know the user's name and looks up the role in the database, so a removed
account loses its access at its next page load. Without sign-in (``--no-auth``, local development only) the
session is a local administrator.
"""
from __future__ import annotations

from functools import cache

from database.users import User

LOCAL_USER = User("local", "admin")


def session_user(request, auth: bool, engine) -> User | None:
    """The session's user; None when sign-in is required and the request carries no valid cookie."""
    if not auth:
        return LOCAL_USER
    from database.signin import COOKIE, SignInNotConfigured, cookie_secret, signed_name
    from database.users import find_user

    cookies = getattr(request, "cookies", None) or {}
    try:
        name = signed_name(cookies.get(COOKIE), cookie_secret())
    except SignInNotConfigured:
        return None
    return find_user(engine, name) if name else None


@cache
def engine_for(url: str | None):
    """One engine per database URL and server process, shared by the sessions (made on first use)."""
    from database.config import get_engine

    return get_engine(url)
