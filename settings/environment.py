"""Where the repository is, and its optional, git-ignored ``.env`` read with python-dotenv (the one reader)."""

from __future__ import annotations

import os
from pathlib import Path

from dotenv.parser import parse_stream

REPO_ROOT = Path(__file__).resolve().parent.parent
#: Local settings of a workstation (``.env.example`` lists them); variables already set win over it.
ENV_FILE = REPO_ROOT / ".env"


def read_env_file(path: str | Path) -> dict[str, str]:
    """The ``KEY=value`` lines of a ``.env`` file (comments, blank lines and ``export`` ignored; quotes removed).

    A line that is not a setting is a ValueError naming the file and the line, never a setting silently lost.
    """
    values: dict[str, str] = {}
    with open(path, encoding="utf-8") as stream:
        for binding in parse_stream(stream):
            if binding.error or (binding.key is not None and binding.value is None):
                raise ValueError(f"{path}, line {binding.original.line}: expected KEY=value")
            if binding.key is not None:
                values[binding.key] = binding.value
    return values


def load_env_file(path: str | Path | None = None) -> list[str]:
    """Put the settings of ``path`` (default ``ENV_FILE``) into ``os.environ`` unless already set; the names set
    (none if there is no such file)."""
    path = Path(path or ENV_FILE)
    if not path.is_file():
        return []
    values = read_env_file(path)
    added = [key for key in values if key not in os.environ]
    for key in added:
        os.environ[key] = values[key]
    return added
