"""Status reports for the steering committee, each written as of its committee's date (comites.csv): the EVM,
the risks, the time spent and the sprints known at that moment, so that regenerating a past report gives it back."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pandas as pd

from pm import config, evm, render
from pm.data import DataFileError, numbers, read

OPEN_RISKS = ("ouvert", "en cours")


def committees(folder: Path | None = None) -> list[dict]:
    """One entry per committee: its date, the month it reports on, who sat and the decisions taken."""
    frame = read("comites.csv", folder)
    out = []
    for when, rows in frame.groupby("date", sort=True):
        out.append({"date": when, "periode": rows["periode"].iloc[0], "participants": rows["participants"].iloc[0],
                    "decisions": rows[["decision", "responsable"]].to_dict("records")})
    return out


def risks_at(moment: pd.Timestamp, folder: Path | None = None) -> list[dict]:
    """The risks registered by `moment`, each with the status it had then (risques-historique.csv)."""
    history = read("risques-historique.csv", folder)
    history = history[pd.to_datetime(history["date"]) <= moment].sort_values("date", kind="stable")
    status = dict(zip(history["id"], history["statut"], strict=True))
    return [{**r, "statut": status[r["id"]]} for r in read("risques.csv", folder).to_dict("records")
            if r["id"] in status]


def budget_by_role(moment: pd.Timestamp, folder: Path | None = None) -> list[dict]:
    """Days and cost planned per role (budget.csv) against those logged by `moment` (temps.csv)."""
    budget = read("budget.csv", folder)
    sheet = read("temps.csv", folder)
    sheet = sheet[pd.to_datetime(sheet["date"]) < moment]
    spent = numbers(sheet, "jours", "temps.csv").groupby(sheet["role"]).sum()
    rate = numbers(budget, "taux_journalier_eur", "budget.csv")
    planned = numbers(budget, "jours_prevus", "budget.csv")
    rows = []
    for role, r, p in zip(budget["role"], rate, planned, strict=True):
        days = float(spent.get(role, 0.0))
        rows.append({"role": role, "jours_prevus": p, "jours_consommes": days, "cout_prevu": r * p,
                     "cout_consomme": r * days, "part": days / p if p else float("nan")})
    return rows


def sprints_at(moment: pd.Timestamp, sprints: list[dict]) -> tuple[list[dict], list[dict]]:
    """(sprints ended by `moment`, sprints under way or to come) with their review known only once ended."""
    ended, ahead = [], []
    for s in sprints:
        (ended if pd.Timestamp(s["fin"]) <= moment else ahead).append(s)
    return ended, ahead


def report_values(committee: dict, ctx: dict, folder: Path) -> dict:
    """Every figure of one status report, as known on its committee's date."""
    moment = pd.Timestamp(datetime.fromisoformat(committee["date"]))
    table = evm.compute(folder, moment.to_pydatetime())
    if table.empty:
        raise DataFileError(f"comites.csv: committee of {committee['date']} sits before the first sprint")
    ended, ahead = sprints_at(moment, ctx["sprints"])
    month = [s for s in ended if s["fin"][:7] == committee["periode"] or s["debut"][:7] == committee["periode"]]
    risks = risks_at(moment, folder)
    ended_names = {s["sprint"] for s in ended}
    anomalies = [a for a in ctx["anomalies"] if a["sprint"] in {s["sprint"] for s in month}]
    return {
        "committee": committee, "moment": committee["date"], "row": table.iloc[-1].to_dict(),
        "evm_at": table.to_dict("records"), "month_sprints": month, "ahead": ahead,
        "risks_at": risks, "open_risks": [r for r in risks if r["statut"] in OPEN_RISKS],
        "blockers": [r for r in risks if r["statut"] == "ouvert" and int(r["impact"]) >= 3]
        + [a for a in ctx["anomalies"] if a["sprint"] in ended_names and a["gravite"] == "bloquante"
           and a["statut"] != "corrigé"],
        "gaps": [a for a in ctx["anomalies"] if a["sprint"] in ended_names and a["statut"] != "corrigé"],
        "month_anomalies": anomalies, "roles": budget_by_role(moment, folder),
        "points_done_at": sum(int(s["points_termines"]) for s in ended),
    }


def write(ctx: dict, folder: Path | None = None) -> list[Path]:
    """One status report per committee, named after the month it reports on."""
    folder = folder or config.docs_dir()
    paths = []
    for committee in committees(folder):
        out = folder / f"rapport-avancement-{committee['periode']}.md"
        values = {**ctx, **report_values(committee, ctx, folder)}
        paths.append(render.write("rapport-avancement.md.j2", out, "python -m pm docs", **values))
    return paths
