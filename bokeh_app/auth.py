"""Bokeh's auth hooks (``bokeh serve --auth-module bokeh_app/auth.py``): sign-in form, server-side session, sign-out.

``python -m bokeh_app serve`` and ``python -m webapp serve`` pass this file to the server. Bokeh refuses the
dashboard's page and its websocket to a browser without a live session (``database.sessions``) and sends it to
``login_url``; the websocket is refused too when its session token was issued to another session. Both forms
carry a CSRF token; sign-out is a POST that revokes the session. Failed sign-ins are counted in the database
per account and per address (``database.lockout``), by every worker together. Every answer carries the
security headers of ``bokeh_app/headers.py``.
"""
from __future__ import annotations

import logging
from functools import cache

from bokeh.util.token import get_token_payload
from tornado.web import RequestHandler
from tornado.websocket import WebSocketHandler

from bokeh_app.headers import FORM_CSP, secure
from bokeh_app.session_user import PAYLOAD_KEY, cookie_reference
from bokeh_app.signin_page import login_html
from database.config import get_engine, sign_in_policy
from database.lockout import sign_in
from database.sessions import live_reference_user, open_session, revoke
from database.signin import (
    COOKIE,
    CSRF_COOKIE,
    cookie_secret,
    csrf_matches,
    new_csrf,
    safe_next,
    signed_session,
    signout_matches,
)
from modeling.wording import catalogue

log = logging.getLogger("bokeh_app.auth")
login_url = "/login"
logout_url = "/logout"


@cache
def _engine():
    return get_engine()


def _token_reference(request_handler: RequestHandler) -> str | None:
    """The session reference inside the Bokeh session token a websocket offers (its subprotocol header)."""
    offered = [p.strip() for p in request_handler.request.headers.get("Sec-WebSocket-Protocol", "").split(",")]
    if len(offered) != 2 or offered[0] != "bokeh":
        return None
    try:
        return get_token_payload(offered[1]).get(PAYLOAD_KEY)
    except (ValueError, KeyError, TypeError):  # a malformed token: Bokeh refuses it too
        return None


def get_user(request_handler: RequestHandler) -> str | None:
    """The signed-in user's name from the live session of the cookie (None: Bokeh sends to the sign-in form).

    On the websocket the session token must name the cookie's own session: a token taken from another
    browser does not attach to this one's sign-in.
    """
    websocket = isinstance(request_handler, WebSocketHandler)
    if not websocket:  # a websocket's handshake is answered already: its headers cannot change
        secure(request_handler)
    ref = cookie_reference(request_handler.request.cookies)
    if ref is None:
        return None
    if websocket and _token_reference(request_handler) != ref:
        log.warning("websocket refused: its session token belongs to another sign-in")
        return None
    user = live_reference_user(_engine(), ref, sign_in_policy())
    return user.name if user else None


class _FormHandler(RequestHandler):
    """What the sign-in and sign-out answers share: language, headers, the CSRF cookie."""

    def set_default_headers(self) -> None:
        secure(self, FORM_CSP)

    def _lang(self) -> str:
        return catalogue.lang_or_default(self.get_argument("lang", None))

    def _csrf(self) -> str:
        """This browser's CSRF token (a new cookie the first time)."""
        token = self.get_cookie(CSRF_COOKIE)
        if not token:
            token = new_csrf()
            self.set_cookie(CSRF_COOKIE, token, httponly=True, samesite="Strict",
                            secure=self.request.protocol == "https")
        return token

    def _csrf_ok(self) -> bool:
        return csrf_matches(self.get_cookie(CSRF_COOKIE), self.get_body_argument("csrf", None))


class LoginHandler(_FormHandler):
    """The sign-in form (GET) and its check (POST)."""

    def _form(self, status: int = 200, error: str | None = None, name: str = "") -> None:
        lang = self._lang()
        self.set_status(status)
        self.write(login_html(lang, safe_next(self.get_argument("next", "/")), error=error, name=name,
                              csrf=self._csrf()))

    def get(self) -> None:
        self._form()

    def post(self) -> None:

        lang = self._lang()
        name, password = self.get_body_argument("name", "").strip(), self.get_body_argument("password", "")
        address = self.request.remote_ip or "?"
        if not self._csrf_ok():
            log.warning("sign-in refused: no valid CSRF token (for %r from %s)", name, address)
            return self._form(403, catalogue.t("signin_expired", lang), name)
        policy = sign_in_policy()
        attempt = sign_in(_engine(), name, password, address, policy)
        if attempt.user is None:
            log.warning("sign-in %s for %r from %s", "refused: too many failures" if attempt.locked else "failed",
                        name, address)
            if attempt.locked:
                self.set_header("Retry-After", str(attempt.retry_after))
            return self._form(429 if attempt.locked else 401,
                              catalogue.t("signin_too_many" if attempt.locked else "signin_wrong", lang), name)
        user = attempt.user
        session_id = open_session(_engine(), user.name, policy)
        log.info("signed in: %s (%s) from %s", user.name, user.role, address)
        self.set_secure_cookie(COOKIE, session_id, expires_days=None, httponly=True, samesite="Strict",
                               secure=self.request.protocol == "https")
        self.redirect(safe_next(self.get_argument("next", "/")))


class LogoutHandler(_FormHandler):
    """Sign out (POST with the page's sign-out token): the session is revoked, the cookie removed."""

    def post(self) -> None:

        session_id = signed_session(self.get_cookie(COOKIE), cookie_secret())
        lang = self._lang()
        if session_id and not signout_matches(session_id, self.get_body_argument("csrf", None), cookie_secret()):
            self.set_status(403)
            self.write(catalogue.t("signin_expired", lang))
            return
        if session_id:
            revoke(_engine(), session_id, "sign-out")
        self.clear_cookie(COOKIE)
        self.redirect(f"{login_url}?lang={lang}")

