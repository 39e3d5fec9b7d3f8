"""Back up, restore and verify the database; keep the last N backups.

A backup is two files in the backup folder: the archive (``pg_dump -Fc`` for PostgreSQL, a copy made with
SQLite's online backup API for SQLite) and ``<archive>.manifest.json`` (per-table row counts and content
checksums, schema version, tool versions, the archive's sha256). Both are written under a temporary name,
flushed to disk and renamed; the manifest comes last, so a backup without a manifest is incomplete.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy
from sqlalchemy import Connection, MetaData, text
from sqlalchemy.engine import URL, make_url

from database.schema import SCHEMA_VERSION
from database.security import check_url, mask_secrets, mask_url

PREFIX = "homecredit-"
MANIFEST_SUFFIX = ".manifest.json"
MANIFEST_FORMAT = "homecredit-backup/1"
#: How table checksums are computed; verify refuses to compare checksums made another way.
CHECKSUM_METHOD = "sha256 of repr(row) per line, primary-key order, UTC timestamps; v1"
Progress = Callable[[str], None]


class BackupError(RuntimeError):
    """A backup, restore or verification that cannot be trusted; the message says why and what to do."""


def _stderr(message: str) -> None:
    """Default progress: one line on standard error."""
    print(message, file=sys.stderr, flush=True)


# --- checksums -------------------------------------------------------------------------------


def table_checksums(connection: Connection) -> dict[str, dict[str, object]]:
    """Row count and sha256 of every table, rows read in primary-key order (all columns if no key).

    Each row is hashed as the ``repr`` of the driver's values (exact floats, quoted strings, ``None`` for
    NULL), timestamps in UTC: stable for one backend, whatever the client's time zone.
    """
    metadata = MetaData()
    metadata.reflect(bind=connection)
    postgres = connection.dialect.name == "postgresql"
    if postgres:
        connection.exec_driver_sql("SET LOCAL TIME ZONE 'UTC'")
    quote = connection.dialect.identifier_preparer.quote
    raw = connection.connection.dbapi_connection
    result: dict[str, dict[str, object]] = {}
    for number, name in enumerate(sorted(metadata.tables)):
        table = metadata.tables[name]
        order = list(table.primary_key.columns) or list(table.columns)
        sql = (f"SELECT {', '.join(quote(c.name) for c in table.columns)} FROM {quote(name)} "
               f"ORDER BY {', '.join(quote(c.name) for c in order)}")
        cursor = raw.cursor(f"checksum_{number}") if postgres else raw.cursor()  # server-side on PostgreSQL
        try:
            cursor.execute(sql)
            digest, rows = hashlib.sha256(), 0
            while batch := cursor.fetchmany(20_000):
                digest.update("".join("\t".join(map(repr, row)) + "\n" for row in batch).encode())
                rows += len(batch)
        finally:
            cursor.close()
        result[name] = {"rows": rows, "sha256": digest.hexdigest()}
    return result


def file_sha256(path: Path) -> str:
    """The sha256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# --- durable files ---------------------------------------------------------------------------


def _fsync(path: Path) -> None:
    """Flush a file (or a folder's entries) to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _publish(temporary: Path, final: Path) -> None:
    """Make a finished temporary file visible under its final name, durably (fsync, rename, fsync folder)."""
    _fsync(temporary)
    os.replace(temporary, final)
    _fsync(final.parent)


def _partial(final: Path) -> Path:
    """The temporary name a file is written under before it is complete."""
    return final.with_name(f".{final.name}.{uuid.uuid4().hex[:8]}.partial")


# --- PostgreSQL tools --------------------------------------------------------------------------

_LIBPQ_QUERY_KEYS = {"sslmode", "sslrootcert", "sslcert", "sslkey", "sslcrl", "connect_timeout", "host"}


def libpq_target(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq connection string without the password, and the environment carrying it (never in argv)."""
    parts = {"dbname": url.database or "", "user": url.username or ""}
    if url.host:
        parts["host"] = url.host
    if url.port:
        parts["port"] = str(url.port)
    for key, value in url.query.items():
        if key in _LIBPQ_QUERY_KEYS:
            parts[key] = value if isinstance(value, str) else value[0]
    conninfo = " ".join(
        f"{k}='{v.replace(chr(92), chr(92) * 2).replace(chr(39), chr(92) + chr(39))}'"
        for k, v in parts.items()
        if v
    )
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = url.password
    return conninfo, env


def _run_tool(command: list[str], env: dict[str, str], url: URL) -> None:
    """Run pg_dump/pg_restore; a BackupError with its (password-free) message if it fails."""
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        message = mask_secrets(done.stderr.strip() or done.stdout.strip(), url.password)
        raise BackupError(f"{command[0]} failed on {mask_url(url)}: {message}")


