"""Earned value per sprint from the backlog, the sprints, the budget and the time sheet.

PV: budget at completion (BAC) x share of the release's planned points due by the sprint's end
(pro rata of the days elapsed for the sprint under way); EV: BAC x share of points done;
AC: days spent x day rate. Indices follow the PMI definitions.
"""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from pm import backlog, config  # noqa: E402
from pm.data import DataFileError, numbers, read  # noqa: E402
from pm.formats import num  # noqa: E402

COLUMNS = ("sprint", "fin", "avancement_temps", "PV", "EV", "AC", "SV", "CV", "SPI", "CPI",
           "EAC", "ETC", "VAC", "TCPI")


def budget_at_completion(folder: Path | None = None) -> float:
    """BAC: planned days x day rate over every role."""
    frame = read("budget.csv", folder)
    return float((numbers(frame, "taux_journalier_eur", "budget.csv")
                  * numbers(frame, "jours_prevus", "budget.csv")).sum())


def actual_cost(folder: Path | None = None, status: pd.Timestamp | None = None) -> pd.Series:
    """Cost spent per sprint up to the status date: days of the time sheet x the role's day rate."""
    rates = read("budget.csv", folder)
    rate = dict(zip(rates["role"], numbers(rates, "taux_journalier_eur", "budget.csv"), strict=True))
    sheet = read("temps.csv", folder)
    if status is not None:
        sheet = sheet[pd.to_datetime(sheet["date"]) < status]  # a day's time counts from the day's start
    unknown = sorted(set(sheet["role"]) - set(rate))
    if unknown:
        raise DataFileError(f"temps.csv: role {unknown[0]!r} has no day rate in budget.csv")
    cost = numbers(sheet, "jours", "temps.csv") * sheet["role"].map(rate)
    return cost.groupby(sheet["sprint"]).sum()


def sprints_with_points(folder: Path | None = None) -> pd.DataFrame:
    """sprints.csv with committed and done points recomputed from the backlog."""
    folder = folder or config.docs_dir()
    sprints = read("sprints.csv", folder)
    points = backlog.points_by_sprint(backlog.read(folder / "backlog.csv"))
    unknown = sorted(set(points.index) - set(sprints["sprint"]) - {""})
    if unknown:
        raise DataFileError(f"backlog.csv: iteration {unknown[0]!r} is not a sprint of sprints.csv")
    sprints["points_engages"] = sprints["sprint"].map(points["engages"]).fillna(0).astype(int).astype(str)
    sprints["points_termines"] = sprints["sprint"].map(points["termines"]).fillna(0).astype(int).astype(str)
    return sprints


def moment_of(status: date | datetime) -> pd.Timestamp:
    """The instant a status stands for: a date means the end of that day."""
    if isinstance(status, datetime):
        return pd.Timestamp(status)
    return pd.Timestamp(status) + pd.Timedelta(days=1)


def compute(folder: Path | None = None, status: date | datetime = config.STATUS_DATE) -> pd.DataFrame:
    """One row per sprint started by the status (a date: the end of that day), with the columns of COLUMNS.

    A sprint's dates are the times of its first and last commits; PV of the sprint under way counts the share
    of its duration elapsed; EV counts a sprint's stories once the sprint has ended (been reviewed)."""
    sprints = sprints_with_points(folder)
    bac = budget_at_completion(folder)
    planned = numbers(sprints, "points_prevus", "sprints.csv")
    total = float(planned.sum())
    done = numbers(sprints, "points_termines", "sprints.csv")
    start, end = pd.to_datetime(sprints["debut"]), pd.to_datetime(sprints["fin"])
    moment = moment_of(status)
    spent = actual_cost(folder, moment)
    rows, pv_before, ev, ac = [], 0.0, 0.0, 0.0
    for i in range(len(sprints)):
        if start[i] >= moment:
            break
        elapsed = min(1.0, (moment - start[i]) / (end[i] - start[i]))
        pv = pv_before + bac * planned[i] / total * elapsed
        pv_before += bac * planned[i] / total
        ev += bac * done[i] / total if end[i] < moment else 0.0  # a story counts once its sprint is reviewed
        ac += float(spent.get(sprints["sprint"][i], 0.0))
        rows.append({"sprint": sprints["sprint"][i], "fin": min(end[i], moment).isoformat(timespec="minutes"),
                     "avancement_temps": elapsed, "PV": pv, "EV": ev, "AC": ac})
    frame = pd.DataFrame(rows)
    return indices(frame, bac)[list(COLUMNS)]


