"""Steering documents: status reports with EVM, management plan, charter, risks, business case, closing report."""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import pandas as pd
from babel.dates import format_date

from pm import backlog, business, config, evm, performance, render
from pm.data import hypotheses, numbers, read
from pm.formats import LOCALE, num


def _reading(value: float, below: str, within: str, above: str) -> str:
    """The sentence for an index under 0.95, between 0.95 and 1.05, or over 1.05."""
    return below if value < 0.95 else above if value > 1.05 else within


def interpret(row: dict) -> list[str]:
    """French sentences reading the EVM indices of one row."""
    spi, cpi, tcpi = (num(row[k], 2) for k in ("SPI", "CPI", "TCPI"))
    delay = _reading(row["SPI"], "le projet a acquis moins de valeur que prévu à cette date ; l'écart SV se lit en "
                     "euros de travail prévu et pas encore livré", "le projet suit son planning",
                     "le projet livre plus vite que prévu")
    cost = _reading(row["CPI"], "chaque euro dépensé a produit moins d'un euro de valeur ; à ce rythme le coût final "
                    "estimé (EAC) dépasse le budget (VAC négatif)", "les coûts suivent le budget",
                    "le travail livré a coûté moins que budgété (VAC positif)")
    effort = "plus efficace que jusqu'ici" if row["TCPI"] > 1 else "au moins aussi efficace que jusqu'ici"
    return [f"Délais : SPI = {spi} — {delay}.", f"Coûts : CPI = {cpi} — {cost}.",
            f"Pour finir dans le budget, le travail restant doit être {effort} (TCPI = {tcpi})."]


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
    sprints["jours"] = (pd.to_datetime(sprints["fin"]) - pd.to_datetime(sprints["debut"])).dt.days + 1
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
        "start": sprints["debut"].min(), "end": sprints["fin"].max(), "status": config.STATUS_DATE.isoformat(),
        "interpret": interpret,
        "ref": performance.reference_card(), "goals": performance.goals(folder),
    }


def write_status_reports(folder: Path | None = None) -> list[Path]:
    """One status report per month of the project, each at the last EVM row of that month."""
    folder = folder or config.docs_dir()
    ctx = context(folder)
    table = pd.DataFrame(ctx["evm"])
    table["mois"] = pd.to_datetime(table["fin"]).dt.to_period("M")
    paths = []
    for month, rows in table.groupby("mois", sort=True):
        row = rows.iloc[-1].to_dict()
        sprints = [s for s in ctx["sprints"] if pd.Timestamp(s["fin"]).to_period("M") == month]
        out = folder / f"rapport-avancement-{month.year}-{month.month:02d}.md"
        paths.append(render.write("rapport-avancement.md.j2", out, "python -m pm docs", row=row,
                                  month=format_date(month.start_time.date(), "MMMM y", locale=LOCALE),
                                  month_sprints=sprints,
                                  month_anomalies=[a for a in ctx["anomalies"]
                                                   if a["sprint"] in {s["sprint"] for s in sprints}], **ctx))
    return paths


def business_context(folder: Path, ctx: dict) -> dict:
    """Business-case figures from business-case.csv (written by `python -m pm business`)."""
    table = pd.read_csv(folder / "business-case.csv")
    eac = ctx["evm"][-1]["EAC"]
    return {"policies": table.to_dict("records"), "model": table.loc[0].to_dict(),
            "invest": business.investment(table, ctx["bac"], eac, folder), "h": hypotheses(folder)}


def write_all(folder: Path | None = None) -> list[Path]:
    """Every steering document; the status reports, one per month."""
    folder = folder or config.docs_dir()
    ctx = context(folder)
    money = business_context(folder, ctx)
    docs = [("plan-de-management.md.j2", "plan-de-management.md"), ("charte-projet.md.j2", "charte-projet.md"),
            ("registre-des-risques.md.j2", "registre-des-risques.md"),
            ("parties-prenantes.md.j2", "parties-prenantes.md"), ("etude-opportunite.md.j2", "etude-opportunite.md"),
            ("bilan-projet.md.j2", "bilan-projet.md")]
    paths = [render.write(t, folder / out, "python -m pm docs", **ctx, **money) for t, out in docs]
    return paths + write_status_reports(folder)
