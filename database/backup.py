"""Back up the database and keep the last N backups; the ``backup``, ``restore`` and ``verify`` commands.

A backup is an archive and its manifest (database/archive.py) holding per-table checksums
(database/checksums.py); restoring and verifying it is database/restore.py. The names used by callers of
earlier versions (``restore``, ``verify``, ``BackupError``, ``manifest_path``...) are importable from here.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import click
import sqlalchemy
from sqlalchemy import text
from sqlalchemy.engine import URL

from database.archive import (
    MANIFEST_FORMAT,
    MANIFEST_SUFFIX,
    PREFIX,
    BackupError,
    Progress,
    atomic_file,
    check_archive,
    manifest_path,
    read_manifest,
    sqlite_path,
    stderr_progress,
    write_manifest,
)
from database.checksums import (
    CHECKSUM_METHOD,
    compare_checksums,
    file_sha256,
    sqlite_file_checksums,
    table_checksums,
)
from database.config import database_url, get_engine
from database.pgtools import libpq_target, tool_version
from database.restore import restore, verify
from database.schema import SCHEMA_VERSION
from database.security import InsecureDatabaseURL, check_url, mask_secrets, mask_url
from settings.cli import fail

__all__ = [
    "CHECKSUM_METHOD", "COMMANDS", "MANIFEST_FORMAT", "MANIFEST_SUFFIX", "PREFIX", "BackupError", "Progress",
    "apply_retention", "backup", "check_archive", "compare_checksums", "file_sha256", "libpq_target",
    "manifest_path", "read_manifest", "restore", "table_checksums", "verify", "write_manifest",
]


def _sqlite_copy(source: Path, target: Path) -> None:
    """Copy a SQLite database page by page with the online backup API (consistent even while written)."""
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=DELETE")  # a single self-contained file
    finally:
        dst.close()
        src.close()


def _backup_sqlite(url: URL, archive: Path) -> tuple[dict, dict]:
    """Write the SQLite archive; its checksums and tool versions."""
    source = sqlite_path(url)
    if not source.is_file():
        raise BackupError(f"no SQLite database at {source}: nothing to back up")
    _sqlite_copy(source, archive)
    return sqlite_file_checksums(archive), {"sqlite": sqlite3.sqlite_version}


def _backup_postgres(url: URL, archive: Path) -> tuple[dict, dict]:
    """Run pg_dump -Fc on an exported snapshot while reading the checksums in that same snapshot."""
    conninfo, env = libpq_target(url)
    engine = get_engine(url.render_as_string(hide_password=False))
    try:
        with engine.connect() as connection:
            connection = connection.execution_options(isolation_level="REPEATABLE READ")
            with connection.begin():
                snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar()
                server = connection.execute(text("SHOW server_version")).scalar()
                dump = subprocess.Popen(
                    ["pg_dump", "-Fc", f"--snapshot={snapshot}", f"--file={archive}", conninfo],
                    env=env,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                )
                checksums = table_checksums(connection)
                _, errors = dump.communicate()
    finally:
        engine.dispose()
    if dump.returncode != 0:
        raise BackupError(f"pg_dump failed on {mask_url(url)}: {mask_secrets(errors.strip(), url.password)}")
    return checksums, {"pg_dump": tool_version("pg_dump"), "server": str(server)}


def backup(url: str, out_dir: Path, keep: int | None = None, progress: Progress = stderr_progress) -> Path:
    """Back up the database of ``url`` into ``out_dir``; the manifest's path (written last)."""
    parsed = check_url(url)
    postgres = parsed.get_backend_name().startswith("postgres")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC)
    archive = out_dir / f"{PREFIX}{stamp:%Y%m%dT%H%M%S.%f}Z{'.dump' if postgres else '.sqlite'}"
    started = time.perf_counter()
    progress(f"backup: {mask_url(parsed)} -> {archive}")
    with atomic_file(archive) as temporary:
        checksums, tools = (_backup_postgres if postgres else _backup_sqlite)(parsed, temporary)
    tools.update({"python": sys.version.split()[0], "sqlalchemy": sqlalchemy.__version__})
    manifest = {
        "format": MANIFEST_FORMAT,
        "created_at": stamp.isoformat(),
        "backend": "postgresql" if postgres else "sqlite",
        "database": mask_url(parsed),
        "schema_version": SCHEMA_VERSION,
        "archive": archive.name,
        "archive_bytes": archive.stat().st_size,
        "archive_sha256": file_sha256(archive),
        "seconds": round(time.perf_counter() - started, 3),
        "tools": tools,
        "checksum_method": CHECKSUM_METHOD,
        "tables": checksums,
    }
    manifest_path = write_manifest(archive, manifest)
    rows = sum(t["rows"] for t in checksums.values())
    progress(
        f"backup complete: {archive.name}, {len(checksums)} tables, {rows} rows, "
        f"{manifest['archive_bytes'] / 1e6:.1f} MB in {manifest['seconds']:.1f} s"
    )
    if keep is not None:
        for removed in apply_retention(out_dir, keep):
            progress(f"retention: removed {removed.name}")
    return manifest_path


