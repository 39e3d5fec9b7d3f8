"""The advisor page at ``/``: type a client ID, read the bank's final decision (modeling.serving.decision: the latest
advisor review, else the model's), who took it, and the model's score and reasons (server-rendered, no script).

It needs a signed-in user (``api/signin.py``, the dashboard's accounts) rather than an API key; it is also
limited per IP address, every score it shows is audited with the caller ``web-page``, and every client's file
it opens leaves an access_log row with the user's name, written before the score is computed (an ID that
names no client leaves its row too: the attempt is traced). SCORING_PAGE_ENABLED=false turns it off.
"""

from __future__ import annotations

from flask import Blueprint, current_app, g, render_template, request
from sqlalchemy.exc import DBAPIError

from api.errors import ApiError
from api.ratelimit import get_limits
from api.service import get_service, parse_client_id
from api.signin import signed_in
from database.oversight import latest_review, record_access
from modeling.serving.decision import decide, decided_by_sentence, model_proposal_sentence
from modeling.wording import catalogue

bp = Blueprint("page", __name__)
CALLER = "web-page"


@bp.get("/")
@signed_in
def index():
    """The form, and the score of ``?client_id=`` when given."""
    asked = request.args.get("lang")
    lang = catalogue.lang_or_default(asked)
    text = page_text(lang)
    raw = request.args.get("client_id", "").strip()
    result, final, error, status, headers = None, None, None, 200, {}
    if asked is not None and asked != lang:  # refused as the API refuses it, in the default language
        error, status = text["error_invalid_lang"].format(lang=asked[:10]), 400
    elif raw:
        try:
            get_limits().spend("page", f"ip:{request.remote_addr}")
            client_id = parse_client_id(raw)
            # the opening is traced before anything of the file is read: no trace, nothing shown
            record_access(get_service().engine, g.user.name, client_id, "page")
            review = latest_review(get_service().engine, client_id)  # read before the audit row, as the API does
            result = get_service().score_and_audit(client_id, lang, CALLER)
            final = decide(result, review)
        except ApiError as exc:
            error, status, headers = text.get(f"error_{exc.code}", text["error"]), exc.status, exc.headers
        except DBAPIError as exc:
            current_app.logger.error("page: database unavailable: %s", exc.__class__.__name__)
            error, status = text["error_database_unavailable"], 503
    page = render_template("page.html", text=text, lang=lang, other=catalogue.other_lang(lang),
                           client_id=raw[:20], result=result, error=error,
                           gauge=_gauge(result, lang) if result else None, final=_final(final, lang),
                           signout=catalogue.t("signin_out", lang))
    return page, status, headers


def page_text(lang: str) -> dict[str, str]:
    """Every text of the page in ``lang`` (the ``page_*`` entries of the catalogue, prefix removed)."""
    return catalogue.texts("page_", lang)


def _final(final, lang: str) -> dict | None:
    """What the page says of the final decision: its words, who took it and, after a review, the model's."""
    if final is None:
        return None
    return {"decision": final.decision, "label": catalogue.decision_label(final.decision, lang),
            "by": decided_by_sentence(final, lang),
            "model": model_proposal_sentence(final, lang) if final.reviewed else None}


def _gauge(result, lang: str) -> dict:
    """Geometry of the bar: the scale reaches a little beyond the larger of probability and threshold."""
    top = min(1.0, max(2 * result.threshold, 1.25 * result.probability, 0.05))
    return {
        "p": round(100 * min(result.probability, top) / top, 2),
        "t": round(100 * result.threshold / top, 2),
        "top": catalogue.percent(top, lang),
        "p_text": catalogue.percent(result.probability, lang),
        "t_text": catalogue.percent(result.threshold, lang),
    }
