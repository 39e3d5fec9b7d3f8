"""The API's commands: ``create-key`` (also ``flask --app api create-key NAME``, registered by create_app)."""

from __future__ import annotations

import click
from flask import Flask

from api.auth import check_name, entry, new_key
from settings.cli import fail


@click.command("create-key", short_help="make a new API key and print its SCORING_API_KEYS entry",
               help="make a new API key for NAME, the caller recorded in the audit trail (letters, digits, . _ -), "
                    "and print its SCORING_API_KEYS entry; the key is shown once and stored nowhere")
@click.argument("name")
@click.option("--format", "fmt", type=click.Choice(("text", "env")), default="text",
              help="env: print SCORING_API_KEY=<key> and SCORING_API_KEYS=<entry> lines for scripts")
@click.option("--write", is_flag=True, help="the key may also record reviews (write scope)")
def create_key(name: str, fmt: str, write: bool) -> None:
    """Print a new key (shown once, never stored) and the SCORING_API_KEYS entry that accepts it."""
    try:
        check_name(name)
    except ValueError as exc:
        fail(str(exc), 2)
    key = new_key()
    if fmt == "env":  # for scripts: `set -a; . file; set +a` gives the server and a client what they need
        click.echo(f"SCORING_API_KEY={key}")
        click.echo(f"SCORING_API_KEYS={entry(name, key, write)}")
        return
    click.echo(f"API key for {name} (shown once; give it to the caller, do not store it here):")
    click.echo(f"  {key}")
    click.echo("Add this entry to SCORING_API_KEYS (comma-separated with the others):")
    click.echo(f"  {entry(name, key, write)}")


def init_app(app: Flask) -> None:
    """Register the commands with ``flask --app api``."""
    app.cli.add_command(create_key)
