"""Running the PostgreSQL client tools (pg_dump, pg_restore) without a password in their command line."""

from __future__ import annotations

import os
import subprocess

from sqlalchemy.engine import URL

from database.archive import BackupError
from database.security import mask_secrets, mask_url

_LIBPQ_QUERY_KEYS = {"sslmode", "sslrootcert", "sslcert", "sslkey", "sslcrl", "connect_timeout", "host"}


def libpq_target(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq connection string without the password, and the environment carrying it (never in argv)."""
    parts = {"dbname": url.database or "", "user": url.username or ""}
    if url.host:
        parts["host"] = url.host
    if url.port:
        parts["port"] = str(url.port)
    for key, value in url.query.items():
        if key in _LIBPQ_QUERY_KEYS:
            parts[key] = value if isinstance(value, str) else value[0]
    conninfo = " ".join(
        f"{k}='{v.replace(chr(92), chr(92) * 2).replace(chr(39), chr(92) + chr(39))}'"
        for k, v in parts.items()
        if v
    )
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = url.password
    return conninfo, env


def run_tool(command: list[str], env: dict[str, str], url: URL) -> None:
    """Run pg_dump/pg_restore; a BackupError with its (password-free) message if it fails."""
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        message = mask_secrets(done.stderr.strip() or done.stdout.strip(), url.password)
        raise BackupError(f"{command[0]} failed on {mask_url(url)}: {message}")


def tool_version(tool: str) -> str:
    """The version line of a command-line tool, or 'absent'."""
    try:
        return subprocess.run([tool, "--version"], capture_output=True, text=True).stdout.strip()
    except FileNotFoundError:
        return "absent"
