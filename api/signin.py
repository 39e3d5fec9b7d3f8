"""Sign-in for the advisor page at ``/``: the same accounts, sessions, cookie and secret as the dashboard.

The cookie holds the signed id of a server-side session (``database.sessions``), so a browser signed in on the
dashboard is signed in here when both are served with the same secret and database, and a session revoked by
sign-out, a password reset or an administrator ends on both. The form carries a CSRF token (double submit);
sign-out is a POST with the session's own token. Failed sign-ins are counted in the database per account and
per address (``database.lockout``), by every worker together. The JSON API keeps its API keys.
"""

from __future__ import annotations

import functools

from flask import Blueprint, current_app, g, redirect, render_template, request, url_for

from api.errors import ApiError
from api.service import get_service
from database.config import sign_in_policy
from database.lockout import sign_in
from database.sessions import live_user, open_session, reference, revoke
from database.signin import (
    COOKIE,
    CSRF_COOKIE,
    SignInNotConfigured,
    cookie_secret,
    csrf_matches,
    new_csrf,
    safe_next,
    sign,
    signed_session,
    signout_matches,
    signout_token,
)
from modeling.wording import catalogue

bp = Blueprint("signin", __name__)


def _secret() -> str:
    try:
        return cookie_secret()
    except SignInNotConfigured as error:
        current_app.logger.error("sign-in not configured: %s", error)
        raise ApiError(503, "sign_in_not_configured", "Sign-in is not configured on this server; retry later.") \
            from None


def _session_id() -> str | None:
    return signed_session(request.cookies.get(COOKIE), _secret())


def current_user():
    """The signed-in user (``database.users.User``) of this request's live session, or None."""
    return live_user(get_service().engine, _session_id(), sign_in_policy())


def signed_in(view):
    """Decorator: the view needs a signed-in user (``g.user``, ``g.signout_token``); others go to the form."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        g.user = current_user()
        if g.user is None:
            return redirect(url_for("signin.login", next=request.full_path.rstrip("?"),
                                    lang=request.args.get("lang")))
        g.signout_token = signout_token(reference(_session_id()), _secret())
        return view(*args, **kwargs)

    return wrapped


@bp.route("/login", methods=["GET", "POST"])
def login():
    """The sign-in form, and its check."""
    lang = catalogue.lang_or_default(request.args.get("lang"))
    target = safe_next(request.args.get("next"))
    text = catalogue.texts("signin_", lang)
    csrf = request.cookies.get(CSRF_COOKIE) or new_csrf()

    def form(error: str | None = None, status: int = 200, name: str = ""):
        response = current_app.make_response((render_template(
            "login.html", text=text, lang=lang, other=catalogue.other_lang(lang), target=target, error=error,
            name=name[:64], csrf=csrf), status))
        if request.cookies.get(CSRF_COOKIE) != csrf:
            response.set_cookie(CSRF_COOKIE, csrf, httponly=True, samesite="Strict", secure=request.is_secure)
        return response

    if request.method == "GET":
        return form()
    secret = _secret()
    name, password = request.form.get("name", "").strip(), request.form.get("password", "")
    address = request.remote_addr or "?"
    if not csrf_matches(request.cookies.get(CSRF_COOKIE), request.form.get("csrf")):
        current_app.logger.warning("sign-in refused: no valid CSRF token (for %r from %s)", name, address)
        return form(text["expired"], 403, name)
    policy = sign_in_policy()
    attempt = sign_in(get_service().engine, name, password, address, policy)
    if attempt.user is None:
        current_app.logger.warning("sign-in %s for %r from %s",
                                   "refused: too many failures" if attempt.locked else "failed", name, address)
        response = form(text["too_many"] if attempt.locked else text["wrong"], 429 if attempt.locked else 401, name)
        if attempt.locked:
            response.headers["Retry-After"] = str(attempt.retry_after)
        return response
    user = attempt.user
    current_app.logger.info("signed in: %s (%s) from %s", user.name, user.role, address)
    response = redirect(target)
    response.set_cookie(COOKIE, sign(open_session(get_service().engine, user.name, policy), secret), httponly=True,
                        samesite="Strict", secure=request.is_secure)
    return response


@bp.post("/logout")
def logout():
    """Sign out (POST with the page's sign-out token): the session is revoked and the form shown again."""
    lang = catalogue.lang_or_default(request.args.get("lang"))
    session_id = _session_id()
    if session_id and not signout_matches(session_id, request.form.get("csrf"), _secret()):
        raise ApiError(403, "bad_csrf_token", "The sign-out form has expired: reload the page and sign out again.")
    if session_id:
        revoke(get_service().engine, session_id, "sign-out")
    response = redirect(url_for("signin.login", lang=lang))
    response.delete_cookie(COOKIE)
    return response