def indices(frame: pd.DataFrame, bac: float) -> pd.DataFrame:
    """SV, CV, SPI, CPI, EAC, ETC, VAC and TCPI from PV, EV, AC and BAC."""
    out = frame.copy()
    out["SV"] = out["EV"] - out["PV"]
    out["CV"] = out["EV"] - out["AC"]
    out["SPI"] = out["EV"] / out["PV"]
    out["CPI"] = out["EV"] / out["AC"]
    out["EAC"] = bac / out["CPI"]
    out["ETC"] = out["EAC"] - out["AC"]
    out["VAC"] = bac - out["EAC"]
    left = bac - out["AC"]
    # Undefined (NaN) once the budget is spent: no efficiency finishes the work within it.
    out["TCPI"] = ((bac - out["EV"]) / left).where(left > 0)
    return out


def write(folder: Path | None = None, img: Path | None = None) -> pd.DataFrame:
    """Write evm.csv, the sprints' points, the S-curve and the burndown; return the EVM table."""
    folder = folder or config.docs_dir()
    img = img or folder / "img"
    img.mkdir(parents=True, exist_ok=True)
    sprints = sprints_with_points(folder)
    sprints.to_csv(folder / "sprints.csv", index=False, lineterminator="\n")
    table = compute(folder)
    table.round(4).to_csv(folder / "evm.csv", index=False, lineterminator="\n")
    s_curve(table, budget_at_completion(folder), img / "evm-courbe-en-s.png")
    burndown(sprints, img / "burndown.png")
    return table


def s_curve(table: pd.DataFrame, bac: float, path: Path) -> None:
    """Cumulated PV, EV and AC per sprint, with the BAC line."""
    with plt.rc_context({"font.size": 13}):
        fig, ax = plt.subplots(figsize=(7, 4), dpi=110)
        for column, style in (("PV", "o--"), ("EV", "s-"), ("AC", "^-")):
            ax.plot(table["sprint"], table[column] / 1000, style, label=column)
        ax.axhline(bac / 1000, color="grey", lw=0.8)
        ax.text(0, bac / 1000, " BAC", va="bottom", color="grey")
        ax.set_ylabel("k€ cumulés")
        for column in ("PV", "EV", "AC"):
            ax.annotate(f"{column} {num(table[column].iloc[-1] / 1000, 1)} k€", (len(table) - 1, table[column].iloc[-1] / 1000),
                        textcoords="offset points", xytext=(-8, 6 if column != "PV" else -16), ha="right", fontsize=11)
        ax.set_title("Valeur acquise : PV, EV, AC par sprint")
        ax.legend()
        fig.tight_layout()
        fig.savefig(path)
        plt.close(fig)


def burndown(sprints: pd.DataFrame, path: Path) -> None:
    """Story points left in the release after each sprint: planned against done."""
    planned = numbers(sprints, "points_prevus", "sprints.csv")
    done = numbers(sprints, "points_termines", "sprints.csv")
    total = planned.sum()
    labels = ["Début", *sprints["sprint"]]
    fig, ax = plt.subplots(figsize=(7, 4), dpi=110)
    ax.plot(labels, [total, *(total - planned.cumsum())], "o--", label="reste prévu")
    ax.plot(labels, [total, *(total - done.cumsum())], "s-", label="reste réel (stories closes)")
    ax.set_ylabel("points restants")
    ax.set_title("Burndown de la release")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
