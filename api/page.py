"""The advisor page at ``/``: type a client ID, read the decision and its reasons (server-rendered, no script).

It needs no API key, so it is limited per IP address and every score it shows is audited with the caller
``web-page``. A bank that exposes the service beyond its internal network turns it off with
SCORING_PAGE_ENABLED=false (the API itself always requires a key).
"""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from sqlalchemy.exc import DBAPIError

from api.auth import check_rate
from api.errors import ApiError
from api.service import LANGS, get_service, parse_client_id

bp = Blueprint("page", __name__)
CALLER = "web-page"

TEXT = {
    "fr": {
        "title": "Score de crédit d'un client",
        "intro": "Saisissez l'identifiant d'un client pour voir la décision et ses raisons.",
        "field": "Identifiant client (SK_ID_CURR)",
        "submit": "Calculer le score",
        "switch": "English",
        "decision": "Décision",
        "colon": "\u00a0:",
        "probability": "Probabilité de défaut",
        "threshold": "Seuil de refus",
        "points": "Points",
        "grade": "Classe",
        "reasons": "Principales raisons",
        "gauge": "Probabilité de défaut {p} pour un seuil de refus de {t}",
        "raises": "augmente le risque",
        "lowers": "réduit le risque",
        "model": "Modèle",
        "api_docs": "Documentation de l'API",
        "errors": {
            "invalid_client_id": "Cet identifiant n'est pas valide : saisissez un nombre entier positif.",
            "unknown_client": "Aucun client ne porte cet identifiant.",
            "rate_limited": "Trop de demandes depuis ce poste : réessayez dans quelques secondes.",
            "model_unavailable": "Le modèle n'est pas disponible pour le moment.",
            "database_unavailable": "La base de données est injoignable pour le moment.",
            "audit_unavailable": "La décision n'a pas pu être enregistrée ; elle n'est donc pas affichée.",
        },
        "error": "Le service ne peut pas répondre pour le moment.",
    },
    "en": {
        "title": "A client's credit score",
        "intro": "Type a client's ID to see the decision and its reasons.",
        "field": "Client ID (SK_ID_CURR)",
        "submit": "Score",
        "switch": "Français",
        "decision": "Decision",
        "colon": ":",
        "probability": "Probability of default",
        "threshold": "Refusal threshold",
        "points": "Points",
        "grade": "Grade",
        "reasons": "Main reasons",
        "gauge": "Probability of default {p} against a refusal threshold of {t}",
        "raises": "raises the risk",
        "lowers": "lowers the risk",
        "model": "Model",
        "api_docs": "API documentation",
        "errors": {
            "invalid_client_id": "This ID is not valid: type a positive whole number.",
            "unknown_client": "No client has this ID.",
            "rate_limited": "Too many requests from this computer: try again in a few seconds.",
            "model_unavailable": "The model is not available at the moment.",
            "database_unavailable": "The database cannot be reached at the moment.",
            "audit_unavailable": "The decision could not be recorded, so it is not shown.",
        },
        "error": "The service cannot answer at the moment.",
    },
}


@bp.get("/")
def index():
    """The form, and the score of ``?client_id=`` when given."""
    lang = request.args.get("lang", "fr")
    lang = lang if lang in LANGS else "fr"
    text = TEXT[lang]
    raw = request.args.get("client_id", "").strip()
    result, error, status, headers = None, None, 200, {}
    if raw:
        try:
            check_rate(current_app.extensions["page_bucket"], f"ip:{request.remote_addr}")
            result = get_service().score_and_audit(parse_client_id(raw), lang, CALLER)
        except ApiError as exc:
            error, status, headers = text["errors"].get(exc.code, text["error"]), exc.status, exc.headers
        except DBAPIError as exc:
            current_app.logger.error("page: database unavailable: %s", exc.__class__.__name__)
            error, status = text["errors"]["database_unavailable"], 503
    page = render_template("page.html", text=text, lang=lang, other="en" if lang == "fr" else "fr",
                           client_id=raw[:20], result=result, error=error,
                           gauge=_gauge(result) if result else None)
    return page, status, headers


def _percent(value: float, lang: str) -> str:
    """A probability as a percentage with one decimal, French or English style."""
    text = f"{100 * value:.1f}"
    return f"{text.replace('.', ',')}\u00a0%" if lang == "fr" else f"{text}%"


def _gauge(result) -> dict:
    """Geometry of the bar: the scale reaches a little beyond the larger of probability and threshold."""
    top = min(1.0, max(2 * result.threshold, 1.25 * result.probability, 0.05))
    lang = request.args.get("lang", "fr")
    lang = lang if lang in LANGS else "fr"
    return {
        "p": round(100 * min(result.probability, top) / top, 2),
        "t": round(100 * result.threshold / top, 2),
        "top": _percent(top, lang),
        "p_text": _percent(result.probability, lang),
        "t_text": _percent(result.threshold, lang),
    }
