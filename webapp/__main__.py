"""Command line of the deployed application: ``python -m webapp release|serve|start`` (see ``--help``)."""

from __future__ import annotations

import argparse
import logging
import subprocess
import sys

from sqlalchemy.exc import SQLAlchemyError

from webapp.config import WebSettings


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run the command; expected failures print one line (exit 2).

    The smoke test of a deployment is ``python -m webapp.smoke URL`` (standard library only).
    """
    parser = argparse.ArgumentParser(
        prog="python -m webapp",
        description="The dashboard (/) and the scoring API (/api/) on one port ($PORT, default 5006).")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("release", help="migrate the database; with DEMO_MODE=1 also load synthetic clients "
                                        "into an empty database, train a model if there is none, score them")
    commands.add_parser("serve", help="serve the dashboard and the API on $PORT until SIGTERM")
    commands.add_parser("start", help="release, then serve (for hosts without a release phase)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    from database.migrate import MigrationError
    from webapp.release import ReleaseError

    try:
        config = WebSettings.from_env()
        if args.command == "release":
            from webapp.release import release

            return release(config)
        if args.command == "start":  # the release in its own process: its memory is given back before serving
            code = subprocess.run([sys.executable, "-m", "webapp", "release"], check=False).returncode
            if code:
                return code
        from webapp.server import serve

        return serve(config)
    except (ReleaseError, MigrationError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except SQLAlchemyError as error:
        print(f"error: database: {str(error).splitlines()[0]}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
