"""Where the project-management data files, documents and pictures live (env PM_DOCS_DIR)."""
from __future__ import annotations

import os
from datetime import date
from pathlib import Path

from settings import REPO_ROOT

TEMPLATES = Path(__file__).resolve().parent / "templates"

# The day the status reports are written for; the project started with its first commit.
STATUS_DATE = date(2026, 12, 2)


def docs_dir() -> Path:
    """Folder of the French project-management documents and their data files."""
    return Path(os.environ.get("PM_DOCS_DIR") or REPO_ROOT / "docs" / "gestion-projet")


def tests_dir() -> Path:
    """The test suite whose modules carry requirement markers."""
    return REPO_ROOT / "tests"
