"""The defence deck tells the story in 15 to 20 slides with the product's own figures, and its demo covers
sign-in, the advisor's review and override, the what-if and the monitoring."""
from __future__ import annotations

from pathlib import Path

import pytest

from pm import facts, slides

pytestmark = pytest.mark.requirement("EXG-GP-03")

DOCS = Path(__file__).resolve().parents[2] / "docs" / "gestion-projet"


@pytest.fixture(scope="module")
def pages() -> dict[str, str]:
    deck = slides.compose(DOCS)
    return {title: "\n".join(text).replace("\u00a0", " ").replace("\u202f", " ") for title, text in deck.shown}


def test_the_deck_tells_the_story_in_fifteen_to_twenty_slides(pages):
    assert 15 <= len(pages) <= 20
    titles = " / ".join(pages)
    for part in ("problème", "données", "modèle", "coûts", "conseiller", "Surveillance", "Architecture",
                 "règlement européen sur l'IA", "Scrum", "Valeur acquise", "Limites", "Démonstration"):
        assert part in titles, part


def test_the_model_slide_says_what_the_card_says(pages):
    model = facts.model()
    text = pages["Le modèle, honnêtement"]
    assert f"Hyperopt : {model['max_evals']} évaluation" in text or model["tuned"]
    assert ("sous l'objectif de 97 %" in text) == (model["auc_share"] < 0.97)
    assert "Heroku" not in " ".join(pages.values()) and "ms ms" not in " ".join(pages.values())


def test_the_demo_covers_sign_in_review_what_if_and_monitoring(pages):
    demo = pages["Démonstration (5 minutes)"]
    for step in ("Connexion comme conseiller", "Simulation", "Dérogation avec motif", "demande de revue",
                 "surveillance de la dérive"):
        assert step in demo, step
