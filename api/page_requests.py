"""The advisor page's form for a review request made at the branch (CCD2 Art. 18): the client's statement is
recorded with the signed-in advisor's name, and the client's requests are listed with their state.

The form posts with a token bound to the sign-in cookie (``csrf_token``), then redirects back to the client
(post/redirect/get), saying what was recorded or which field to correct.
"""

from __future__ import annotations

import hashlib
import hmac

from flask import Blueprint, current_app, g, redirect, render_template, request, url_for

from api.errors import ApiError
from api.service import get_service, parse_client_id
from api.signin import _secret, signed_in
from database.review_requests import RequestError, record_request, requests_of
from database.schema import REQUEST_CONTACTS
from database.signin import COOKIE
from modeling.wording import catalogue
from modeling.wording.requests import state_word

bp = Blueprint("page_requests", __name__)
#: The fields whose errors the form explains; anything else is shown as the statement's.
FORM_FIELDS = ("statement", "contact", "client_id")


def csrf_token() -> str:
    """A token only this sign-in's pages hold: an HMAC of the sign-in cookie under the cookie secret."""
    cookie = request.cookies.get(COOKIE, "")
    return hmac.new(_secret().encode(), f"review-request\0{cookie}".encode(), hashlib.sha256).hexdigest()


@bp.app_template_global()
def review_request_box(client_id: int, lang: str) -> dict:
    """What the page's review-request form shows for a client: the token, the client's requests, the outcome."""
    found = requests_of(get_service().engine, client_id)
    saved, error = request.args.get("request_saved", ""), request.args.get("request_error", "")
    return {
        "token": csrf_token(),
        "contacts": [(c, catalogue.t(f"page_request_contact_{c}", lang)) for c in REQUEST_CONTACTS],
        "requests": [{"id": r.id, "received": catalogue.day(r.received_at, lang), "statement": r.statement,
                      "state": state_word(r, lang)} for r in found],
        "saved": int(saved) if saved.isdigit() and any(r.id == int(saved) for r in found) else None,
        "error": error if error in (*FORM_FIELDS, "csrf") else None,
    }


@bp.post("/review-requests")
@signed_in
def record():
    """Record the request typed on the page, then show the client again with the outcome."""
    lang = catalogue.lang_or_default(request.form.get("lang"))
    if not hmac.compare_digest(request.form.get("csrf", ""), csrf_token()):
        current_app.logger.warning("review request refused: bad form token from %s", g.user.name)
        return _error_page(403, "invalid_form_token", catalogue.t("page_request_error_csrf", lang), lang)
    try:
        client_id = parse_client_id(request.form.get("client_id", ""))
    except ApiError as error:
        return _error_page(error.status, error.code, catalogue.t("page_error_invalid_client_id", lang), lang)
    back = {"client_id": client_id, "lang": lang}
    try:
        created = record_request(get_service().engine, client_id, request.form.get("statement", ""), "branch",
                                 g.user.name, request.form.get("contact") or None)
    except RequestError as error:
        return redirect(url_for("page.index", **back, request_error=error.field) + "#review-request")
    current_app.logger.info("review request %d recorded for client %d by %s", created.id, client_id, g.user.name)
    return redirect(url_for("page.index", **back, request_saved=created.id) + "#review-request")


def _error_page(status: int, code: str, message: str, lang: str):
    """The page's own error screen (the form is posted by a browser, not by an API caller)."""
    return render_template("error.html", status=status, code=code, message=message, lang=lang), status
