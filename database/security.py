"""Connection safety: the TLS policy for database URLs and password masking (engine limits: database.config).

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
