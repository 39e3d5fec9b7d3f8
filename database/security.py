"""Connection safety: the TLS policy for database URLs, password masking, hardened engine options.

Policy: a PostgreSQL URL must ask for an encrypted, verified connection (``sslmode=verify-full``, or
``require``/``verify-ca``). A URL without TLS is refused unless the server is on this machine (localhost,
127.0.0.1, ::1 or a unix socket) *and* ``DATABASE_ALLOW_INSECURE=1`` says so explicitly.

Managed PostgreSQL (Heroku, Render, ...) gives a ``postgres://`` URL without ``sslmode`` and a certificate
that no CA file at hand can verify: the scheme is rewritten to SQLAlchemy's ``postgresql+psycopg2://``, and
TLS without certificate verification is accepted only when ``sslmode=require`` is set explicitly (in the URL
or as ``PGSSLMODE=require``), with a warning in the log each time an engine is made.
"""

from __future__ import annotations

import logging
import os
import re

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from settings import flag

#: sslmode values that encrypt the connection (verify-full also checks the server's name against its certificate).
SECURE_SSLMODES = frozenset({"require", "verify-ca", "verify-full"})
LOCAL_HOSTS = frozenset({"", "localhost", "127.0.0.1", "::1"})

#: Defaults of the hardened PostgreSQL engine; each can be overridden by the environment variable named.
ENGINE_DEFAULTS = {
    "DATABASE_CONNECT_TIMEOUT": 5,  # seconds to wait for a connection before failing
    "DATABASE_STATEMENT_TIMEOUT_MS": 30_000,  # a query running longer is cancelled by the server
    "DATABASE_POOL_SIZE": 5,
    "DATABASE_MAX_OVERFLOW": 5,
    "DATABASE_POOL_TIMEOUT": 10,  # seconds to wait for a free pooled connection
    "DATABASE_POOL_RECYCLE": 1800,  # seconds after which a pooled connection is replaced
}


log = logging.getLogger(__name__)

#: URL schemes of managed PostgreSQL services that SQLAlchemy 2 does not accept, and what they mean.
DRIVER_SCHEMES = {"postgres://": "postgresql+psycopg2://"}


class InsecureDatabaseURL(ValueError):
    """A database URL that would send passwords or data in clear over the network."""


def mask_url(url: str | URL) -> str:
    """The URL with its password replaced by ``***``, safe to print or log."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return _URL_PASSWORD.sub(r"\1***@", str(url))


_URL_PASSWORD = re.compile(r"(://[^:/@\s]*:)[^@\s]*@")


def mask_secrets(text: str, *secrets: str | None) -> str:
    """``text`` with every password found in a URL, and every given secret, replaced by ``***``."""
    text = _URL_PASSWORD.sub(r"\1***@", text)
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


def insecure_allowed() -> bool:
    """Whether ``DATABASE_ALLOW_INSECURE`` explicitly allows a non-TLS connection to a local server."""
    return flag("DATABASE_ALLOW_INSECURE")


def is_local(url: URL) -> bool:
    """Whether the server of ``url`` is on this machine (loopback address or unix socket)."""
    host = url.query.get("host") or url.host or ""
    if isinstance(host, tuple):  # several hosts: local only if all are
        return all(_is_local_host(h) for h in host)
    return _is_local_host(host)


def _is_local_host(host: str) -> bool:
    """Whether one host name is a loopback name/address or a unix-socket directory."""
    return host.lower() in LOCAL_HOSTS or host.startswith("/")


def driver_url(url: str) -> str:
    """``url`` with a managed host's ``postgres://`` scheme rewritten to ``postgresql+psycopg2://``."""
    for scheme, driver in DRIVER_SCHEMES.items():
        if url.startswith(scheme):
            return driver + url[len(scheme):]
    return url


def sslmode_of(url: URL) -> tuple[str, str]:
    """The sslmode a PostgreSQL connection to ``url`` will use, and where it comes from."""
    if url.query.get("sslmode"):
        return url.query["sslmode"], "DATABASE_URL"
    if os.environ.get("PGSSLMODE"):
        return os.environ["PGSSLMODE"], "PGSSLMODE"
    return "prefer", "libpq's default"


def warn_if_unverified(url: URL) -> None:
    """Log a warning when the connection is encrypted but the server's certificate is not verified."""
    sslmode, origin = sslmode_of(url)
    if sslmode == "require" and not url.query.get("sslrootcert"):
        log.warning("database TLS without certificate verification (sslmode=require set by %s) to %s: "
                    "traffic is encrypted but the server's identity is not checked; use sslmode=verify-full "
                    "with sslrootcert=<CA file> when the provider gives its CA", origin, mask_url(url))


def check_url(url: str | URL, allow_insecure: bool | None = None) -> URL:
    """The parsed URL if it satisfies the TLS policy; raise InsecureDatabaseURL (password masked) otherwise."""
    parsed = make_url(driver_url(url) if isinstance(url, str) else url)
    if not parsed.get_backend_name().startswith("postgres"):
        return parsed
    sslmode, _origin = sslmode_of(parsed)
    if sslmode in SECURE_SSLMODES:
        return parsed
    if allow_insecure is None:
        allow_insecure = insecure_allowed()
    if allow_insecure and is_local(parsed):
        return parsed
    where = "a local server" if is_local(parsed) else f"host {parsed.host!r}"
    hint = (
        "add ?sslmode=verify-full&sslrootcert=<bank CA file> to DATABASE_URL"
        + (", or set DATABASE_ALLOW_INSECURE=1 for this local server" if is_local(parsed) else "")
    )
    raise InsecureDatabaseURL(
        f"refusing a database connection without TLS (sslmode={sslmode}) to {where} "
        f"in {mask_url(parsed)}: {hint}"
    )


def _env_number(name: str) -> int:
    """An integer setting from the environment, or its default; a clear error if it is not a number."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return ENGINE_DEFAULTS[name]
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, got {raw!r}") from None


def postgres_engine_options() -> dict:
    """Engine keyword arguments that bound every wait: connect and statement timeouts, a checked pool."""
    statement_ms = _env_number("DATABASE_STATEMENT_TIMEOUT_MS")
    return {
        "pool_pre_ping": True,
        "pool_size": _env_number("DATABASE_POOL_SIZE"),
        "max_overflow": _env_number("DATABASE_MAX_OVERFLOW"),
        "pool_timeout": _env_number("DATABASE_POOL_TIMEOUT"),
        "pool_recycle": _env_number("DATABASE_POOL_RECYCLE"),
        "connect_args": {
            "connect_timeout": _env_number("DATABASE_CONNECT_TIMEOUT"),
            "options": f"-c statement_timeout={statement_ms}",
            "application_name": "homecredit",
            # a dead server behind a silent network is noticed within ~20 s instead of hours
            "keepalives": 1,
            "keepalives_idle": 10,
            "keepalives_interval": 5,
            "keepalives_count": 2,
        },
    }


def with_postgres_options(kwargs: dict) -> dict:
    """``create_engine`` arguments completed with the hardened options (the caller's own choices win)."""
    merged = dict(kwargs)
    options = postgres_engine_options()
    if "poolclass" in merged:  # NullPool and friends take no pool sizing arguments
        for key in ("pool_size", "max_overflow", "pool_timeout"):
            options.pop(key)
    merged["connect_args"] = {**options.pop("connect_args"), **merged.get("connect_args", {})}
    for key, value in options.items():
        merged.setdefault(key, value)
    return merged
