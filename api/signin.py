"""Sign-in for the advisor page at ``/``: the same accounts, cookie and secret as the dashboard.

The cookie is ``database.signin``'s (the user's name signed with BOKEH_COOKIE_SECRET), so a browser signed in
on the dashboard is signed in here when both are served with the same secret. Failed sign-ins are logged and
limited per name and per address (five in 15 minutes, per worker process). The JSON API keeps its API keys.
"""

from __future__ import annotations

import functools
from urllib.parse import urlsplit

from flask import Blueprint, current_app, g, redirect, render_template, request, url_for

from api.errors import ApiError
from database.signin import (
    COOKIE,
    MAX_AGE_DAYS,
    FailedSignIns,
    SignInNotConfigured,
    cookie_secret,
    sign,
    signed_name,
)
from modeling import catalogue

bp = Blueprint("signin", __name__)


def _secret() -> str:
    try:
        return cookie_secret()
    except SignInNotConfigured as error:
        current_app.logger.error("sign-in not configured: %s", error)
        raise ApiError(503, "sign_in_not_configured", "Sign-in is not configured on this server; retry later.") \
            from None


def _failures() -> FailedSignIns:
    return current_app.extensions.setdefault("failed_sign_ins", FailedSignIns())


def current_user():
    """The signed-in user (``database.users.User``) of this request, or None."""
    from api.service import get_service
    from database.users import find_user

    name = signed_name(request.cookies.get(COOKIE), _secret())
    return find_user(get_service().engine, name) if name else None


def signed_in(view):
    """Decorator: the view needs a signed-in user (``g.user``); others are sent to the sign-in form."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        g.user = current_user()
        if g.user is None:
            return redirect(url_for("signin.login", next=request.full_path.rstrip("?"),
                                    lang=request.args.get("lang")))
        return view(*args, **kwargs)

    return wrapped


def _safe_next(target: str | None) -> str:
    parts = urlsplit(target or "/")
    return target if target and target.startswith("/") and not target.startswith("//") and not parts.netloc else "/"


@bp.route("/login", methods=["GET", "POST"])
def login():
    """The sign-in form, and its check."""
    from api.service import get_service
    from database.users import authenticate

    lang = catalogue.lang_or_default(request.args.get("lang"))
    target = _safe_next(request.args.get("next"))
    text = catalogue.texts("signin_", lang)

    def form(error: str | None = None, status: int = 200, name: str = ""):
        return render_template("login.html", text=text, lang=lang, other=catalogue.other_lang(lang),
                               target=target, error=error, name=name[:64]), status

    if request.method == "GET":
        return form()
    secret = _secret()
    name, password = request.form.get("name", "").strip(), request.form.get("password", "")
    address = request.remote_addr or "?"
    if _failures().blocked(name, address):
        current_app.logger.warning("sign-in refused without checking: too many failures for %r or from %s",
                                   name, address)
        return form(text["too_many"], 429, name)
    user = authenticate(get_service().engine, name, password) if name and password else None
    if user is None:
        _failures().failed(name, address)
        current_app.logger.warning("sign-in failed for %r from %s", name, address)
        return form(text["wrong"], 401, name)
    _failures().succeeded(name)
    current_app.logger.info("signed in: %s (%s) from %s", user.name, user.role, address)
    response = redirect(target)
    response.set_cookie(COOKIE, sign(user.name, secret), max_age=int(MAX_AGE_DAYS * 86400), httponly=True,
                        samesite="Strict", secure=request.is_secure)
    return response


@bp.get("/logout")
def logout():
    """Sign out and show the form again."""
    response = redirect(url_for("signin.login"))
    response.delete_cookie(COOKIE)
    return response
