"""Rate limits counted together by every worker: Flask-Limiter fixed windows in a storage they all see.

Each API key (and each IP address on the advisor page) may spend a number of requests per window; a batch
spends one per client. The counters live in ``RATELIMIT_STORAGE`` (default: a SQLite file of the
server, see api.limit_storage; ``redis://...`` when several hosts serve the API), not in a worker's memory.
"""

from __future__ import annotations

import math
import os
import tempfile
import time
from pathlib import Path

from flask import Flask, current_app
from flask_limiter import Limiter
from limits import RateLimitItem, RateLimitItemPerSecond, parse

import api.limit_storage  # noqa: F401  (registers the sqlite:// storage scheme with limits)
from api.errors import ApiError


def limit_item(rate, burst=None) -> RateLimitItem:
    """A limit from the settings: '1200 per minute' (any Flask-Limiter string), or a number of requests
    per second with a burst (the older SCORING_RATE_LIMIT/SCORING_RATE_BURST pair: burst per burst/rate s)."""
    if isinstance(rate, str):
        try:
            rate = float(rate)
        except ValueError:
            return parse(rate)
    rate = float(rate)
    burst = int(burst if burst is not None else max(1, rate))
    if rate <= 0 or burst < 1:
        raise ValueError(f"rate limit needs rate > 0 and burst >= 1, got rate={rate}, burst={burst}")
    return RateLimitItemPerSecond(burst, max(1, math.ceil(burst / rate)))


def default_storage() -> str:
    """A SQLite file for the processes started by this one (gunicorn's master preloads the app, its workers
    inherit the setting), so that the workers of one server share their counters."""
    return f"sqlite:///{Path(tempfile.gettempdir()) / f'homecredit-api-ratelimit-{os.getpid()}.db'}"


class RateLimits:
    """The limiter of an app and its two limits: per API key and per IP address on the page."""

    def __init__(self, app: Flask):
        uri = app.config.get("RATELIMIT_STORAGE") or default_storage()
        self.limiter = Limiter(key_func=lambda: "", app=app, storage_uri=uri, strategy="fixed-window",
                               default_limits=[], headers_enabled=False)
        self.items = {"key": limit_item(app.config["RATE_LIMIT"], app.config.get("RATE_BURST")),
                      "page": limit_item(app.config["PAGE_RATE_LIMIT"], app.config.get("PAGE_RATE_BURST"))}

    def spend(self, kind: str, key: str, cost: int = 1) -> None:
        """Spend ``cost`` requests of ``key`` under the ``kind`` limit, or raise 429 with Retry-After."""
        item, strategy = self.items[kind], self.limiter.limiter
        if not strategy.hit(item, kind, key, cost=max(1, min(int(cost), item.amount))):
            wait = retry_after(strategy.get_window_stats(item, kind, key).reset_time - time.time())
            raise ApiError(429, "rate_limited", f"Too many requests; retry in {wait} s.", {"Retry-After": wait})


def get_limits() -> RateLimits:
    """The rate limits of the current app."""
    return current_app.extensions["rate_limits"]


def retry_after(seconds: float) -> str:
    """The Retry-After header value: whole seconds, at least 1."""
    return str(max(1, math.ceil(seconds)))
