"""Create the PostgreSQL roles and apply their privileges from the versioned SQL in ``database/sql/``.

``python -m database init-roles`` runs, as the cluster administrator: ``roles.sql`` (roles, database and schema
rights, default privileges), then creates the missing tables *as the owner role*, then ``grants.sql`` (table
privileges). Passwords come from ``HOMECREDIT_<ROLE>_PASSWORD``; a role without one gets a generated password,
printed once. Passwords travel as SCRAM-SHA-256 verifiers computed here, so the server never sees them in clear.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

import click
from psycopg2.extensions import encrypt_password
from sqlalchemy import Connection, text

from database.config import database_url, get_engine
from database.migrate import migrate_connection
from database.schema import Base
from database.security import InsecureDatabaseURL, check_url
from settings.cli import fail

SQL_DIR = Path(__file__).resolve().parent / "sql"
OWNER = "homecredit_owner"
#: Login roles and the environment variable holding each one's password.
ROLES: dict[str, str] = {
    OWNER: "HOMECREDIT_OWNER_PASSWORD",
    "homecredit_loader": "HOMECREDIT_LOADER_PASSWORD",
    "homecredit_app": "HOMECREDIT_APP_PASSWORD",
    "homecredit_analyst": "HOMECREDIT_ANALYST_PASSWORD",
}


@dataclass
class RolesReport:
    """What init-roles did: tables created, passwords set from the environment or generated."""

    tables_created: list[str] = field(default_factory=list)
    passwords_from_env: list[str] = field(default_factory=list)
    passwords_generated: dict[str, str] = field(default_factory=dict)
    passwords_unchanged: list[str] = field(default_factory=list)


def sql_script(name: str) -> str:
    """The text of a versioned script of ``database/sql/`` (e.g. ``roles.sql``)."""
    return (SQL_DIR / name).read_text(encoding="utf-8")


def script_version(name: str) -> int:
    """The version number written on the first line of a script (``-- roles.sql, version 1: ...``)."""
    first = sql_script(name).splitlines()[0]
    return int(first.split("version", 1)[1].split(":", 1)[0])


def _run_script(connection: Connection, name: str) -> None:
    """Send one script as a single batch on the raw cursor, so that ``%`` in it is not taken as a parameter."""
    with connection.connection.cursor() as cursor:
        cursor.execute(sql_script(name))


def _create_tables_as_owner(connection: Connection) -> list[str]:
    """Create or upgrade the schema with the migrations, as the owner role; the names of the tables made."""
    existing = set(
        connection.execute(
            text("SELECT tablename FROM pg_catalog.pg_tables WHERE schemaname = 'public'")
        ).scalars()
    )
    missing = [t.name for t in Base.metadata.sorted_tables if t.name not in existing]
    connection.exec_driver_sql(f"SET ROLE {OWNER}")  # migrations run as the owner, even with no table missing
    migrate_connection(connection)
    connection.exec_driver_sql("RESET ROLE")
    return missing


def _set_passwords(
    connection: Connection, generate: bool, given: dict[str, str], report: RolesReport
) -> None:
    """Give each role its password (``given``, else the environment), or a generated one if it has none."""
    raw = connection.connection.dbapi_connection
    for role, variable in ROLES.items():
        password = given.get(role) or os.environ.get(variable)
        if password:
            report.passwords_from_env.append(role)
        elif generate and not _has_password(connection, role):
            password = secrets.token_urlsafe(24)
            report.passwords_generated[role] = password
        else:
            report.passwords_unchanged.append(role)
            continue
        verifier = encrypt_password(password, role, raw, "scram-sha-256")
        with raw.cursor() as cursor:
            cursor.execute(f"ALTER ROLE {role} PASSWORD %s", (verifier,))


def _has_password(connection: Connection, role: str) -> bool:
    """Whether a role already has a password (assumed yes when this session may not read pg_authid)."""
    try:
        with connection.begin_nested():
            value = connection.execute(
                text("SELECT rolpassword IS NOT NULL FROM pg_catalog.pg_authid WHERE rolname = :r"),
                {"r": role},
            ).scalar()
    except Exception:  # not a superuser: do not overwrite a password we cannot see
        return True
    return bool(value)


def init_roles(
    admin_url: str, generate_passwords: bool = True, passwords: dict[str, str] | None = None
) -> RolesReport:
    """Create/update the roles, the schema (as owner) and the privileges, in one transaction.

    ``passwords`` maps role names to passwords and wins over ``HOMECREDIT_<ROLE>_PASSWORD``.
    """
    parsed = check_url(admin_url)
    if not parsed.get_backend_name().startswith("postgres"):
        raise ValueError("init-roles needs a PostgreSQL database; SQLite has no roles")
    report = RolesReport()
    engine = get_engine(admin_url)
    try:
        with engine.begin() as connection:
            _run_script(connection, "roles.sql")
            report.tables_created = _create_tables_as_owner(connection)
            _run_script(connection, "grants.sql")
            _set_passwords(connection, generate_passwords, passwords or {}, report)
    finally:
        engine.dispose()
    return report


def role_url(admin_url: str, role: str, password: str) -> str:
    """The URL of ``admin_url``'s database for another role (same host, port and TLS settings)."""
    parsed = check_url(admin_url)
    return parsed.set(username=role, password=password).render_as_string(hide_password=False)


@click.command("init-roles", help="create the PostgreSQL roles (owner, loader, app, analyst) and apply their "
                                  "privileges")
@click.option("--admin-url", default=None, help="URL of a superuser of the target database "
                                                "(default: DATABASE_ADMIN_URL, then DATABASE_URL)")
@click.option("--no-generate", is_flag=True,
              help="do not generate passwords for roles without HOMECREDIT_<ROLE>_PASSWORD")
def init_roles_command(admin_url: str | None, no_generate: bool) -> None:
    """Run ``init-roles`` and print what was done; generated passwords are printed once, here."""
    url = admin_url or os.environ.get("DATABASE_ADMIN_URL") or database_url()
    try:
        report = init_roles(url, generate_passwords=not no_generate)
    except (InsecureDatabaseURL, ValueError) as error:
        fail(str(error), 2)
    print(f"roles.sql v{script_version('roles.sql')} and grants.sql v{script_version('grants.sql')} applied; "
          f"tables created as {OWNER}: {', '.join(report.tables_created) or 'none'}")
    for role in report.passwords_from_env:
        print(f"{role}: password set from {ROLES[role]}")
    for role, password in report.passwords_generated.items():
        print(f"{role}: generated password (shown once, store it in your secret store as {ROLES[role]}): "
              f"{password}")
    for role in report.passwords_unchanged:
        print(f"{role}: password unchanged")


COMMANDS = (init_roles_command,)
