"""The training report: report.md states the figures of its run and model card, report.html is that text rendered."""

from __future__ import annotations

import dataclasses
import json
import re

import pytest

from modeling.training import report

pytestmark = pytest.mark.requirement("EXG-MOD-08")


@pytest.fixture(scope="module")
def result(trained_model):
    return trained_model


@pytest.fixture(scope="module")
def card(result) -> dict:
    return json.loads((result.folder / "model_card.json").read_text())


def test_the_report_states_the_figures_of_its_model_card(result, card):
    text = (result.folder / "report.md").read_text()
    cv, tuning = card["cv"], card["tuning"]
    for figure in (f"Production model: **{card['family']}**",
                   f"Pooled out-of-fold AUC **{cv['pooled_auc']:.4f}**",
                   f"mean per-fold AUC {cv['auc_mean']:.4f} ± {cv['auc_std']:.4f} over {cv['folds']} stratified folds",
                   f"refuse when the calibrated default probability ≥ **{card['threshold']:.4f}**",
                   f"(cost matrix {card['cost_matrix']['description']}); approval rate "
                   f"{card['business_optimum']['approval_rate']:.1%}",
                   f"Hyperopt, {tuning['max_evals']} evaluations: {tuning['startup_trials']} random start-up trials",
                   f"the model uses the **{tuning['used']}** parameters",
                   card["champion"]["rule"]):  # the rule as the card states it, one numbered line a step
        assert figure in text, figure
    assert "``" not in text  # no constant's name in place of its value (it read ``TIE_COST`` (1 %))
    lines = text.splitlines()
    headings = [i for i, line in enumerate(lines) if line.startswith("#")]
    assert len(headings) > 10 and all(lines[i - 1] == lines[i + 1] == "" for i in headings[1:])  # blocks apart


def test_the_report_follows_its_run_and_does_not_repeat_fixed_text(result):
    business = dataclasses.replace(result.decision.business, threshold=0.123456, approval_rate=0.4321)
    tuning = {**result.search.tuning, "max_evals": 17, "startup_trials": 5}
    changed = dataclasses.replace(result, decision=dataclasses.replace(result.decision, business=business),
                                  search=dataclasses.replace(result.search, tuning=tuning),
                                  config=dataclasses.replace(result.config, protected=()))
    text = report.markdown(changed)
    assert "≥ **0.1235**" in text and "approval rate 43.2%" in text
    assert "Hyperopt, 17 evaluations: 5 random start-up trials, then 12 guided by TPE" in text
    # with no protected attribute the report says so, and nothing about "them"
    assert "\n\nNo attribute is protected.\n\n" in text and "cite them" not in text


def test_the_html_page_is_the_markdown_rendered(result, card):
    markdown = (result.folder / "report.md").read_text()
    page = (result.folder / "report.html").read_text()
    assert f"<title>Model {card['version']}</title>" in page
    assert f"<strong>{card['threshold']:.4f}</strong>" in page and "**" not in page  # bold, not asterisks
    assert page.count("<table>") == markdown.count("\n|---|") > 5  # every table rendered
    images = re.findall(r"^!\[([^\]]+)\]\(([^)]+)\)$", markdown, re.M)
    assert len(images) >= 7
    for caption, file in images:  # every plot shown with its caption
        assert f'<figure><img src="{file}" alt="{caption}" /><figcaption>{caption}</figcaption></figure>' in page
    steps = card["champion"]["rule"].splitlines()
    assert "<ol>\n" + "".join(f"<li>{re.sub(r'^[0-9]+. ', '', s)}</li>\n" for s in steps) + "</ol>" in page
