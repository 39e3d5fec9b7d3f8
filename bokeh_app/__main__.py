"""Command line of the dashboard: ``python -m bokeh_app serve|create-user|reset-password|demo-users|sessions``.

``serve`` runs ``bokeh serve bokeh_app`` with sign-in on (the auth hooks of ``bokeh_app/auth.py``, signed
session ids, the cookie secret); only ``--no-auth`` (local development) starts it without. The user commands
write to DATABASE_ADMIN_URL (else DATABASE_URL): on PostgreSQL, the owner's account, since the application
role may only read the users.
"""
from __future__ import annotations

import os
import sys

import click
from sqlalchemy.exc import SQLAlchemyError

from bokeh_app.application import APP_DIR, AUTH_MODULE
from bokeh_app.config import DashboardSettings
from bokeh_app.session_user import TOKEN_EXCLUDED_COOKIES, TOKEN_HEADERS
from database.config import database_url, get_engine
from database.sessions import revoke_reference, revoke_user, session_state, sessions_of
from database.signin import secrets_problem
from database.users import UserError, create_demo_users, create_user, new_password, reset_password
from settings import SettingsError
from settings.cli import CONTEXT, fail, run

PASSWORD_VARIABLE = "DASHBOARD_USER_PASSWORD"


def serve_command(port: int | None, no_auth: bool, extra: list[str]) -> tuple[list[str], dict[str, str]]:
    """The ``bokeh serve`` command line and environment for ``serve``."""
    command = [sys.executable, "-m", "bokeh", "serve", str(APP_DIR)]
    if port is not None:
        command += ["--port", str(port)]
    if not any(arg == "--address" or arg.startswith("--address=") for arg in extra):
        command += ["--address", "127.0.0.1"]  # loopback unless asked, like the API and the one-port server
    env = dict(os.environ)
    # the auth module and the app import the project's packages, whatever the current folder
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(APP_DIR.parent), env.get("PYTHONPATH")) if p)
    if no_auth:
        env["DASHBOARD_AUTH"] = "off"
    else:
        env["DASHBOARD_AUTH"] = "on"
        command += ["--auth-module", str(AUTH_MODULE), "--session-ids", "signed",
                    # the session token embedded in the page carries no cookie (bokeh_app/session_user.py)
                    "--include-headers", *TOKEN_HEADERS, "--exclude-cookies", *TOKEN_EXCLUDED_COOKIES]
    return command + extra, env


def _engine():
    return get_engine(os.environ.get("DATABASE_ADMIN_URL") or database_url())


def _password() -> tuple[str, bool]:
    """The password to set (DASHBOARD_USER_PASSWORD, else a line piped on stdin) and whether it was generated."""
    if os.environ.get(PASSWORD_VARIABLE):
        return os.environ[PASSWORD_VARIABLE], False
    piped = "" if sys.stdin is None or sys.stdin.isatty() else sys.stdin.readline().rstrip("\r\n")
    return (piped, False) if piped else (new_password(), True)


def sessions_command(engine, name: str, revoke: str | None, revoke_all: bool) -> int:
    """List ``name``'s sessions (reference, state, times), or end one or all of them."""
    if revoke_all:
        print(f"{revoke_user(engine, name, 'administrator')} session(s) of {name} ended")
        return 0
    if revoke:
        mine = [s.reference for s in sessions_of(engine, name) if s.reference.startswith(revoke)]
        if not mine:
            print(f"error: {name} has no session whose reference starts with {revoke!r}: list them with "
                  f"sessions {name}", file=sys.stderr)
            return 2
        print(f"{revoke_reference(engine, mine[0], 'administrator')} session(s) of {name} ended")
        return 0
    rows = sessions_of(engine, name)
    for row in rows:
        print(f"{row.reference[:12]}  {session_state(row):<8}  signed in {row.created_at:%Y-%m-%d %H:%M} UTC  "
              f"last seen {row.last_seen_at:%Y-%m-%d %H:%M}  ends {row.expires_at:%Y-%m-%d %H:%M}"
              + (f"  ({row.revoked_reason})" if row.revoked_reason else ""))
    print(f"{len(rows)} session(s) of {name}")
    return 0


@click.group(name="python -m bokeh_app", context_settings=CONTEXT, help="The Home Credit dashboard.")
def cli() -> None:
    """The commands of the dashboard."""


@cli.command(help="run the dashboard with sign-in (other options go to bokeh serve)",
             context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.option("--port", type=int, default=None, help="port to listen on (default 5006)")
@click.option("--no-auth", is_flag=True, help="no sign-in: local development only")
@click.argument("extra", nargs=-1, type=click.UNPROCESSED)
def serve(port: int | None, no_auth: bool, extra: tuple[str, ...]) -> None:
    """Replace this process with ``bokeh serve``; without --no-auth the sign-in secrets must be set."""
    problem = None if no_auth else secrets_problem()
    if problem:
        fail(problem, 2)
    try:
        DashboardSettings.from_env(auth=not no_auth)  # a wrong setting stops here, in one line
    except SettingsError as error:
        fail(str(error), 2)
    command, env = serve_command(port, no_auth, list(extra))
    os.execve(command[0], command, env)


ROLE = click.Choice(("advisor", "risk_manager", "admin"))


@cli.command("create-user", short_help="add a user (password: DASHBOARD_USER_PASSWORD, stdin, else generated)",
             help=f"add a user; the password is read from {PASSWORD_VARIABLE}, else from a line piped "
                                 "on stdin, else generated and printed once")
@click.argument("name")
@click.option("--role", type=ROLE, required=True, help="what the user may see and do")
def create_user_command(name: str, role: str) -> None:
    """``create-user NAME --role ROLE``."""
    password, generated = _password()
    create_user(_engine(), name, role, password)
    print(f"user {name} created with role {role}")
    _shown_once(name, password, generated)


@cli.command("reset-password", help="give a user a new password (same sources as create-user)")
@click.argument("name")
def reset_password_command(name: str) -> None:
    """``reset-password NAME``."""
    password, generated = _password()
    ended = reset_password(_engine(), name, password)
    print(f"password of {name} changed; {ended} session(s) ended, failed sign-ins cleared")
    _shown_once(name, password, generated)


def _shown_once(name: str, password: str, generated: bool) -> None:
    """Print a generated password, the only time it is shown."""
    if generated:
        print(f"password (shown once, give it to {name} by a safe channel): {password}")


@cli.command("demo-users", help="one user of each role if there is none (passwords printed once)")
def demo_users() -> None:
    """``demo-users``."""
    create_demo_users(_engine())


@cli.command(help="list a user's sign-in sessions; --revoke one or --revoke-all")
@click.argument("name")
@click.option("--revoke", metavar="REFERENCE", default=None, help="end the session whose reference starts with this")
@click.option("--revoke-all", is_flag=True, help="end every live session of the user")
def sessions(name: str, revoke: str | None, revoke_all: bool) -> int:
    """``sessions NAME [--revoke REFERENCE | --revoke-all]``."""
    if revoke and revoke_all:
        raise click.UsageError("--revoke and --revoke-all cannot be used together: give one of them")
    return sessions_command(_engine(), name, revoke, revoke_all)


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run the command; expected failures print one line (exit 2)."""
    try:
        return run(cli, argv, cli.name)
    except UserError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except SQLAlchemyError as error:
        print(f"error: database: {str(error).splitlines()[0]} (is it migrated? python -m database migrate)",
              file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
