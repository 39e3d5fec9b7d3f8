"""Command line of the database package: ``python -m database init|load|docs ...`` (see ``--help``)."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from sqlalchemy.exc import SQLAlchemyError

from database.backup import COMMANDS as BACKUP_COMMANDS
from database.config import database_url, masked
from database.csv_reader import LoadError
from database.datamodel_doc import DOC_PATH, render_document
from database.loader import format_summary
from database.loader import load as load_files
from database.migrate import MigrationError
from database.migrate import migrate as upgrade
from database.roles import COMMANDS as ROLES_COMMANDS
from settings.cli import CONTEXT, run


@click.group(name="python -m database", context_settings=CONTEXT,
             help="Database tools. The database is DATABASE_URL (default: SQLite data/homecredit.db).")
def cli() -> None:
    """The commands of the database package."""


def _tables(text: str) -> list[str]:
    """``--tables``: a comma-separated list."""
    return [t.strip() for t in text.split(",") if t.strip()]


@cli.command(help="validate and load Home Credit CSV files (one transaction, all or nothing)")
@click.option("--source", type=click.Path(path_type=Path), multiple=True, required=True,
              help="folder holding the Home Credit CSV files, or one CSV file (repeatable)")
@click.option("--strict", is_flag=True, help="refuse the whole load if any row would be rejected")
@click.option("--tables", default=None, help="comma-separated tables to load (default: every table with a file)")
@click.option("--batch-size-mb", type=float, default=16.0,
              help="size of the blocks of CSV read at a time (bounds memory)")
def load(source: tuple[Path, ...], strict: bool, tables: str | None, batch_size_mb: float) -> None:
    """Run ``load``."""
    summary = load_files(list(source), strict=strict, tables=_tables(tables) if tables is not None else None,
                         block_size=max(1, int(batch_size_mb * (1 << 20))))
    print(format_summary(summary))


def _migrate(revision: str) -> None:
    """Upgrade the schema to ``revision`` and say what changed."""
    where = masked(database_url())
    print(f"Migrating {where} ...", flush=True)
    before, after = upgrade(revision=revision)
    change = f"upgraded from {before or 'an empty schema'} to {after}" if before != after else f"already at {after}"
    print(f"Schema ready in {where}: {change}")


@cli.command(help="create the schema, or upgrade it to the newest revision (same as migrate)")
def init() -> None:
    """Run ``init``: ``migrate`` to the newest revision."""
    _migrate("head")


@cli.command(help="apply the schema migrations the database lacks (Alembic upgrade)")
@click.option("--revision", default="head", help="revision to upgrade to (head: the newest)")
def migrate(revision: str) -> None:
    """Run ``migrate``."""
    _migrate(revision)


@cli.command(help="regenerate the generated sections of docs/data-model.md from the models")
@click.option("--check", is_flag=True, help="do not write; exit 1 if docs/data-model.md differs from the models")
def docs(check: bool) -> int:
    """Run ``docs``."""
    expected = render_document(DOC_PATH.read_text(encoding="utf-8") if DOC_PATH.exists() else None)
    if check:
        same = DOC_PATH.exists() and DOC_PATH.read_text(encoding="utf-8") == expected
        print(f"{DOC_PATH} is {'up to date' if same else 'out of date: run python -m database docs'}")
        return 0 if same else 1
    DOC_PATH.write_text(expected, encoding="utf-8")
    print(f"Wrote {DOC_PATH}")
    return 0


# backup, restore, verify (database/backup.py) and init-roles (database/roles.py)
for _command in (*BACKUP_COMMANDS, *ROLES_COMMANDS):
    cli.add_command(_command)


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run the subcommand; expected failures print one line (exit 2)."""
    try:
        return run(cli, argv, cli.name)
    except (LoadError, MigrationError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except SQLAlchemyError as error:
        print(f"error: database: {str(error).splitlines()[0]}", file=sys.stderr)
        return 2
    except (KeyboardInterrupt, click.Abort):
        print("interrupted: the transaction was rolled back, the database is unchanged", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