def _tool_version(tool: str) -> str:
    """The version line of a command-line tool, or 'absent'."""
    try:
        return subprocess.run([tool, "--version"], capture_output=True, text=True).stdout.strip()
    except FileNotFoundError:
        return "absent"


# --- backup ----------------------------------------------------------------------------------


def _sqlite_path(url: URL) -> Path:
    """The file of a SQLite URL (an in-memory database cannot be backed up)."""
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up or restored")
    return Path(url.database)


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


def _sqlite_checksums(path: Path) -> dict[str, dict[str, object]]:
    """Table checksums of a SQLite file opened read-only (the file is not changed)."""
    engine = sqlalchemy.create_engine(f"sqlite:///file:{path}?mode=ro&immutable=1&uri=true")
    try:
        with engine.connect() as connection:
            return table_checksums(connection)
    finally:
        engine.dispose()


def _backup_sqlite(url: URL, archive: Path) -> tuple[dict, dict]:
    """Write the SQLite archive; its checksums and tool versions."""
    source = _sqlite_path(url)
    if not source.is_file():
        raise BackupError(f"no SQLite database at {source}: nothing to back up")
    _sqlite_copy(source, archive)
    return _sqlite_checksums(archive), {"sqlite": sqlite3.sqlite_version}


def _backup_postgres(url: URL, archive: Path) -> tuple[dict, dict]:
    """Run pg_dump -Fc on an exported snapshot while reading the checksums in that same snapshot."""
    from database.config import get_engine

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
    return checksums, {"pg_dump": _tool_version("pg_dump"), "server": str(server)}


def backup(url: str, out_dir: Path, keep: int | None = None, progress: Progress = _stderr) -> Path:
    """Back up the database of ``url`` into ``out_dir``; the manifest's path (written last)."""
    parsed = check_url(url)
    postgres = parsed.get_backend_name().startswith("postgres")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC)
    archive = out_dir / f"{PREFIX}{stamp:%Y%m%dT%H%M%S.%f}Z{'.dump' if postgres else '.sqlite'}"
    temporary = _partial(archive)
    started = time.perf_counter()
    progress(f"backup: {mask_url(parsed)} -> {archive}")
    try:
        checksums, tools = (_backup_postgres if postgres else _backup_sqlite)(parsed, temporary)
        _publish(temporary, archive)
    finally:
        temporary.unlink(missing_ok=True)
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


def manifest_path(archive: Path) -> Path:
    """Where the manifest of an archive lives."""
    return archive.with_name(archive.name + MANIFEST_SUFFIX)


def write_manifest(archive: Path, manifest: dict) -> Path:
    """Write the manifest next to the archive, atomically; its path."""
    final = manifest_path(archive)
    temporary = _partial(final)
    temporary.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    _publish(temporary, final)
    return final


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


# --- restore and verify ----------------------------------------------------------------------


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


def compare_checksums(expected: dict, actual: dict) -> list[str]:
    """One line per table whose rows or content differ between the manifest and a database."""
    problems = []
    for name in sorted(set(expected) | set(actual)):
        if name not in actual:
            problems.append(f"table {name} is missing")
        elif name not in expected:
            problems.append(f"table {name} is not in the backup")
        elif actual[name]["rows"] != expected[name]["rows"]:
            problems.append(f"table {name}: {actual[name]['rows']} rows, backup has {expected[name]['rows']}")
        elif actual[name]["sha256"] != expected[name]["sha256"]:
            problems.append(f"table {name}: same row count but different content")
    return problems


def _existing_tables(url: URL) -> list[str]:
    """The tables already in the target database (none if a SQLite file does not exist yet)."""
    from database.config import get_engine

    if not url.get_backend_name().startswith("postgres") and not _sqlite_path(url).exists():
        return []
    engine = get_engine(url.render_as_string(hide_password=False))
    try:
        return sorted(sqlalchemy.inspect(engine).get_table_names())
    finally:
        engine.dispose()


def _checksums_of(url: URL) -> dict:
    """Table checksums of the database of ``url``."""
    from database.config import get_engine

    engine = get_engine(url.render_as_string(hide_password=False))
    try:
        with engine.connect() as connection:
            return table_checksums(connection)
    finally:
        engine.dispose()


