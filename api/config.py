"""Settings of the scoring API: safe defaults, then the environment, then the caller's overrides."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask

#: Defaults; every key can be set from the environment as SCORING_<KEY> (JSON values are parsed).
DEFAULTS: dict[str, Any] = {
    "DATABASE_URL": None,  # None: database.config.database_url() (DATABASE_URL or the SQLite file)
    "MODEL_DIR": None,  # None: modeling.config.model_dir() (MODEL_DIR or <repo>/models)
    "API_KEYS": "",  # "name:sha256hex,name2:sha256hex" (see api/auth.py and `python -m api create-key`)
    # Requests per API key, counted by all workers together: a Flask-Limiter string ("1200 per minute"),
    # or a number per second with RATE_BURST (then RATE_BURST requests per RATE_BURST/RATE_LIMIT seconds).
    "RATE_LIMIT": "1200 per minute",
    "RATE_BURST": None,
    "RATELIMIT_STORAGE": None,  # where the counters live: sqlite:////path.db, redis://host:6379/0; None: a
                                # SQLite file in the temporary folder shared by the workers of this server
    "PAGE_ENABLED": True,  # the advisor page at / (no key, rate limited per IP address)
    "PAGE_RATE_LIMIT": "60 per minute",  # page scores per IP address (same forms as RATE_LIMIT)
    "PAGE_RATE_BURST": None,
    "BATCH_SCORES": True,  # serve current batch scores (client_score, `python -m modeling predict --store`) first
    "MAX_BATCH": 100,  # most client IDs in one POST /api/v1/scores
    "MAX_CONTENT_LENGTH": 16 * 1024,  # bytes of a request body (413 beyond)
    "TRUSTED_PROXIES": 0,  # proxies in front (Heroku router: 1) whose X-Forwarded-* headers are trusted
    "JSON_SORT_KEYS": False,
}

#: Unprefixed variables shared with the other packages (one name per fact across the project).
SHARED_ENV = ("DATABASE_URL", "MODEL_DIR")


def env_file() -> Path:
    """The optional, git-ignored ``.env`` of the repository (the one database.config reads)."""
    from database.config import REPO_ROOT

    return REPO_ROOT / ".env"


def load(app: Flask, overrides: dict[str, Any] | None = None) -> None:
    """Fill app.config: ``.env`` (``env_file()``), defaults, SCORING_* and shared variables, then ``overrides``.

    ``.env`` is read first so that SCORING_* variables written there count; variables already set win.
    """
    from database.security import load_env_file

    load_env_file(env_file())
    app.config.from_mapping(DEFAULTS)
    for name in SHARED_ENV:
        if os.environ.get(name):
            app.config[name] = os.environ[name]
    app.config.from_prefixed_env("SCORING")
    if overrides:
        app.config.from_mapping(overrides)
    app.json.sort_keys = bool(app.config["JSON_SORT_KEYS"])
