"""The management documents say what their sources say: a changed source makes them fail the check,
hand-written ones (specification, operations guide, compliance) included."""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from pm import check, config, facts

pytestmark = pytest.mark.requirement("EXG-GP-03")

REPO = Path(__file__).resolve().parents[2]
DOCS = REPO / "docs" / "gestion-projet"


def _repo_copy(tmp_path: Path, changed: dict[str, str]) -> Path:
    """A repository whose files are the real ones (links) except `changed` (relative path -> new text)."""
    root = tmp_path / "repo"

    def link(source: Path, target: Path) -> None:
        target.mkdir(parents=True)
        for entry in source.iterdir():
            inside = [p for p in changed if Path(p).parts[: len(entry.relative_to(REPO).parts)]
                      == entry.relative_to(REPO).parts]
            if not inside:
                (target / entry.name).symlink_to(entry)
            elif entry.relative_to(REPO).as_posix() in changed:
                (target / entry.name).write_text(changed[entry.relative_to(REPO).as_posix()], encoding="utf-8")
            else:
                link(entry, target / entry.name)

    link(REPO, root)
    return root


def test_every_published_document_is_what_its_sources_give():
    assert check.problems(DOCS) == []


def test_a_model_card_with_another_auc_and_policy_makes_the_documents_that_quote_it_stale(tmp_path, monkeypatch):
    card = json.loads((REPO / "docs/model-report/model_card.json").read_text())
    card["cv"]["pooled_auc"] = 0.7712
    card["protected_attributes"]["attributes"] = ["CODE_GENDER", "DAYS_BIRTH"]
    monkeypatch.setattr(config, "REPO_ROOT", _repo_copy(tmp_path, {
        "docs/model-report/model_card.json": json.dumps(card)}))
    names = {Path(line.split(":", 1)[0]).name for line in check.stale(DOCS, REPO / "tests")}
    assert {"conformite.md", "bilan-projet.md"} <= names, names


def test_a_model_tuned_by_hyperopt_changes_what_the_hand_written_documents_say(tmp_path, monkeypatch):
    card = json.loads((REPO / "docs/model-report/model_card.json").read_text())
    card["tuning"].update({"max_evals": 40, "used": "tuned", "gain": 0.004})
    monkeypatch.setattr(config, "REPO_ROOT", _repo_copy(tmp_path, {
        "docs/model-report/model_card.json": json.dumps(card)}))
    names = {Path(line.split(":", 1)[0]).name for line in check.stale(DOCS, REPO / "tests")}
    assert {"note-de-cadrage.md", "specification-fonctionnelle-technique.md"} <= names, names


def test_a_pipeline_deploying_elsewhere_makes_the_specification_stale(tmp_path, monkeypatch):
    pipeline = (REPO / "azure-pipelines.yml").read_text().replace(
        "displayName: Hugging Face Space (Docker)", "displayName: Azure App Service")
    procfile = "release: python -m database migrate\nweb: python -m webapp serve\n"
    monkeypatch.setattr(config, "REPO_ROOT", _repo_copy(tmp_path, {"azure-pipelines.yml": pipeline,
                                                                    "Procfile": procfile}))
    assert facts.host().target == "Azure App Service"
    names = {Path(line.split(":", 1)[0]).name for line in check.stale(DOCS, REPO / "tests")}
    assert {"specification-fonctionnelle-technique.md", "exploitation.md", "note-de-cadrage.md"} <= names, names


def test_a_use_case_section_missing_an_operation_or_a_tab_is_reported():
    spec = (DOCS / "specification-fonctionnelle-technique.md").read_text(encoding="utf-8")
    operations = [op.label for op in facts.operations()]
    assert check.use_case_gaps(spec, operations, facts.tabs()) == []
    assert check.use_case_gaps(spec, [*operations, "DELETE /api/v1/clients/{client_id}"], ["Exports"]) == [
        "specification-fonctionnelle-technique: no use case names the API operation DELETE /api/v1/clients/{client_id}",
        "specification-fonctionnelle-technique: no use case names the dashboard tab « Exports »"]


def test_a_goal_quoted_in_a_retrospective_must_be_a_target_of_objectifs_csv(tmp_path):
    for name in ("objectifs.csv", "sprints.csv"):
        shutil.copy(DOCS / name, tmp_path / name)
    assert check.quoted_goals(tmp_path) == []
    text = (tmp_path / "sprints.csv").read_text(encoding="utf-8").replace("objectif de 30 s", "objectif de 3 s")
    (tmp_path / "sprints.csv").write_text(text, encoding="utf-8")
    assert check.quoted_goals(tmp_path) == [
        "sprints.csv: Sprint 5, retrospective: 'objectif de 3 s' is no target of objectifs.csv"]


def test_the_compliance_text_reports_each_attribute_failing_the_four_fifths_rule():
    text = (DOCS / "conformite.md").read_text(encoding="utf-8").replace("\u00a0", " ").replace("\u202f", " ")
    model = facts.model()
    for attribute in model["protected"]:
        assert attribute in text.split("## Attributs protégés", 1)[1].split("##", 1)[0]
    for name in model["failing"]:
        assert f"{name} ne respecte pas la règle des quatre cinquièmes" in text
    assert "sexe" not in text.split("## Équité", 1)[1]


def test_the_documents_follow_french_typography():
    from pm.formats import PROTECTED

    for path in sorted(DOCS.glob("*.md")):
        prose = PROTECTED.sub("", path.read_text(encoding="utf-8"))
        bad = re.findall(r"\S {1,2}[:;!?](?=\s|$)|\d %|« | »|\b1 (?:janvier|février|mars|avril|mai|juin|juillet|août|"
                         r"septembre|octobre|novembre|décembre)\b|\b20\d\d-\d\d-\d\d\b", prose, flags=re.M)
        assert bad == [], f"{path.name}: {bad[:5]}"


def test_the_formatter_spaces_french_prose_and_leaves_code_and_links_alone():
    from pm.formats import day, typography

    assert typography("voir [plan](plan.csv) : oui ; « x » 5 % `a : b` ?") == (
        "voir [plan](plan.csv)\u00a0: oui\u202f; «\u00a0x\u00a0» 5\u00a0% `a : b`\u202f?")
    assert day("2026-12-01") == "1er\u00a0décembre\u00a02026" and day("2026-12-02") == "2\u00a0décembre\u00a02026"


def test_the_risk_managers_role_has_one_name_in_the_documents_and_data():
    for path in [*DOCS.glob("*.md"), *DOCS.glob("*.csv")]:
        text = path.read_text(encoding="utf-8").lower()
        assert not re.search(r"gestionnaires? d(?:e|es) risques?", text), path.name
