"""The backlog as a file Azure Boards imports (Boards > Queries > Import work items): new items only, so no
ID and the State every new item gets (New); parent-child links by indented 'Title 1'..'Title 4'; rich-text
fields as HTML paragraphs; identities left empty (the import accepts only known accounts), roles in Tags."""
from __future__ import annotations

import html
from pathlib import Path

import pandas as pd

from pm import backlog, config

COLUMNS = ("ID", "Work Item Type", *backlog.LEVELS, "State", "Description", "Acceptance Criteria", "Story Points",
           "Priority", "Iteration Path", "Area Path", "Assigned To", "Tags")
NEW_STATE = "New"  # the import creates every new work item in the New state of its type
FILE = "backlog-azure-boards.csv"


def paragraphs(text: str) -> str:
    """Plain text as the HTML of a rich-text field: one <p> per ' ; '-separated part, escaped."""
    parts = [p.strip() for p in text.split(" ; ") if p.strip()]
    return "".join(f"<p>{html.escape(p, quote=False)}</p>" for p in parts)


def rows(folder: Path | None = None) -> pd.DataFrame:
    """The import rows, in the order of backlog.csv (parents before their children)."""
    folder = folder or config.docs_dir()
    frame = pd.read_csv(folder / "backlog.csv", dtype=str, keep_default_na=False, encoding="utf-8")
    backlog.read(folder / "backlog.csv")  # the hierarchy, types and states are checked first
    out = frame.reindex(columns=list(COLUMNS), fill_value="")
    out["ID"] = ""
    out["State"] = NEW_STATE
    out["Assigned To"] = ""
    out["Description"] = frame["Description"].map(paragraphs)
    out["Acceptance Criteria"] = frame["Acceptance Criteria"].map(paragraphs)
    out["Tags"] = frame["Tags"].map(lambda t: ";".join(x.strip() for x in t.split(";") if x.strip()))
    return out


def write(folder: Path | None = None) -> Path:
    """Write backlog-azure-boards.csv beside backlog.csv and return its path."""
    folder = folder or config.docs_dir()
    path = folder / FILE
    rows(folder).to_csv(path, index=False, lineterminator="\n", encoding="utf-8")
    return path