def apply_retention(out_dir: Path, keep: int) -> list[Path]:
    """Keep the ``keep`` newest complete backups; remove older ones and leftovers older than those kept."""
    if keep < 1:
        raise ValueError(f"--keep must be at least 1, got {keep}")
    manifests = sorted(Path(out_dir).glob(f"{PREFIX}*{MANIFEST_SUFFIX}"))
    kept, old = manifests[-keep:], manifests[:-keep]
    removed: list[Path] = []
    for manifest in old:  # manifest first: a crash here leaves an incomplete backup, never a false one
        archive = manifest.with_name(manifest.name[: -len(MANIFEST_SUFFIX)])
        for path in (manifest, archive):
            if path.exists():
                path.unlink()
                removed.append(path)
    if kept:
        oldest_kept = kept[0].stat().st_mtime
        complete = {m.name[: -len(MANIFEST_SUFFIX)] for m in kept}
        for path in Path(out_dir).iterdir():
            leftover = path.name.endswith(".partial") or (
                path.name.startswith(PREFIX) and not path.name.endswith(MANIFEST_SUFFIX)
                and path.name not in complete
            )
            if leftover and path.stat().st_mtime < oldest_kept:
                path.unlink()
                removed.append(path)
    return removed


# --- command line (registered by database/__main__.py) ---------------------------------------


ARCHIVE = click.Path(path_type=Path)  # the ARCHIVE argument of restore and verify: its .manifest.json sits next to it


def _guarded(run: Callable[[], object]) -> None:
    """Run one command; expected failures print one line and exit 2."""
    try:
        run()
    except (BackupError, InsecureDatabaseURL, ValueError) as error:
        fail(str(error), 2)


def _database_url() -> str:
    """DATABASE_URL as configured (the embedded SQLite file by default)."""
    return database_url()


@click.command("backup", help="back up the database: archive + manifest with per-table checksums")
@click.option("--out", type=click.Path(path_type=Path), required=True,
              help="folder receiving the archive and its manifest")
@click.option("--keep", type=int, default=None, help="keep only the N newest complete backups of that folder")
def backup_command(out: Path, keep: int | None) -> None:
    """``backup``."""
    _guarded(lambda: backup(_database_url(), out, keep))


@click.command("restore", short_help="restore a backup into DATABASE_URL (refuses a non-empty one without --force)",
               help="restore a backup ARCHIVE (its .manifest.json next to it) into DATABASE_URL "
                               "(refuses a non-empty database without --force)")
@click.argument("archive", type=ARCHIVE)
@click.option("--force", is_flag=True, help="replace the content of a non-empty database")
def restore_command(archive: Path, force: bool) -> None:
    """``restore ARCHIVE``."""
    _guarded(lambda: restore(archive, _database_url(), force))


@click.command("verify", short_help="check a backup: archive sha256, then a restore into a scratch database",
               help="check a backup ARCHIVE (its .manifest.json next to it): archive sha256, then restore "
                              "into a scratch database and compare checksums")
@click.argument("archive", type=ARCHIVE)
@click.option("--server-url", default=None, help="PostgreSQL server for the scratch database "
                                                 "(default: DATABASE_ADMIN_URL, then DATABASE_URL; needs CREATEDB)")
def verify_command(archive: Path, server_url: str | None) -> None:
    """``verify ARCHIVE``."""
    _guarded(lambda: verify(archive, server_url))


COMMANDS = (backup_command, restore_command, verify_command)
