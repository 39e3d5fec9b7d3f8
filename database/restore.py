"""Restore a checked backup into a database, and verify a backup by restoring it into a scratch database."""

from __future__ import annotations

import os
import sqlite3
import tempfile
import time
import uuid
from pathlib import Path

import sqlalchemy
from sqlalchemy.engine import URL, make_url

from database.archive import (
    BackupError,
    Progress,
    check_archive,
    read_manifest,
    sqlite_path,
    stderr_progress,
)
from database.checksums import checksums_of, compare_checksums
from database.config import get_engine
from database.pgtools import libpq_target, run_tool
from database.security import check_url, mask_url


def existing_tables(url: URL) -> list[str]:
    """The tables already in the target database (none if a SQLite file does not exist yet)."""
    if not url.get_backend_name().startswith("postgres") and not sqlite_path(url).exists():
        return []
    engine = get_engine(url.render_as_string(hide_password=False))
    try:
        return sorted(sqlalchemy.inspect(engine).get_table_names())
    finally:
        engine.dispose()


def restore_into(archive: Path, url: URL, clean: bool) -> None:
    """Load an archive into the database of ``url`` (pg_restore, or SQLite's backup API in reverse)."""
    if url.get_backend_name().startswith("postgres"):
        conninfo, env = libpq_target(url)
        command = ["pg_restore", "--no-owner", "--no-acl", "--exit-on-error", "--single-transaction"]
        command += ["--clean", "--if-exists"] if clean else []
        run_tool([*command, f"--dbname={conninfo}", str(archive)], env, url)
        return
    target = sqlite_path(url)
    target.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(f"file:{archive}?mode=ro&immutable=1", uri=True)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def restore(archive: Path, url: str, force: bool = False, progress: Progress = stderr_progress) -> dict:
    """Restore a checked archive into the database of ``url`` (empty unless ``force``); its checksums."""
    archive = Path(archive)
    manifest = read_manifest(archive)
    check_archive(archive, manifest)
    parsed = check_url(url)
    backend = "postgresql" if parsed.get_backend_name().startswith("postgres") else "sqlite"
    if backend != manifest["backend"]:
        raise BackupError(f"{archive.name} is a {manifest['backend']} backup; DATABASE_URL is {backend}")
    existing = existing_tables(parsed)
    if existing and not force:
        raise BackupError(
            f"{mask_url(parsed)} is not empty (tables {', '.join(existing)}): "
            "restore into an empty database, or pass --force to replace its content"
        )
    started = time.perf_counter()
    progress(f"restore: {archive.name} -> {mask_url(parsed)}")
    restore_into(archive, parsed, clean=bool(existing))
    checksums = checksums_of(parsed)
    problems = compare_checksums(manifest["tables"], checksums)
    if problems:
        raise BackupError(f"restored database differs from {archive.name}: " + "; ".join(problems))
    rows = sum(t["rows"] for t in checksums.values())
    progress(
        f"restore complete: {len(checksums)} tables, {rows} rows, checksums match the manifest, "
        f"in {time.perf_counter() - started:.1f} s"
        + ("; run `python -m database init-roles` to re-apply roles and privileges" if backend == "postgresql" else "")
    )
    return checksums


def verify(archive: Path, server_url: str | None = None, progress: Progress = stderr_progress) -> dict:
    """Check an archive's sha256, restore it into a scratch database and compare every table checksum."""
    archive = Path(archive)
    manifest = read_manifest(archive)
    check_archive(archive, manifest)
    progress(f"verify: {archive.name} matches its sha256; restoring into a scratch database")
    if manifest["backend"] == "sqlite":
        with tempfile.TemporaryDirectory(prefix="homecredit-verify-") as folder:
            scratch = make_url(f"sqlite:///{Path(folder) / 'scratch.db'}")
            restore_into(archive, scratch, clean=False)
            with sqlite3.connect(sqlite_path(scratch)) as connection:
                integrity = connection.execute("PRAGMA integrity_check").fetchone()[0]
            if integrity != "ok":
                raise BackupError(f"{archive.name} holds a damaged SQLite database: {integrity}")
            checksums = checksums_of(scratch)
    else:
        checksums = _verify_postgres(archive, server_url)
    problems = compare_checksums(manifest["tables"], checksums)
    if problems:
        raise BackupError(f"{archive.name} does not restore to what was backed up: " + "; ".join(problems))
    progress(f"verify complete: {archive.name} is sound ({len(checksums)} tables, checksums match)")
    return checksums


def _verify_postgres(archive: Path, server_url: str | None) -> dict:
    """Restore into a temporary database of the server of ``server_url`` (needs CREATEDB), checksum, drop it."""
    server_url = server_url or os.environ.get("DATABASE_ADMIN_URL") or os.environ.get("DATABASE_URL")
    if not server_url or not make_url(server_url).get_backend_name().startswith("postgres"):
        raise BackupError(
            "verifying a PostgreSQL backup needs a PostgreSQL server: set DATABASE_ADMIN_URL "
            "(a role allowed to create databases) or pass --server-url"
        )
    server = check_url(server_url)
    name = f"homecredit_verify_{uuid.uuid4().hex[:10]}"
    admin = get_engine(server.render_as_string(hide_password=False), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        try:
            scratch = server.set(database=name)
            restore_into(archive, scratch, clean=False)
            return checksums_of(scratch)
        finally:
            with admin.connect() as connection:
                connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        admin.dispose()