def _restore_into(archive: Path, url: URL, clean: bool) -> None:
    """Load an archive into the database of ``url`` (pg_restore, or SQLite's backup API in reverse)."""
    if url.get_backend_name().startswith("postgres"):
        conninfo, env = libpq_target(url)
        command = ["pg_restore", "--no-owner", "--no-acl", "--exit-on-error", "--single-transaction"]
        command += ["--clean", "--if-exists"] if clean else []
        _run_tool([*command, f"--dbname={conninfo}", str(archive)], env, url)
        return
    target = _sqlite_path(url)
    target.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(f"file:{archive}?mode=ro&immutable=1", uri=True)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def restore(archive: Path, url: str, force: bool = False, progress: Progress = _stderr) -> dict:
    """Restore a checked archive into the database of ``url`` (empty unless ``force``); its checksums."""
    archive = Path(archive)
    manifest = read_manifest(archive)
    check_archive(archive, manifest)
    parsed = check_url(url)
    backend = "postgresql" if parsed.get_backend_name().startswith("postgres") else "sqlite"
    if backend != manifest["backend"]:
        raise BackupError(f"{archive.name} is a {manifest['backend']} backup; DATABASE_URL is {backend}")
    existing = _existing_tables(parsed)
    if existing and not force:
        raise BackupError(
            f"{mask_url(parsed)} is not empty (tables {', '.join(existing)}): "
            "restore into an empty database, or pass --force to replace its content"
        )
    started = time.perf_counter()
    progress(f"restore: {archive.name} -> {mask_url(parsed)}")
    _restore_into(archive, parsed, clean=bool(existing))
    checksums = _checksums_of(parsed)
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


def verify(archive: Path, server_url: str | None = None, progress: Progress = _stderr) -> dict:
    """Check an archive's sha256, restore it into a scratch database and compare every table checksum."""
    archive = Path(archive)
    manifest = read_manifest(archive)
    check_archive(archive, manifest)
    progress(f"verify: {archive.name} matches its sha256; restoring into a scratch database")
    if manifest["backend"] == "sqlite":
        with tempfile.TemporaryDirectory(prefix="homecredit-verify-") as folder:
            scratch = make_url(f"sqlite:///{Path(folder) / 'scratch.db'}")
            _restore_into(archive, scratch, clean=False)
            with sqlite3.connect(_sqlite_path(scratch)) as connection:
                integrity = connection.execute("PRAGMA integrity_check").fetchone()[0]
            if integrity != "ok":
                raise BackupError(f"{archive.name} holds a damaged SQLite database: {integrity}")
            checksums = _checksums_of(scratch)
    else:
        checksums = _verify_postgres(archive, server_url)
    problems = compare_checksums(manifest["tables"], checksums)
    if problems:
        raise BackupError(f"{archive.name} does not restore to what was backed up: " + "; ".join(problems))
    progress(f"verify complete: {archive.name} is sound ({len(checksums)} tables, checksums match)")
    return checksums


def _verify_postgres(archive: Path, server_url: str | None) -> dict:
    """Restore into a temporary database of the server of ``server_url`` (needs CREATEDB), checksum, drop it."""
    from database.config import get_engine

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
            _restore_into(archive, scratch, clean=False)
            return _checksums_of(scratch)
        finally:
            with admin.connect() as connection:
                connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        admin.dispose()


# --- command line (registered by database/__main__.py) ---------------------------------------


def _backup_arguments(parser) -> None:
    """Arguments of ``backup``."""
    parser.add_argument("--out", type=Path, required=True, help="folder receiving the archive and its manifest")
    parser.add_argument("--keep", type=int, help="keep only the N newest complete backups of that folder")


def _archive_argument(parser) -> None:
    """The ARCHIVE argument shared by ``restore`` and ``verify``."""
    parser.add_argument("archive", type=Path, help="backup archive (its .manifest.json must sit next to it)")


def _restore_arguments(parser) -> None:
    """Arguments of ``restore``."""
    _archive_argument(parser)
    parser.add_argument("--force", action="store_true", help="replace the content of a non-empty database")


def _verify_arguments(parser) -> None:
    """Arguments of ``verify``."""
    _archive_argument(parser)
    parser.add_argument("--server-url", help="PostgreSQL server for the scratch database "
                        "(default: DATABASE_ADMIN_URL, then DATABASE_URL; needs CREATEDB)")


def _guarded(run: Callable[[], object]) -> int:
    """Run one command; expected failures print one line and exit 2."""
    from database.security import InsecureDatabaseURL

    try:
        run()
    except (BackupError, InsecureDatabaseURL, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


def _database_url() -> str:
    """DATABASE_URL as configured (the embedded SQLite file by default)."""
    from database.config import database_url

    return database_url()


COMMANDS = {
    "backup": ("back up the database: archive + manifest with per-table checksums", _backup_arguments,
               lambda a: _guarded(lambda: backup(_database_url(), a.out, a.keep))),
    "restore": ("restore a backup into DATABASE_URL (refuses a non-empty database without --force)",
                _restore_arguments, lambda a: _guarded(lambda: restore(a.archive, _database_url(), a.force))),
    "verify": ("check a backup: archive sha256, then restore into a scratch database and compare checksums",
               _verify_arguments, lambda a: _guarded(lambda: verify(a.archive, a.server_url))),
}
