"""The letter for the client: a printable page in the client's language with the decision, the main reasons in
plain words, what would change the decision and how to ask for a human review.

What it shows, and what it does not: the decision, the requested amount, up to three reasons by their labels
(with the client's own value, except for the external scores, figures of third parties), the counterfactual
sentences and the right to a human review. It never shows the probability, the threshold, points, grade, the
model or its version, nor any reason built from a protected attribute (modeling.policy).
"""
from __future__ import annotations

from datetime import date
from functools import cache
from pathlib import Path

from modeling import catalogue, policy

TEMPLATE = Path(__file__).with_name("templates") / "letter.html"
#: Reasons cited at most in the letter.
MAX_REASONS = 3
#: Groups whose value is not the client's own figure: cited by their name only.
NO_VALUE_GROUPS = ("external_scores",)


@cache
def _template():
    from jinja2 import Environment, FileSystemLoader, select_autoescape

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


def letter_html(client_id: int, result, amount: float, counterfactual, protected, lang: str,
                when: date | None = None) -> str:
    """The letter of one decision (result: a ScoreResult) as a standalone HTML page with a print stylesheet."""
    lang = catalogue.check_lang(lang)
    t = lambda key, **v: catalogue.t(key, lang, **v)  # noqa: E731
    refused = result.decision == "refuse"
    wanted = "raises" if refused else "lowers"
    reasons = [r for r in citable(result.reasons, protected) if r.direction == wanted]
    reasons = sorted(reasons, key=lambda r: abs(r.contribution), reverse=True)[:MAX_REASONS]
    words = {key: t(key) for key in ("letter_title", "letter_hello", "letter_change", "letter_review_title",
                                     "letter_review", "letter_closing", "letter_signature", "letter_print")}
    words.update(date=t("letter_date", date=catalogue.day(when or date.today(), lang)), ref=t("letter_ref", id=client_id),
                 decision_sentence=t("letter_refuse" if refused else "letter_grant", amount=catalogue.money(amount, lang)),
                 reasons_intro=t("letter_reasons_refuse" if refused else "letter_reasons_grant"))
    found = refused and counterfactual is not None and counterfactual.kind != "granted"
    changes = list(counterfactual.sentences) if found else []
    return _template().render(lang=lang, w=words, reasons=[reason_line(r, lang) for r in reasons], changes=changes)
