"""Command line of the database package: ``python -m database init|load|docs ...`` (see ``--help``)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from database.backup import COMMANDS as BACKUP_COMMANDS
from database.config import database_url, masked
from database.roles import COMMANDS as ROLES_COMMANDS

#: Each subcommand: (help line, function adding its arguments, function running it and returning the exit code).
Command = tuple[str, Callable[[argparse.ArgumentParser], None], Callable[[argparse.Namespace], int]]


def _load_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``load``."""
    parser.add_argument("--source", action="append", type=Path, required=True,
                        help="folder holding the Home Credit CSV files, or one CSV file (repeatable)")
    parser.add_argument("--strict", action="store_true",
                        help="refuse the whole load if any row would be rejected")
    parser.add_argument("--tables", type=lambda s: [t.strip() for t in s.split(",") if t.strip()],
                        help="comma-separated tables to load (default: every table with a file)")
    parser.add_argument("--batch-size-mb", type=float, default=16.0,
                        help="size of the blocks of CSV read at a time (bounds memory; default 16)")


def _run_load(args: argparse.Namespace) -> int:
    """Run ``load``."""
    from database.loader import format_summary, load

    summary = load(args.source, strict=args.strict, tables=args.tables,
                   block_size=max(1, int(args.batch_size_mb * (1 << 20))))
    print(format_summary(summary))
    return 0


def _migrate_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``migrate``."""
    parser.add_argument("--revision", default="head",
                        help="revision to upgrade to (default: head, the newest)")


def _run_migrate(args: argparse.Namespace) -> int:
    """Run ``migrate`` (and ``init``, which is ``migrate`` to the newest revision)."""
    from database.migrate import migrate

    where = masked(database_url())
    print(f"Migrating {where} ...", flush=True)
    before, after = migrate(revision=getattr(args, "revision", "head"))
    change = f"upgraded from {before or 'an empty schema'} to {after}" if before != after else f"already at {after}"
    print(f"Schema ready in {where}: {change}")
    return 0


def _docs_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``docs``."""
    parser.add_argument("--check", action="store_true",
                        help="do not write; exit 1 if docs/data-model.md differs from the models")


def _run_docs(args: argparse.Namespace) -> int:
    """Run ``docs``."""
    from database.datamodel_doc import DOC_PATH, render_document

    expected = render_document(DOC_PATH.read_text(encoding="utf-8") if DOC_PATH.exists() else None)
    if args.check:
        same = DOC_PATH.exists() and DOC_PATH.read_text(encoding="utf-8") == expected
        print(f"{DOC_PATH} is {'up to date' if same else 'out of date: run python -m database docs'}")
        return 0 if same else 1
    DOC_PATH.write_text(expected, encoding="utf-8")
    print(f"Wrote {DOC_PATH}")
    return 0


COMMANDS: dict[str, Command] = {
    "init": ("create the schema, or upgrade it to the newest revision (same as migrate)", lambda p: None,
             _run_migrate),
    "migrate": ("apply the schema migrations the database lacks (Alembic upgrade)", _migrate_arguments,
                _run_migrate),
    "load": ("validate and load Home Credit CSV files (one transaction, all or nothing)", _load_arguments,
             _run_load),
    "docs": ("regenerate the generated sections of docs/data-model.md from the models", _docs_arguments,
             _run_docs),
    # backup, restore, verify (database/backup.py) and init-roles (database/roles.py)
    **BACKUP_COMMANDS,
    **ROLES_COMMANDS,
}


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with one subcommand per entry of COMMANDS."""
    parser = argparse.ArgumentParser(prog="python -m database",
                                     description="Database tools. The database is DATABASE_URL "
                                                 "(default: SQLite data/homecredit.db).")
    subparsers = parser.add_subparsers(dest="command", required=True)
    for name, (help_line, add_arguments, run) in COMMANDS.items():
        sub = subparsers.add_parser(name, help=help_line, description=help_line)
        add_arguments(sub)
        sub.set_defaults(run=run)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run the subcommand; expected failures print one line (exit 2)."""
    from database.csv_reader import LoadError
    from database.migrate import MigrationError

    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except (LoadError, MigrationError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except SQLAlchemyError as error:
        print(f"error: database: {str(error).splitlines()[0]}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted: the transaction was rolled back, the database is unchanged", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
