"""The Aide tab: each role reads the guide's sections written for it, and no one reads installation commands."""
from __future__ import annotations

import pytest

from bokeh_app.views.help import help_view

COMMANDS = ("make demo", "bokeh_app serve", "python -m", "--port", "<!--")
RISK_SECTIONS = ("Explorer le portefeuille", "Comprendre le seuil", "Surveiller le modèle")


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_an_advisor_reads_the_advisor_sections_without_developer_commands(lang):
    text = help_view(lang, risk=False).text
    assert "Expliquer une décision à un client" in text and "Enregistrer votre décision" in text
    assert not [c for c in COMMANDS if c in text], "developer commands in the advisor's help"
    assert not [s for s in RISK_SECTIONS if s in text], "the risk managers' sections in the advisor's help"


def test_a_risk_manager_reads_the_risk_sections_too_without_developer_commands():
    text = help_view("fr", risk=True).text
    assert all(s in text for s in RISK_SECTIONS) and "Expliquer une décision à un client" in text
    assert not [c for c in COMMANDS if c in text], "developer commands in the risk manager's help"
