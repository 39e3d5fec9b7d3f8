"""Settings of the scoring API: typed, from the environment (``.env`` first), then the caller's overrides."""

from __future__ import annotations

from typing import Any

from flask import Flask
from pydantic import Field, NonNegativeInt, PositiveInt
from pydantic_settings import SettingsConfigDict

from settings import Settings


class ApiSettings(Settings):
    """Every setting of the API, read from SCORING_<NAME>; DATABASE_URL and MODEL_DIR are shared with the others."""

    model_config = SettingsConfigDict(env_prefix="SCORING_")

    database_url: str | None = Field(None, validation_alias="DATABASE_URL")  # None: database.config.database_url()
    model_dir: str | None = Field(None, validation_alias="MODEL_DIR")  # None: modeling.config.model_dir()
    api_keys: str = ""  # "name:sha256hex,name2:sha256hex" (see api/auth.py and `python -m api create-key`)
    # Requests per API key, counted by all workers together: a Flask-Limiter string ("1200 per minute"),
    # or a number per second with RATE_BURST (then RATE_BURST requests per RATE_BURST/RATE_LIMIT seconds).
    rate_limit: str = "1200 per minute"
    rate_burst: PositiveInt | None = None
    # where the counters live: sqlite:////path.db, redis://host:6379/0; None: a SQLite file in the temporary
    # folder shared by the workers of this server
    ratelimit_storage: str | None = None
    page_enabled: bool = True  # the advisor page at / (no key, rate limited per IP address)
    page_rate_limit: str = "60 per minute"  # page scores per IP address (same forms as RATE_LIMIT)
    page_rate_burst: PositiveInt | None = None
    batch_scores: bool = True  # serve current batch scores (client_score, `python -m modeling predict --store`) first
    max_batch: PositiveInt = 100  # most client IDs in one POST /api/v1/scores
    max_content_length: PositiveInt = 16 * 1024  # bytes of a request body (413 beyond)
    trusted_proxies: NonNegativeInt = 0  # proxies in front (Heroku router: 1) whose X-Forwarded-* headers are trusted
    json_sort_keys: bool = False

    def flask_config(self) -> dict[str, Any]:
        """The settings as Flask config keys (``MAX_BATCH``, ``DATABASE_URL``...)."""
        return {name.upper(): value for name, value in self.model_dump().items()}


#: The default of every setting, by Flask config key (stated once, in ApiSettings).
DEFAULTS: dict[str, Any] = {name.upper(): field.default for name, field in ApiSettings.model_fields.items()}


def load(app: Flask, overrides: dict[str, Any] | None = None, settings: ApiSettings | None = None) -> None:
    """Fill app.config from ``settings`` (default: ``ApiSettings.from_env()``), then ``overrides`` (tests)."""
    app.config.from_mapping((settings or ApiSettings.from_env()).flask_config())
    if overrides:
        app.config.from_mapping(overrides)
    app.json.sort_keys = bool(app.config["JSON_SORT_KEYS"])
