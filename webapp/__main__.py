"""Command line of the deployed application: ``python -m webapp release|serve|start`` (see ``--help``)."""

from __future__ import annotations

import logging
import subprocess
import sys

import click
from sqlalchemy.exc import SQLAlchemyError

from settings.cli import CONTEXT, run
from webapp.config import WebSettings


@click.group(name="python -m webapp", context_settings=CONTEXT,
             help="The dashboard (/) and the scoring API (/api/) on one port ($PORT, default 5006). "
                  "The smoke test of a deployment is `python -m webapp.smoke URL` (standard library only).")
def cli() -> None:
    """Log as the servers do."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)


@cli.command(help="migrate the database; with DEMO_MODE=1 also load synthetic clients into an empty database, "
                  "train a model if there is none, score them",
             short_help="migrate the database (with DEMO_MODE=1: load, train and score a demo)")
def release() -> int:
    """``release``."""
    from webapp.release import release as run_release  # deferred: command

    return run_release(WebSettings.from_env())


@cli.command(help="serve the dashboard and the API on $PORT until SIGTERM")
def serve() -> int:
    """``serve``."""
    from webapp.server import serve as run_server  # deferred: command

    return run_server(WebSettings.from_env())


@cli.command(help="release, then serve (for hosts without a release phase)")
def start() -> int:
    """``start``: the release in its own process, so that its memory is given back before serving."""
    from webapp.server import serve as run_server  # deferred: command

    config = WebSettings.from_env()
    code = subprocess.run([sys.executable, "-m", "webapp", "release"], check=False).returncode
    return code or run_server(config)


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run the command; expected failures print one line (exit 2)."""
    try:
        return run(cli, argv, cli.name)
    except SQLAlchemyError as error:
        print(f"error: database: {str(error).splitlines()[0]}", file=sys.stderr)
        return 2
    except (RuntimeError, ValueError) as error:
        from database.migrate import MigrationError  # deferred: command
        from webapp.release import ReleaseError  # deferred: command

        if not isinstance(error, (ReleaseError, MigrationError, ValueError)):
            raise
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
