"""Command line of the API: ``python -m api create-key NAME`` and ``python -m api serve``."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from api.commands import create_key
from api.config import ApiSettings
from settings import SettingsError
from settings.cli import CONTEXT, fail, run

CONF = Path(__file__).resolve().parent / "gunicorn.conf.py"


@click.group(name="python -m api", context_settings=CONTEXT, help="Home Credit scoring API.")
def cli() -> None:
    """The commands of the API."""


cli.add_command(create_key)


@cli.command(help="run the API with gunicorn (api/gunicorn.conf.py)")
@click.option("--host", default="127.0.0.1", help="address to listen on with --port")
@click.option("--port", type=int, default=None,
              help="port (default: $SCORING_BIND, else 0.0.0.0:$PORT, else 127.0.0.1:8000)")
@click.option("--workers", type=int, default=None, help="worker processes (default: $WEB_CONCURRENCY or 2)")
def serve(host: str, port: int | None, workers: int | None) -> None:
    """Replace this process with gunicorn running the app with api/gunicorn.conf.py (a wrong setting: exit 2)."""
    try:
        ApiSettings.from_env()  # checked here in one line, rather than in a traceback of gunicorn's master
    except SettingsError as error:
        fail(str(error))
    if port:
        os.environ["SCORING_BIND"] = f"{host}:{port}"
    if workers:
        os.environ["WEB_CONCURRENCY"] = str(workers)
    os.execv(sys.executable, [sys.executable, "-m", "gunicorn", "--config", str(CONF), "api:create_app()"])


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run the command."""
    return run(cli, argv, cli.name)


if __name__ == "__main__":
    sys.exit(main())
