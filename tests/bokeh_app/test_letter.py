"""The letter for the client: French and English, the decision, reasons in plain words, what would change the
decision and the right to a human review; no protected attribute, no probability, threshold, points or grade."""

from __future__ import annotations

import html
import re
from dataclasses import replace
from datetime import date

import pytest
from whatif_cases import refused_cases

from bokeh_app.letter import letter_html
from modeling.serving.decision import decide
from modeling.serving.explain import Reason
from modeling.wording import catalogue, labels

pytestmark = pytest.mark.requirement("EXG-CLI-23", "EXG-MOD-12")

#: Words that would disclose internal figures of the decision.
INTERNAL = {"fr": ("probabilit", "seuil", "points", "classe", "modèle", "score de"),
            "en": ("probabilit", "threshold", "points", "grade", "model", "score of")}
#: Words of the protected attribute (sex) in either language.
PROTECTED_WORDS = ("sexe", "genre", "gender", "homme", "femme", "woman", " man", "CODE_GENDER")


@pytest.fixture(scope="module")
def case(lightgbm_stack):
    _, (whatif, counterfactual), _ = refused_cases(lightgbm_stack)
    return whatif, counterfactual


def _gender_reason(lang: str) -> Reason:
    """A reason citing the protected attribute, placed first: the letter must leave it out."""
    return Reason(feature="CODE_GENDER_F", label=labels.feature_label("CODE_GENDER", lang), value=1.0,
                  display_value=catalogue.category("F", lang), contribution=5.0, direction="raises",
                  sentence="", group="personal", group_label=labels.group_label("personal", lang), percentile=None)


def _text(page: str) -> str:
    return html.unescape(re.sub(r"<style>.*?</style>|<[^>]+>", " ", page, flags=re.S))


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_letter_says_the_decision_the_reasons_the_way_out_and_the_review(case, lang):
    whatif, counterfactual = case
    result = whatif.simulate({}, lang).result
    result = replace(result, reasons=[_gender_reason(lang), *result.reasons])
    found = whatif.counterfactual(lang)
    page = letter_html(whatif.client_id, result, decide(result, None), whatif.base.amount, found, ("CODE_GENDER",), lang,
                       date(2026, 12, 1))
    text = _text(page)
    assert f'<html lang="{lang}">' in page
    assert catalogue.t("letter_refuse", lang, amount=catalogue.money(whatif.base.amount, lang)) in text
    assert catalogue.t("letter_review", lang) in text and catalogue.day(date(2026, 12, 1), lang) in text
    assert found.sentences and all(s in text for s in found.sentences)
    cited = [r for r in result.reasons if r.direction == "raises" and not r.feature.startswith("CODE_GENDER")]
    assert cited and cited[0].group_label in text
    lowered = text.lower()
    assert not [w for w in PROTECTED_WORDS if w.lower() in lowered], "the letter names the protected attribute"
    assert not [w for w in INTERNAL[lang] if w in lowered], "the letter discloses an internal figure"
    assert catalogue.percent(result.probability, lang) not in text
    assert catalogue.percent(result.threshold, lang) not in text
    assert "@media print" in page  # a print stylesheet: the page prints as a letter


def test_the_dashboard_fills_the_letter_of_the_open_client(lightgbm_portfolio):
    from tests.bokeh_app.conftest import make_document, model

    for lang in ("fr", "en"):
        page = model(make_document(lightgbm_portfolio, lang), "letter_html").text
        assert catalogue.t("letter_title", lang) in page and catalogue.t("letter_review_title", lang) in page
