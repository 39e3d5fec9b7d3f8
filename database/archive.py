"""Backup files: their names, durable writing, the manifest (write, read, check against the archive).

A backup is two files in the backup folder: the archive (``pg_dump -Fc`` for PostgreSQL, a copy made with
SQLite's online backup API for SQLite) and ``<archive>.manifest.json`` (per-table row counts and content
checksums, schema version, tool versions, the archive's sha256). Both are written under a temporary name,
flushed to disk and renamed; the manifest comes last, so a backup without a manifest is incomplete.
"""

from __future__ import annotations

import json
import os
import sys
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.engine import URL

from database.checksums import CHECKSUM_METHOD, file_sha256

PREFIX = "homecredit-"
MANIFEST_SUFFIX = ".manifest.json"
MANIFEST_FORMAT = "homecredit-backup/1"
Progress = Callable[[str], None]


class BackupError(RuntimeError):
    """A backup, restore or verification that cannot be trusted; the message says why and what to do."""


def stderr_progress(message: str) -> None:
    """Default progress: one line on standard error."""
    print(message, file=sys.stderr, flush=True)


# --- durable files ---------------------------------------------------------------------------


def fsync(path: Path) -> None:
    """Flush a file (or a folder's entries) to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def publish(temporary: Path, final: Path) -> None:
    """Make a finished temporary file visible under its final name, durably (fsync, rename, fsync folder)."""
    fsync(temporary)
    os.replace(temporary, final)
    fsync(final.parent)


def partial(final: Path) -> Path:
    """The temporary name a file is written under before it is complete."""
    return final.with_name(f".{final.name}.{uuid.uuid4().hex[:8]}.partial")


@contextmanager
def atomic_file(final: Path) -> Iterator[Path]:
    """A temporary path to write ``final`` under: published durably when the block ends, removed on an error,
    so a half-written file never takes the place of a good one."""
    temporary = partial(final)
    try:
        yield temporary
        publish(temporary, final)
    finally:
        temporary.unlink(missing_ok=True)


def sqlite_path(url: URL) -> Path:
    """The file of a SQLite URL (an in-memory database cannot be backed up)."""
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up or restored")
    return Path(url.database)


# --- manifest --------------------------------------------------------------------------------


def manifest_path(archive: Path) -> Path:
    """Where the manifest of an archive lives."""
    return archive.with_name(archive.name + MANIFEST_SUFFIX)


def write_manifest(archive: Path, manifest: dict) -> Path:
    """Write the manifest next to the archive, atomically; its path."""
    final = manifest_path(archive)
    with atomic_file(final) as temporary:
        temporary.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return final


def read_manifest(archive: Path) -> dict:
    """The manifest of an archive; a BackupError if the archive or its manifest is missing or unreadable."""
    archive = Path(archive)
    if not archive.is_file():
        raise BackupError(f"no backup archive at {archive}")
    path = manifest_path(archive)
    if not path.is_file():
        raise BackupError(
            f"{archive.name} has no manifest ({path.name}): the backup is incomplete "
            "(it crashed or is still running); use another backup"
        )
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise BackupError(f"{path.name} is not a readable manifest ({error}); use another backup") from None
    if not isinstance(manifest, dict) or manifest.get("format") != MANIFEST_FORMAT:
        raise BackupError(f"{path.name} is not a manifest of format {MANIFEST_FORMAT}")
    if manifest.get("checksum_method") != CHECKSUM_METHOD:
        raise BackupError(f"{path.name} holds checksums computed another way "
                          f"({manifest.get('checksum_method')!r}); verify it with the version that made it")
    return manifest


def check_archive(archive: Path, manifest: dict) -> None:
    """Raise a BackupError if the archive's size or sha256 differs from its manifest."""
    size = Path(archive).stat().st_size
    if size != manifest["archive_bytes"]:
        raise BackupError(
            f"{Path(archive).name} is truncated or altered: {size} bytes where the manifest says "
            f"{manifest['archive_bytes']}; do not restore it, use another backup"
        )
    digest = file_sha256(archive)
    if digest != manifest["archive_sha256"]:
        raise BackupError(
            f"{Path(archive).name} is corrupted: sha256 {digest[:16]}… differs from the manifest's "
            f"{manifest['archive_sha256'][:16]}…; do not restore it, use another backup"
        )
