"""Steering documents: status reports with EVM, management plan, charter, risks, business case, closing report."""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import pandas as pd

from pm import backlog, business, config, deliverables, evm, facts, performance, render, status
from pm.data import hypotheses, numbers, read
from pm.formats import num


def _reading(value: float, below: str, within: str, above: str) -> str:
    """The sentence for an index under 0.95, between 0.95 and 1.05, or over 1.05."""
    return below if value < 0.95 else above if value > 1.05 else within


def effort(row: dict) -> str:
    """What TCPI = (BAC - EV) / (BAC - AC) asks of the remaining work, compared with the plan (1) and with CPI."""
    tcpi, cpi = row["TCPI"], row["CPI"]
    if pd.isna(tcpi):
        return ("Le budget est entièrement consommé (AC ≥ BAC) : le TCPI n'est pas défini, aucun rendement ne "
                "permet plus de finir dans le budget ; seule une révision du budget (nouvel EAC) le peut.")
    if tcpi == 0:
        return "Tout le travail prévu est livré (EV = BAC) : il ne reste rien à financer, TCPI = 0."
    text = num(tcpi, 2)
    if tcpi > 1:
        return (f"Pour finir dans le budget, chaque euro restant doit produire {text} € de valeur (TCPI > 1) : "
                f"le travail restant doit être fait plus efficacement que prévu" +
                (f", et même mieux que jusqu'ici (CPI {num(cpi, 2)})." if tcpi > cpi else
                 f", ce que le rendement constaté (CPI {num(cpi, 2)}) permet."))
    return (f"TCPI = {text} < 1 : le travail restant peut être fait avec un rendement moindre que prévu "
            f"({text} € de valeur par euro restant) et finir quand même dans le budget.")


def interpret(row: dict) -> list[str]:
    """French sentences reading the EVM indices of one row."""
    spi, cpi = (num(row[k], 2) for k in ("SPI", "CPI"))
    delay = _reading(row["SPI"], "le projet a acquis moins de valeur que prévu à cette date ; l'écart SV se lit en "
                     "euros de travail prévu et pas encore livré", "le projet suit son planning",
                     "le projet a livré plus de valeur que prévu à cette date")
    cost = _reading(row["CPI"], "chaque euro dépensé a produit moins d'un euro de valeur ; à ce rythme le coût final "
                    "estimé (EAC) dépasse le budget (VAC négatif)", "les coûts suivent le budget",
                    "le travail livré a coûté moins que budgété (VAC positif)")
    return [f"Délais : SPI = {spi} — {delay}.", f"Coûts : CPI = {cpi} — {cost}.", effort(row)]


def context(folder: Path | None = None) -> dict:
    """Every figure the steering templates use, read or computed from the data files."""
    folder = folder or config.docs_dir()
    items = backlog.read(folder / "backlog.csv")
    sprints = evm.sprints_with_points(folder)
    table = evm.compute(folder)
    bac = evm.budget_at_completion(folder)
    budget = read("budget.csv", folder)
    budget["cout"] = numbers(budget, "taux_journalier_eur", "budget.csv") * numbers(budget, "jours_prevus", "budget.csv")
    stories = backlog.stories(items)
    sprints["jours"] = (pd.to_datetime(sprints["fin"]).dt.normalize()
                        - pd.to_datetime(sprints["debut"]).dt.normalize()).dt.days + 1
    return {
        "items": items, "epics": [i for i in items if i.kind == "Epic"], "open_epics": backlog.open_epics(items),
        "children": lambda index: [i for i in items if i.parent == index],
        "kinds": Counter(i.kind for i in items), "stories": stories,
        "points_total": sum(s.points for s in stories),
        "points_done": sum(s.points for s in stories if s.state in backlog.DONE_STATES),
        "sprints": sprints.to_dict("records"), "evm": table.to_dict("records"), "bac": bac,
        "budget": budget.to_dict("records"), "risks": read("risques.csv", folder).to_dict("records"),
        "anomalies": read("anomalies.csv", folder).to_dict("records"),
        "stakeholders": read("parties-prenantes.csv", folder).to_dict("records"),
        "start": sprints["debut"].min()[:10], "end": sprints["fin"].max()[:10], "status": config.STATUS_DATE.isoformat(),
        "interpret": interpret,
        "ref": performance.reference_card(), "goals": performance.goals(folder),
        "committees": status.committees(folder), **product(items),
    }


STATE_WORDS = {"Closed": "livré", "Resolved": "livré", "Active": "en cours", "New": "à venir", "Removed": "abandonné"}


def product(items: list[backlog.Item]) -> dict:
    """Facts about the product the documents quote: the reference model, the host, the tabs, the API."""
    tickets = {tag: STATE_WORDS[e.state] for e in items if e.kind == "Epic" for tag in e.tags}

    def ticket(tag: str) -> str:
        if tag not in tickets:
            raise ValueError(f"backlog.csv: no epic is tagged {tag}; the documents cite it")
        return tickets[tag]

    return {"m": facts.model(), "host": facts.host(), "deployments": facts.deployments(),
            "procfile": facts.procfile(), "tabs": facts.tabs(), "tab": facts.tab, "operations": facts.operations(), "ticket": ticket}


def business_context(folder: Path, ctx: dict) -> dict:
    """Business-case figures from business-case.csv (written by `python -m pm business`)."""
    table = pd.read_csv(folder / "business-case.csv")
    eac = ctx["evm"][-1]["EAC"]
    return {"policies": table.to_dict("records"), "model": table.loc[0].to_dict(),
            "invest": business.investment(table, ctx["bac"], eac, folder), "h": hypotheses(folder),
            "scenarios": business.scenarios(table, ctx["bac"], eac, folder)}


# Documents written by hand as templates: their prose is the authors', their figures and facts the product's.
HAND_WRITTEN = ("specification-fonctionnelle-technique", "exploitation", "conformite", "note-de-cadrage", "planning",
                "raci", "plan-de-test", "script-demo")


def write_all(folder: Path | None = None) -> list[Path]:
    """Every steering document; the status reports, one per month."""
    folder = folder or config.docs_dir()
    ctx = context(folder)
    money = business_context(folder, ctx)
    docs = [("plan-de-management.md.j2", "plan-de-management.md"), ("charte-projet.md.j2", "charte-projet.md"),
            ("registre-des-risques.md.j2", "registre-des-risques.md"),
            ("parties-prenantes.md.j2", "parties-prenantes.md"), ("etude-opportunite.md.j2", "etude-opportunite.md"),
            ("bilan-projet.md.j2", "bilan-projet.md"), *((f"{name}.md.j2", f"{name}.md") for name in HAND_WRITTEN)]
    paths = [render.write(t, folder / out, "python -m pm docs", **ctx, **money) for t, out in docs]
    paths += status.write(ctx, folder)
    missing = deliverables.tick(folder)
    readme = render.write("README.md.j2", folder / "README.md", "python -m pm docs", **ctx, **money,
                          deliverables=deliverables.index(folder), missing=missing)
    return [*paths, readme]
