"""The deliverables the brief asks for, each with its expected contents, ticked in the document itself when the
section that holds them is there (a missing section shows an unticked box, and `python -m pm check` fails)."""
from __future__ import annotations

from pathlib import Path

from pm import config

HEADING = "## Contenu attendu"

# (document, deliverable, [(expected content, text the document holds when it is there)])
LIST: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...] = (
    ("etude-opportunite.md", "Étude d'opportunité (business case)", (
        ("problème et solution", "## 1. Le problème"), ("chiffres tirés des prédictions hors pli", "prédictions hors pli"),
        ("coûts du projet", "## 3. Coûts du projet"), ("VAN, ROI, délai de retour", "**VAN**"),
        ("modèle de revenus", "### Modèle de revenus"), ("scénarios", "### Scénarios"),
        ("risques de la valeur", "## 5. Risques"))),
    ("charte-projet.md", "Charte de projet", (
        ("objectifs mesurables avec leur mesure", "## Objectifs mesurables"), ("périmètre", "| Périmètre |"),
        ("budget et réserve", "réserve pour aléas"), ("mandat du chef de projet", "| Mandat |"),
        ("bloc d'approbation", "## Approbation"))),
    ("parties-prenantes.md", "Registre et cartographie des parties prenantes", (
        ("registre", "## Registre"), ("cartographie influence / intérêt", "cartographie-parties-prenantes.png"),
        ("plan de communication", "## Plan d'engagement et de communication"))),
    ("matrice-des-exigences.md", "Matrice des exigences (traçabilité)", (
        ("besoin (source)", "besoin (source)"), ("user story et sprint", "user stories (sprint)"),
        ("section de la spécification", "cas d'utilisation"), ("tests et dernier résultat", "résultat des tests"),
        ("scénario de recette", "| recette |"))),
    ("specification-fonctionnelle-technique.md", "Spécification fonctionnelle et technique", (
        ("acteurs", "## 1. Acteurs"), ("cas d'utilisation", "## 2. Cas d'utilisation"),
        ("architecture", "## 3. Architecture logicielle"), ("modèle de données", "## 4. Modèle de données"),
        ("infrastructure et réseau", "## 5. Infrastructure"), ("exigences non fonctionnelles", "## 6. Exigences"))),
    ("plan-de-management.md", "Plan de management de projet", (
        ("périmètre et WBS", "## 1. Périmètre"), ("calendrier", "## 2. Calendrier"), ("jalons", "### Jalons"),
        ("budget", "## 3. Budget"), ("réserve pour aléas", "Réserve pour aléas"), ("risques", "## 4. Risques"),
        ("communication", "## 5. Communication"), ("qualité", "## 6. Qualité"))),
    ("plan-de-test.md", "Plan de test détaillé", (
        ("stratégie", "## 2. Stratégie"), ("niveaux de test", "## 3. Niveaux de test"),
        ("critères d'entrée et de sortie", "## 5. Critères"), ("gravité des anomalies utilisée", "| gravité |"),
        ("calendrier", "## 6 bis. Calendrier des tests"))),
    ("cahier-de-recette.md", "Cahier de recette", (
        ("scénarios reliés aux exigences", "| exigences |"), ("résultat de chaque scénario", "| résultat |"),
        ("couverture des exigences", "couvertes par au moins un scénario"),
        ("procès-verbal à signer", "## Procès-verbal de recette"))),
    ("rapport-de-tests.md", "Reporting des tests", (
        ("synthèse de la dernière exécution", "## Synthèse"), ("par niveau", "## Par niveau de test"),
        ("échecs", "## Échecs"), ("anomalies et actions", "## Anomalies"))),
    ("rapport-avancement-2026-12.md", "Reporting régulier avec valeur acquise", (
        ("avancement", "## Avancement"), ("EVM et sa lecture", "TCPI = (BAC − EV) / (BAC − AC)"),
        ("budget par rôle", "## Budget par rôle"), ("risques ouverts à la date", "## Risques ouverts à cette date"),
        ("points bloquants", "## Points bloquants"), ("prochains jalons", "## Prochains jalons"),
        ("décisions du comité", "## Décisions du comité"))),
    ("bilan-projet.md", "Bilan du projet", (
        ("objectifs atteints et manqués", "## Objectifs chiffrés"), ("réussites", "## Réussites"),
        ("échecs et écarts", "## Échecs et écarts"), ("leçons de conduite de projet", "Sur la conduite du projet"))),
    ("exploitation.md", "Documentation d'exploitation et de maintenance", (
        ("installation et configuration", "## 2. Configurer"), ("exploitation courante", "## 5. Exploitation courante"),
        ("sauvegardes", "## 7. Sauvegardes"), ("incidents", "## 9. Incidents"), ("supervision", "## 10. Supervision"),
        ("maintenance", "## 11. Maintenance"))),
)


def checklist(text: str, items: tuple[tuple[str, str], ...]) -> list[tuple[str, bool]]:
    """Each expected content with whether the document's text holds its marker."""
    body = text.split(HEADING, 1)[0].replace("\u00a0", " ").replace("\u202f", " ")
    return [(label, marker.replace("\u00a0", " ") in body) for label, marker in items]


def tick(folder: Path | None = None) -> list[str]:
    """Write the ticked list at the end of each deliverable; return the contents still missing."""
    folder = folder or config.docs_dir()
    missing = []
    for name, _, items in LIST:
        path = folder / name
        text = path.read_text(encoding="utf-8").split("\n" + HEADING, 1)[0].rstrip("\n")
        ticks = checklist(text, items)
        lines = [f"- [{'x' if ok else ' '}] {label}" for label, ok in ticks]
        path.write_text(f"{text}\n\n{HEADING}\u00a0: ce que le cahier des charges demande ici\n\n"
                        + "\n".join(lines) + "\n", encoding="utf-8")
        missing += [f"{name}: expected content '{label}' is missing" for label, ok in ticks if not ok]
    return missing


def index(folder: Path | None = None) -> list[dict]:
    """The deliverables for the README: name, document and its ticked contents."""
    folder = folder or config.docs_dir()
    out = []
    for name, title, items in LIST:
        path = folder / name
        ticks = checklist(path.read_text(encoding="utf-8"), items) if path.exists() else [(i, False) for i, _ in items]
        out.append({"document": name, "livrable": title, "contenus": ticks})
    return out
