"""The traceability matrix and the test report, from the markers and the last JUnit XML."""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import pandas as pd

from pm import config, junit, render, rtm, traceability
from pm.data import read

OUTCOMES = ("passed", "failed", "error", "skipped")
WORDS = {"passed": "réussi", "failed": "échoué", "error": "en erreur", "skipped": "ignoré"}


def _verdict(outcomes: list[str]) -> str:
    if not outcomes:
        return "non exécuté"
    counts = Counter(outcomes)
    if counts["failed"] or counts["error"]:
        return "**échec**"
    return "réussi" if counts["passed"] else "ignoré"


def matrix_rows(reqs: dict, marked: list[traceability.Marked], run: junit.Run,
                folder: Path | None = None) -> list[dict]:
    """One row per requirement: its stories, use cases, tests grouped by module with their last outcome, and
    the acceptance scenarios that check it."""
    chain = rtm.chain(folder)
    rows = []
    for rid, tests in traceability.by_requirement(reqs, marked).items():
        outcomes = [o for m in tests for o in run.outcome_of(m.module, m.test)]
        modules = Counter(m.module for m in tests)
        rows.append({**reqs[rid], **chain.get(rid, {"stories": [], "use_cases": [], "scenarios": []}),
                     "modules": sorted(modules.items()), "tests": len(tests),
                     "cases": len(outcomes), "counts": Counter(outcomes), "verdict": _verdict(outcomes)})
    return rows


def write_matrix(folder: Path | None = None, tests: Path | None = None, xml: Path | None = None) -> Path:
    """docs/gestion-projet/matrice-des-exigences.md."""
    folder = folder or config.docs_dir()
    reqs = traceability.requirements(folder)
    marked = traceability.scan(tests)
    run = junit.read(xml or folder / "junit.xml")
    rows = matrix_rows(reqs, marked, run, folder)
    return render.write("matrice-des-exigences.md.j2", folder / "matrice-des-exigences.md", "python -m pm trace",
                        rows=rows, run=run, problems=traceability.problems(reqs, marked),
                        untagged=[m for m in marked if not m.ids], marked=marked)


def by_folder(run: junit.Run) -> pd.DataFrame:
    """Counts and durations per test folder (tests/api, tests/database, ...)."""
    frame = pd.DataFrame([(c.module.rsplit("/", 1)[0], c.outcome, c.seconds) for c in run.cases],
                         columns=["dossier", "resultat", "secondes"])
    table = frame.pivot_table(index="dossier", columns="resultat", values="secondes", aggfunc="count", fill_value=0)
    for outcome in OUTCOMES:
        if outcome not in table:
            table[outcome] = 0
    table["total"] = table[list(OUTCOMES)].sum(axis=1)
    table["secondes"] = frame.groupby("dossier")["secondes"].sum()
    return table.reset_index()


def write_test_report(folder: Path | None = None, xml: Path | None = None, tests: Path | None = None) -> Path:
    """docs/gestion-projet/rapport-de-tests.md from the last run and the anomalies of the project."""
    folder = folder or config.docs_dir()
    run = junit.read(xml or folder / "junit.xml")
    counts = Counter(c.outcome for c in run.cases)
    reqs = traceability.requirements(folder)
    rows = matrix_rows(reqs, traceability.scan(tests), run, folder)
    write_acceptance(folder, rows, run)
    return render.write(
        "rapport-de-tests.md.j2", folder / "rapport-de-tests.md", "python -m pm tests",
        run=run, counts=counts, total=len(run.cases), folders=by_folder(run).to_dict("records"),
        slowest=sorted(run.cases, key=lambda c: -c.seconds)[:10],
        failures=[c for c in run.cases if c.outcome in ("failed", "error")],
        skipped=[c for c in run.cases if c.outcome == "skipped"],
        anomalies=read("anomalies.csv", folder).to_dict("records"),
        requirements=len(rows), covered=sum(r["verdict"] == "réussi" for r in rows),
        failing=[r for r in rows if r["verdict"] != "réussi"])


def write_acceptance(folder: Path, rows: list[dict], run: junit.Run) -> Path:
    """cahier-de-recette.md: each scenario of recette.csv with the result of the automated acceptance run of its
    requirements (the tests of the JUnit file), the requirements no scenario covers, and the sign-off block."""
    verdicts = {r["id"]: r for r in rows}
    scenarios = []
    for s in rtm.scenarios(folder):
        checked = [verdicts[i] for i in s["ids"] if i in verdicts]
        outcomes = [v["verdict"] for v in checked]
        result = ("non exécuté" if not checked else "**non conforme**" if any(o not in ("réussi",) for o in outcomes)
                  else "conforme")
        scenarios.append({**s, "resultat": result, "cas": sum(v["cases"] for v in checked)})
    covered = {i for s in scenarios for i in s["ids"]}
    return render.write("cahier-de-recette.md.j2", folder / "cahier-de-recette.md", "python -m pm tests",
                        scenarios=scenarios, run=run, requirements=len(rows),
                        uncovered=[r for r in rows if r["id"] not in covered])
