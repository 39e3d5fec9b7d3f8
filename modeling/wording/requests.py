"""A review request's state in the reader's words, shared by the advisor page and the dashboard's queue.

The texts are the ``request_state_*`` rows of ``words.csv``; dates and decisions go through the catalogue.
"""

from __future__ import annotations

from database.review_requests import Request
from modeling.wording import catalogue


def state_word(request: Request, lang: str) -> str:
    """'En attente', 'Prise en charge par X' or 'Traitée le 7 décembre 2026 : Crédit accordé'."""
    if request.answer:
        return catalogue.t("request_state_answered", lang, day=catalogue.day(request.answer.stepped_at, lang),
                           d=catalogue.decision_label(request.answer.final_decision, lang))
    if request.taken:
        return catalogue.t("request_state_taken", lang, user=request.taken.user_name)
    return catalogue.t("request_state_open", lang)
