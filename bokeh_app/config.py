"""Settings of the dashboard, read from the environment with safe local defaults."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class DashboardConfig:
    """Where the model and the data are, and how much each plot may draw."""

    database_url: str
    model_path: Path | None = None  # a model folder; None = MODEL_DIR/latest
    neighbours: int = 200  # size of the "similar clients" group
    table_rows: int = 500  # rows sent to the client table (the count shows the rest)
    auth: bool = True  # sign-in required; off only with `python -m bokeh_app serve --no-auth` (local development)


def load_config() -> DashboardConfig:
    """Settings from DATABASE_URL, MODEL_PATH, DASHBOARD_NEIGHBOURS, DASHBOARD_TABLE_ROWS, DASHBOARD_AUTH."""
    from database.config import REPO_ROOT, database_url
    from database.security import load_env_file

    load_env_file(REPO_ROOT / ".env")  # optional, git-ignored; variables already set win
    model_path = os.environ.get("MODEL_PATH")
    return DashboardConfig(
        database_url=database_url(),
        model_path=Path(model_path) if model_path else None,
        neighbours=_int("DASHBOARD_NEIGHBOURS", 200),
        table_rows=_int("DASHBOARD_TABLE_ROWS", 500),
        auth=os.environ.get("DASHBOARD_AUTH", "on").strip().lower() not in {"off", "0", "false", "no"},
    )


def _int(name: str, default: int) -> int:
    text = os.environ.get(name)
    if not text:
        return default
    try:
        value = int(text)
    except ValueError:
        raise ValueError(f"{name}={text!r} is not a whole number") from None
    if value < 1:
        raise ValueError(f"{name}={value} must be at least 1")
    return value
