"""The letter for the client: a printable page in the client's language with the bank's final decision
(modeling.serving.decision: the advisor's when one reviewed the application, else the automated assessment's), the
main reasons in plain words, what would change the decision and how to ask for a human review.

What it shows, and what it does not: the decision, who took it (an advisor on a given day, with the reason of
the list, or the automated assessment), the requested amount, up to three reasons by their labels (with the
client's own value, except for the external scores, figures of third parties), the counterfactual sentences
when the automated assessment refused and nobody decided otherwise, and the right to a human review (CCD2
Art. 18, GDPR Art. 22(3)): how to ask for it and what follows. The advisor's free comment is internal and
never printed. It never shows the probability, the threshold, points, grade, the
model or its version, nor any reason built from a protected attribute (modeling.policy).
"""
from __future__ import annotations

from datetime import date
from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from modeling import policy
from modeling.serving.decision import FinalDecision, reason_label
from modeling.wording import catalogue

TEMPLATE = Path(__file__).with_name("templates") / "letter.html"
#: Reasons cited at most in the letter.
MAX_REASONS = 3
#: Groups whose value is not the client's own figure: cited by their name only.
NO_VALUE_GROUPS = ("external_scores",)


@cache
def _template():
    env = Environment(loader=FileSystemLoader(TEMPLATE.parent), autoescape=select_autoescape(["html"]))
    return env.get_template(TEMPLATE.name)


def citable(reasons, protected) -> list:
    """The reasons the letter may cite: none built from a protected attribute."""
    return [r for r in reasons if not any(policy.derived_from(a, r.feature) for a in protected)]


def reason_line(reason, lang: str) -> str:
    """'Endettement — Mensualité rapportée au revenu : 39 % ; joue en défaveur de la demande.'"""
    value = "" if reason.group in NO_VALUE_GROUPS else f"{' :' if lang == 'fr' else ':'} {reason.display_value}"
    effect = catalogue.t("letter_raises" if reason.direction == "raises" else "letter_lowers", lang)
    return f"{reason.group_label} — {reason.label}{value} ; {effect}." if lang == "fr" else \
        f"{reason.group_label} — {reason.label}{value}; {effect}."


def letter_html(client_id: int, result, final: FinalDecision, amount: float, counterfactual, protected, lang: str,
                when: date | None = None) -> str:
    """The letter of a client's final decision (result: the model's ScoreResult) as a standalone HTML page."""
    lang = catalogue.check_lang(lang)
    t = lambda key, **v: catalogue.t(key, lang, **v)  # noqa: E731
    refused = final.decision == "refuse"
    wanted = "raises" if refused else "lowers"
    reasons = [r for r in citable(result.reasons, protected) if r.direction == wanted]
    reasons = sorted(reasons, key=lambda r: abs(r.contribution), reverse=True)[:MAX_REASONS]
    words = {key: t(key) for key in ("letter_title", "letter_hello", "letter_change", "letter_review_title",
                                     "letter_review", "letter_review_next", "letter_closing", "letter_signature",
                                     "letter_print")}
    words.update(date=t("letter_date", date=catalogue.day(when or date.today(), lang)), ref=t("letter_ref", id=client_id),
                 decision_sentence=t("letter_refuse" if refused else "letter_grant", amount=catalogue.money(amount, lang)),
                 decided_by=_decided_by(final, lang), review_how=t("letter_review_how", id=client_id),
                 reasons_intro=t(("letter_reasons_refuse_reviewed" if final.reviewed else "letter_reasons_refuse")
                                 if refused else "letter_reasons_grant"))
    # the way out is the automated assessment's: shown when it refused and no advisor decided otherwise
    found = (refused and result.decision == "refuse" and counterfactual is not None
             and counterfactual.kind != "granted")
    changes = list(counterfactual.sentences) if found else []
    return _template().render(lang=lang, w=words, reasons=[reason_line(r, lang) for r in reasons], changes=changes)


def _decided_by(final: FinalDecision, lang: str) -> str:
    """Who decided, in the client's words: the advisor's review (day and reason) or the automated assessment."""
    if not final.reviewed:
        return catalogue.t("letter_automated", lang)
    return catalogue.t(f"letter_reviewed_{final.decision}", lang, date=catalogue.day(final.decided_at, lang),
                       reason=reason_label(final.reason, lang))
