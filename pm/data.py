"""Read the data files kept beside the documents, each checked for the columns it must have."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from pm import config

COLUMNS = {
    "exigences.csv": ("id", "enonce", "source", "priorite"),
    "sprints.csv": ("sprint", "debut", "fin", "objectif", "points_prevus", "points_engages",
                    "points_termines", "revue", "retrospective"),
    "budget.csv": ("role", "taux_journalier_eur", "jours_prevus"),
    "temps.csv": ("date", "sprint", "role", "jours"),
    "hypotheses.csv": ("cle", "valeur", "unite", "justification"),
    "anomalies.csv": ("id", "sprint", "ticket", "gravite", "objectif", "constat", "action_corrective", "statut"),
    "comites.csv": ("date", "periode", "participants", "decision", "responsable"),
    "risques-historique.csv": ("id", "date", "statut"),
    "plan-de-reference.csv": ("sprint", "gele_le", "points_prevus", "retroactif"),
    "objectifs.csv": ("cle", "indicateur", "cible", "seuil", "sens", "rang", "source"),
    "parties-prenantes.csv": ("partie_prenante", "role_projet", "attentes", "influence", "interet",
                              "strategie", "canal", "frequence"),
}


class DataFileError(ValueError):
    """A data file is missing, or lacks a column, or holds a bad value."""


def read(name: str, folder: Path | None = None) -> pd.DataFrame:
    """One data file as a DataFrame; a clear error names the file and the missing column."""
    path = (folder or config.docs_dir()) / name
    if not path.exists():
        raise DataFileError(f"{path}: file not found; it is one of the data files of docs/gestion-projet/")
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except pd.errors.ParserError as error:
        raise DataFileError(f"{path}: not a valid CSV ({error}); quote cells holding commas") from None
    missing = [c for c in COLUMNS.get(name, ()) if c not in frame.columns]
    if missing:
        raise DataFileError(f"{path}: column {missing[0]!r} is missing; expected {', '.join(COLUMNS[name])}")
    return frame


def numbers(frame: pd.DataFrame, column: str, name: str) -> pd.Series:
    """A column as floats; the first bad cell is named with its row."""
    values = pd.to_numeric(frame[column].replace("", "0"), errors="coerce")
    bad = values.isna()
    if bad.any():
        row = int(bad.idxmax()) + 2
        raise DataFileError(f"{name}: row {row}, column {column!r}: {frame[column][bad.idxmax()]!r} is not a number")
    return values


def hypotheses(folder: Path | None = None) -> dict[str, float]:
    """The business-case assumptions as a dict key -> number."""
    frame = read("hypotheses.csv", folder)
    return dict(zip(frame["cle"], numbers(frame, "valeur", "hypotheses.csv"), strict=True))
