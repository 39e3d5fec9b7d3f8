"""Command line of the dashboard: ``python -m bokeh_app serve|create-user|reset-password|demo-users|sessions``.

``serve`` runs ``bokeh serve bokeh_app`` with sign-in on (the auth hooks of ``bokeh_app/auth.py``, signed
session ids, the cookie secret); only ``--no-auth`` (local development) starts it without. The user commands
write to DATABASE_ADMIN_URL (else DATABASE_URL): on PostgreSQL, the owner's account, since the application
role may only read the users.
"""
from __future__ import annotations

import argparse
import os
import sys

from bokeh_app.application import APP_DIR, AUTH_MODULE
from bokeh_app.config import DashboardSettings
from bokeh_app.session_user import TOKEN_EXCLUDED_COOKIES, TOKEN_HEADERS
from database.signin import secrets_problem
from settings import SettingsError

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
    from database.config import database_url, get_engine

    return get_engine(os.environ.get("DATABASE_ADMIN_URL") or database_url())


def _password() -> tuple[str, bool]:
    """The password to set (DASHBOARD_USER_PASSWORD, else a line piped on stdin) and whether it was generated."""
    from database.users import new_password

    if os.environ.get(PASSWORD_VARIABLE):
        return os.environ[PASSWORD_VARIABLE], False
    piped = "" if sys.stdin is None or sys.stdin.isatty() else sys.stdin.readline().rstrip("\r\n")
    return (piped, False) if piped else (new_password(), True)


def sessions_command(engine, name: str, revoke: str | None, revoke_all: bool) -> int:
    """List ``name``'s sessions (reference, state, times), or end one or all of them."""
    from database.sessions import revoke_reference, revoke_user, session_state, sessions_of

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


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run the command; expected failures print one line (exit 2)."""
    parser = argparse.ArgumentParser(prog="python -m bokeh_app", description="The Home Credit dashboard.")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the dashboard with sign-in (other options go to bokeh serve)")
    serve.add_argument("--port", type=int, help="port to listen on (default 5006)")
    serve.add_argument("--no-auth", action="store_true", help="no sign-in: local development only")
    create = commands.add_parser("create-user", help=f"add a user; the password is read from {PASSWORD_VARIABLE}, "
                                 "else from a line piped on stdin, else generated and printed once")
    create.add_argument("name")
    create.add_argument("--role", required=True, choices=("advisor", "risk_manager", "admin"))
    reset = commands.add_parser("reset-password", help="give a user a new password (same sources as create-user)")
    reset.add_argument("name")
    commands.add_parser("demo-users", help="one user of each role if there is none (passwords printed once)")
    sessions = commands.add_parser("sessions", help="list a user's sign-in sessions; --revoke one or --revoke-all")
    sessions.add_argument("name")
    ended = sessions.add_mutually_exclusive_group()
    ended.add_argument("--revoke", metavar="REFERENCE", help="end the session whose reference starts with this")
    ended.add_argument("--revoke-all", action="store_true", help="end every live session of the user")
    args, extra = parser.parse_known_args(argv)
    if extra and args.command != "serve":
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    from sqlalchemy.exc import SQLAlchemyError

    from database.users import UserError, create_demo_users, create_user, reset_password

    try:
        if args.command == "serve":
            problem = None if args.no_auth else secrets_problem()
            if problem:
                print(f"error: {problem}", file=sys.stderr)
                return 2
            DashboardSettings.from_env(auth=not args.no_auth)  # a wrong setting stops here, in one line
            command, env = serve_command(args.port, args.no_auth, extra)
            os.execve(command[0], command, env)
        engine = _engine()
        if args.command == "demo-users":
            create_demo_users(engine)
            return 0
        if args.command == "sessions":
            return sessions_command(engine, args.name, args.revoke, args.revoke_all)
        password, generated = _password()
        if args.command == "create-user":
            create_user(engine, args.name, args.role, password)
            print(f"user {args.name} created with role {args.role}")
        else:
            ended = reset_password(engine, args.name, password)
            print(f"password of {args.name} changed; {ended} session(s) ended, failed sign-ins cleared")
        if generated:
            print(f"password (shown once, give it to {args.name} by a safe channel): {password}")
        return 0
    except (UserError, SettingsError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except SQLAlchemyError as error:
        print(f"error: database: {str(error).splitlines()[0]} (is it migrated? python -m database migrate)",
              file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
