"""Settings of the dashboard: typed, read from the environment (``.env`` first) with safe local defaults."""
from __future__ import annotations

from pathlib import Path

from pydantic import Field, PositiveInt, field_validator
from pydantic_settings import SettingsConfigDict

from database.config import database_url
from database.security import driver_url
from settings import Settings


class DashboardSettings(Settings):
    """Where the model and the data are, how much each plot may draw, and whether sign-in is required."""

    model_config = SettingsConfigDict(env_prefix="DASHBOARD_")

    # DATABASE_URL, else the embedded SQLite file (database.config.database_url)
    database_url: str = Field(default_factory=database_url, validation_alias="DATABASE_URL")
    model_path: Path | None = Field(None, validation_alias="MODEL_PATH")  # a model folder; None = MODEL_DIR/latest
    neighbours: PositiveInt = 200  # size of the "similar clients" group
    table_rows: PositiveInt = 500  # rows sent to the client table (the count shows the rest)
    auth: bool = True  # sign-in required; off only with `python -m bokeh_app serve --no-auth` (local development)

    @field_validator("database_url")
    @classmethod
    def _driver(cls, url: str) -> str:
        """A managed host's ``postgres://`` read as PostgreSQL, as database.config does."""
        return driver_url(url)
