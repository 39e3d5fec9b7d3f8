"""Command line of the API: ``python -m api create-key NAME`` and ``python -m api serve``."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from api.auth import check_name, entry, new_key

CONF = Path(__file__).resolve().parent / "gunicorn.conf.py"


def create_key(name: str, fmt: str = "text", write: bool = False) -> int:
    """Print a new key (shown once, never stored) and the SCORING_API_KEYS entry that accepts it."""
    try:
        check_name(name)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    key = new_key()
    if fmt == "env":  # for scripts: `set -a; . file; set +a` gives the server and a client what they need
        print(f"SCORING_API_KEY={key}")
        print(f"SCORING_API_KEYS={entry(name, key, write)}")
        return 0
    print(f"API key for {name} (shown once; give it to the caller, do not store it here):")
    print(f"  {key}")
    print("Add this entry to SCORING_API_KEYS (comma-separated with the others):")
    print(f"  {entry(name, key, write)}")
    return 0


def serve(host: str, port: int | None, workers: int | None) -> int:
    """Replace this process with gunicorn running the app with api/gunicorn.conf.py (a wrong setting: exit 2)."""
    from api.config import ApiSettings
    from settings import SettingsError

    try:
        ApiSettings.from_env()  # checked here in one line, rather than in a traceback of gunicorn's master
    except SettingsError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if port:
        os.environ["SCORING_BIND"] = f"{host}:{port}"
    if workers:
        os.environ["WEB_CONCURRENCY"] = str(workers)
    args = [sys.executable, "-m", "gunicorn", "--config", str(CONF), "api:create_app()"]
    os.execv(sys.executable, args)
    return 0  # not reached


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run the command."""
    parser = argparse.ArgumentParser(prog="python -m api", description="Home Credit scoring API.")
    commands = parser.add_subparsers(dest="command", required=True)
    key = commands.add_parser("create-key", help="make a new API key and print its SCORING_API_KEYS entry")
    key.add_argument("name", help="caller name recorded in the audit trail (letters, digits, . _ -)")
    key.add_argument("--format", choices=("text", "env"), default="text",
                     help="env: print SCORING_API_KEY=<key> and SCORING_API_KEYS=<entry> lines for scripts")
    key.add_argument("--write", action="store_true", help="the key may also record reviews (write scope)")
    run = commands.add_parser("serve", help="run the API with gunicorn (api/gunicorn.conf.py)")
    run.add_argument("--host", default="127.0.0.1", help="address to listen on with --port (default 127.0.0.1)")
    run.add_argument("--port", type=int, help="port (default: $SCORING_BIND, else 0.0.0.0:$PORT, else 127.0.0.1:8000)")
    run.add_argument("--workers", type=int, help="worker processes (default: $WEB_CONCURRENCY or 2)")
    args = parser.parse_args(argv)
    if args.command == "create-key":
        return create_key(args.name, args.format, args.write)
    return serve(args.host, args.port, args.workers)


if __name__ == "__main__":
    sys.exit(main())
