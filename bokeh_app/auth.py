"""Bokeh's auth hooks (``bokeh serve --auth-module bokeh_app/auth.py``): sign-in form, signed cookie, sign-out.

``python -m bokeh_app serve`` and ``python -m webapp serve`` pass this file to the server. Bokeh refuses the
dashboard's page and its websocket to a browser without a valid cookie and sends it to ``login_url``. The
cookie (``database.signin``) holds the name signed with BOKEH_COOKIE_SECRET; every failed sign-in is logged
and, past five per name or per address in 15 minutes, refused until the window passes.
"""
from __future__ import annotations

import logging
from functools import cache
from urllib.parse import urlsplit

from tornado.web import RequestHandler

from bokeh_app.signin_page import login_html
from database.signin import COOKIE, MAX_AGE_DAYS, FailedSignIns
from modeling import catalogue

log = logging.getLogger("bokeh_app.auth")
login_url = "/login"
logout_url = "/logout"
FAILURES = FailedSignIns()


@cache
def _engine():
    from database.config import get_engine

    return get_engine()


def get_user(request_handler: RequestHandler) -> str | None:
    """The signed-in user's name from the signed cookie (None: Bokeh redirects to the sign-in form)."""
    value = request_handler.get_secure_cookie(COOKIE, max_age_days=MAX_AGE_DAYS)
    return value.decode() if value else None


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a path of this server only (never another site)."""
    parts = urlsplit(target or "/")
    if parts.scheme or parts.netloc or not (target or "/").startswith("/") or (target or "").startswith("//"):
        return "/"
    return target or "/"


class LoginHandler(RequestHandler):
    """The sign-in form (GET) and its check (POST)."""

    def _lang(self) -> str:
        return catalogue.lang_or_default(self.get_argument("lang", None))

    def get(self) -> None:
        self.write(login_html(self._lang(), safe_next(self.get_argument("next", "/"))))

    def post(self) -> None:
        from database.users import authenticate

        lang, target = self._lang(), safe_next(self.get_argument("next", "/"))
        name, password = self.get_argument("name", "").strip(), self.get_argument("password", "")
        address = self.request.remote_ip or "?"
        wait = FAILURES.blocked(name, address)
        if wait:
            log.warning("sign-in refused without checking: too many failures for %r or from %s", name, address)
            self.set_status(429)
            self.set_header("Retry-After", str(int(wait) + 1))
            self.write(login_html(lang, target, error=catalogue.t("signin_too_many", lang), name=name))
            return
        user = authenticate(_engine(), name, password) if name and password else None
        if user is None:
            FAILURES.failed(name, address)
            log.warning("sign-in failed for %r from %s", name, address)
            self.set_status(401)
            self.write(login_html(lang, target, error=catalogue.t("signin_wrong", lang), name=name))
            return
        FAILURES.succeeded(name)
        log.info("signed in: %s (%s) from %s", user.name, user.role, address)
        self.set_secure_cookie(COOKIE, user.name, expires_days=MAX_AGE_DAYS, httponly=True, samesite="Strict",
                               secure=self.request.protocol == "https")
        self.redirect(target)


class LogoutHandler(RequestHandler):
    """Sign out: the cookie is removed and the sign-in form shown."""

    def get(self) -> None:
        self.clear_cookie(COOKIE)
        self.redirect(login_url)
