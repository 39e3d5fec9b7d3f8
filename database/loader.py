"""Load Home Credit CSV files into the database: validate, quarantine bad rows, bulk insert, all or nothing.

The whole load (every file) is one transaction: a bad file, an error, Ctrl-C or a killed process leaves
the database as it was. Row-level problems do not stop the load: the rows go to ``rejected_row`` with
their line number, reason and raw text, and the rest loads (``strict=True`` refuses the load instead).

Re-running a load changes no data: a row whose key is already in the database is skipped and counted as
"already present" (its content is not compared; the loader never updates rows). installments_payments has
no natural key, so a previous loan's instalments are one unit: if the database holds instalment rows for an
SK_ID_PREV, all that loan's instalment rows in the files are skipped as already present.
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TextIO

import numpy as np
from sqlalchemy import Connection, Engine, event, insert, update
from sqlalchemy.pool import NullPool

from database import bulk
from database.config import get_engine, masked
from database.csv_reader import (
    BLOCK_SIZE,
    LoadError,
    SourceFile,
    check_file,
    find_sources,
    raw_lines,
    read_batches,
)
from database.migrate import migrate, migrate_connection
from database.schema import DATA_TABLES, LoadRun, RejectedRow, primary_key, table
from database.validate import (
    DUPLICATE,
    MALFORMED,
    ORPHAN,
    KeySet,
    first_occurrences,
    pack,
    typed_batch,
)

__all__ = ["LoadError", "FileSummary", "LoadSummary", "load", "create_schema"]

#: installments_payments is deduplicated per previous loan (see the module docstring).
UNIT_KEYS = {"installments_payments": "SK_ID_PREV"}


@dataclass
class FileSummary:
    """What happened to the rows of one file."""

    file: str
    table: str
    rows_read: int = 0
    loaded: int = 0
    already_present: int = 0
    rejected: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


@dataclass
class LoadSummary:
    """The outcome of a load: one summary per file, the load_run id and the total time."""

    load_run_id: int
    files: list[FileSummary]
    seconds: float

    def total(self, attribute: str) -> int:
        """The sum of a count over the files."""
        return sum(getattr(f, attribute) for f in self.files)


def create_schema(url: str | None = None) -> Engine:
    """Create or upgrade the schema with the migrations (``python -m database migrate``); returns the engine."""
    migrate(url)
    return get_engine(url)


def load(sources: list[Path], url: str | None = None, *, strict: bool = False, tables: list[str] | None = None,
         block_size: int = BLOCK_SIZE, progress: TextIO | None = sys.stderr) -> LoadSummary:
    """Validate and load the Home Credit CSV files of ``sources`` into the database in one transaction."""
    started = time.perf_counter()
    files = find_sources([Path(s) for s in sources], tables)
    for source in files:
        check_file(source)
    engine = _load_engine(url)
    _say(progress, f"Loading {len(files)} file(s) into {masked(str(engine.url))}")
    try:
        with engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                # The index and foreign-key builds at the end sort and join millions of keys: give them
                # memory for this transaction only (the server defaults are 64 MB and 4 MB).
                connection.exec_driver_sql("SET LOCAL maintenance_work_mem = '1GB'")
                connection.exec_driver_sql("SET LOCAL work_mem = '256MB'")
            migrate_connection(connection)
            run_id = connection.execute(insert(LoadRun).values(source=", ".join(map(str, sources)))
                                        ).inserted_primary_key[0]
            state = _LoadState(connection, run_id, block_size, progress)
            summaries = [state.load_file(source) for source in files]
            state.finish()
            summary = LoadSummary(run_id, summaries, time.perf_counter() - started)
            connection.execute(update(LoadRun).where(LoadRun.id == run_id).values(
                summary=json.dumps({"strict": strict, "files": [asdict(f) for f in summaries]})))
            rejected = summary.total("rejected")
            if strict and rejected:
                raise LoadError(f"--strict: {rejected} row(s) rejected ({_first_reason(state)}); "
                                "nothing was loaded — fix the rows or run without --strict to quarantine them")
    finally:
        engine.dispose()
    summary.seconds = time.perf_counter() - started
    return summary


def _load_engine(url: str | None) -> Engine:
    """An engine whose transactions include DDL on SQLite too (explicit BEGIN IMMEDIATE)."""
    engine = get_engine(url, poolclass=NullPool)
    if engine.dialect.name == "sqlite":
        @event.listens_for(engine, "connect")
        def _autocommit_driver(dbapi_connection, _record) -> None:
            dbapi_connection.isolation_level = None
            dbapi_connection.execute("PRAGMA synchronous=NORMAL")
            dbapi_connection.execute("PRAGMA cache_size=-262144")

        @event.listens_for(engine, "begin")
        def _begin(connection) -> None:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
    return engine


def _first_reason(state: _LoadState) -> str:
    """The first rejected row, for the --strict message."""
    file, line, reason = state.first_reject or ("?", 0, "?")
    return f"first: {file} line {line}: {reason}"


def _say(stream: TextIO | None, message: str) -> None:
    """Write one progress line."""
    if stream is not None:
        print(message, file=stream, flush=True)


class _Writer:
    """Writes validated batches; on PostgreSQL in a background thread, one batch behind the reader.

    COPY keeps the server busy (a second core) while this process reads and validates the next batch;
    at most one batch is in flight, and its error, if any, is raised by the next ``write`` or by ``drain``.
    SQLite connections belong to their thread: there, batches are written in the caller's thread.
    """

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.pool = ThreadPoolExecutor(1, thread_name_prefix="copy") if bulk.is_postgres(connection) else None
        self.pending: Future | None = None

    def __enter__(self) -> _Writer:
        return self

    def __exit__(self, *exc_info) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True)  # the batch in flight ends before the transaction does

    def write(self, target, columns: dict, keep: np.ndarray) -> int:
        """Queue one batch; returns the rows the previous batch wrote (all rows when writing inline)."""
        if self.pool is None:
            return bulk.write_rows(self.connection, target, columns, keep)
        done = self.drain()
        self.pending = self.pool.submit(bulk.write_rows, self.connection, target, columns, keep)
        return done

    def drain(self) -> int:
        """Wait for the batch in flight; returns the rows it wrote (raises its error)."""
        if self.pending is None:
            return 0
        pending, self.pending = self.pending, None
        return pending.result()


class _LoadState:
    """The keys known during one load, the indexes to rebuild, and the per-file work."""

    def __init__(self, connection: Connection, run_id: int, block_size: int, progress: TextIO | None) -> None:
        """Keep the transaction's connection; keys are read from the database lazily."""
        self.connection, self.run_id, self.block_size, self.progress = connection, run_id, block_size, progress
        self.existing: dict[str, KeySet] = {}
        self.loaded: dict[str, KeySet] = {}
        self.prepared: set[str] = set()
        self.written: set[str] = set()
        self.dropped: list = []
        self.first_reject: tuple[str, int, str] | None = None

    def finish(self) -> None:
        """Rebuild dropped indexes and foreign keys, and refresh planner statistics."""
        bulk.recreate(self.connection, self.dropped)
        if bulk.is_postgres(self.connection):
            for name in sorted(self.written):
                self.connection.exec_driver_sql(f"ANALYZE {name}")

    def _existing(self, name: str) -> KeySet:
        """The keys of a table already in the database when the load started."""
        if name not in self.existing:
            self.existing[name] = KeySet(bulk.fetch_ints(self.connection, _key_sql(name)))
        return self.existing[name]

    def parent_has(self, name: str, values: np.ndarray) -> np.ndarray:
        """Which values are keys of parent table ``name``, in the database or loaded in this load."""
        found = self._existing(name).contains(values)
        if name in self.loaded:
            found |= self.loaded[name].contains(values)
        return found

    def _check_parents(self, name: str) -> None:
        """Fail in one line when a table with rows to load has a parent table with no row at all."""
        for fk in table(name).foreign_keys:
            parent = fk.column.table.name
            if not len(self._existing(parent)) and not len(self.loaded.get(parent, ())):
                raise LoadError(f"table {name} needs {parent} rows, but {parent} is empty and no {parent} row "
                                f"was loaded; add the {parent} CSV file to the load")

    def _prepare(self, name: str) -> None:
        """Read a table's existing keys and drop the indexes of an empty table."""
        if name in self.prepared:
            return
        self.prepared.add(name)
        target = table(name)
        self.loaded[name] = KeySet()
        if not len(self._existing(name)) and not bulk.has_rows(self.connection, target):
            self.dropped += bulk.drop_for_load(self.connection, target)

    def load_file(self, source: SourceFile) -> FileSummary:
        """Validate and insert the rows of one file; bad rows go to rejected_row."""
        started = time.perf_counter()
        self._prepare(source.table)
        summary = FileSummary(source.path.name, source.table)
        short_rows: list[tuple[int, str, str]] = []
        rejects: list[tuple[int, str, str]] = []
        last_report = 0.0
        target = table(source.table)
        checked = False
        with _Writer(self.connection) as writer:
            for batch in read_batches(source, short_rows, self.block_size):
                if not checked and len(batch.data):  # a header-only file is an empty table, whatever its parents
                    self._check_parents(source.table)
                    checked = True
                columns, keep, found = typed_batch(batch.data, source.table)
                keep, present = self._check_keys(source.table, columns, keep, found)
                summary.loaded += writer.write(target, columns, keep)
                summary.already_present += present
                summary.rows_read += batch.data.num_rows
                rejects += [(int(batch.lines[i]), c, r) for i, c, r in zip(found.positions, found.categories,
                                                                             found.reasons, strict=True)]
                if time.perf_counter() - last_report > 1.0:
                    last_report = time.perf_counter()
                    _say(self.progress, f"  {source.path.name}: {summary.rows_read:,} rows read so far, "
                                        f"{summary.loaded:,} written")
            summary.loaded += writer.drain()
        summary.rows_read += len(short_rows)
        if summary.loaded:
            self.written.add(source.table)
        self._save_rejects(source, rejects, short_rows, summary)
        summary.seconds = round(time.perf_counter() - started, 3)
        _say(self.progress, f"  {source.path.name}: {summary.rows_read:,} rows read, {summary.loaded:,} written, "
                            f"{summary.already_present:,} already present, {summary.rejected:,} rejected")
        return summary

    def _check_keys(self, name: str, columns: dict, keep: np.ndarray, rejects) -> tuple[np.ndarray, int]:
        """Reject orphans and duplicate keys, skip keys already in the database; returns (keep, skipped)."""
        for fk in sorted(table(name).foreign_keys, key=lambda f: f.parent.name):
            column, parent = fk.parent.name.upper(), fk.column.table.name
            values = np.nan_to_num(columns[column]).astype(np.int64)
            orphan = keep.copy()
            orphan[keep] = ~self.parent_has(parent, values[keep])
            rejects.add(orphan, ORPHAN, lambda i, c=column, p=parent, v=values: (
                f"orphan: {c}={v[i]} is in no {p} row (neither in the files loaded nor in the database)"))
            keep &= ~orphan
        keys = _keys(name, columns)
        if name not in UNIT_KEYS:
            where = np.flatnonzero(keep)
            duplicate = np.zeros(len(keep), dtype=bool)
            duplicate[where] = self.loaded[name].contains(keys[where]) | ~first_occurrences(keys[where])
            label = ", ".join(f"{c}={{}}" for c in primary_key(name))
            rejects.add(duplicate, DUPLICATE, lambda i: "duplicate key " + label.format(
                *(int(columns[c][i]) for c in primary_key(name))) + ": an earlier line of the loaded files has it")
            keep &= ~duplicate
            self.loaded[name].add(keys[keep])
        present = keep & self._existing(name).contains(keys)
        keep &= ~present
        return keep, int(present.sum())

    def _save_rejects(self, source: SourceFile, rejects: list, short_rows: list, summary: FileSummary) -> None:
        """Record a file's rejected rows with their raw text, and count them by reason."""
        texts = raw_lines(source.path, {line for line, _, _ in rejects})
        rows = [(line, category, reason, texts.get(line, "")) for line, category, reason in rejects]
        rows += [(line or 0, MALFORMED, reason, text) for line, reason, text in short_rows]
        rows.sort()
        summary.rejected = len(rows)
        summary.reasons = dict(Counter(category for _, category, _, _ in rows))
        if rows and self.first_reject is None:
            self.first_reject = (source.path.name, rows[0][0], rows[0][2])
        if rows:
            self.connection.execute(insert(RejectedRow), [
                {"load_run_id": self.run_id, "source_file": str(source.path), "line_number": line,
                 "reason": reason, "raw_row": text} for line, _, reason, text in rows])


def _key_sql(name: str) -> str:
    """SQL returning a table's keys as one integer column (two-column keys packed into 64 bits)."""
    if name in UNIT_KEYS:
        return f"SELECT DISTINCT {UNIT_KEYS[name].lower()} FROM {name}"  # nosec B608: names from the schema
    columns = [c.lower() for c in primary_key(name)]
    if len(columns) == 1:
        return f"SELECT {columns[0]} FROM {name}"  # nosec B608: names from the schema
    high, low = columns
    return f"SELECT (CAST({high} AS BIGINT) << 32) | (CAST({low} AS BIGINT) & 4294967295) FROM {name}"  # nosec B608: names from the schema


def _keys(name: str, columns: dict) -> np.ndarray:
    """The key of each row of a typed batch, as int64 (see ``_key_sql``)."""
    if name in UNIT_KEYS:
        return np.nan_to_num(columns[UNIT_KEYS[name]]).astype(np.int64)
    values = [np.nan_to_num(columns[c]).astype(np.int64) for c in primary_key(name)]
    return values[0] if len(values) == 1 else pack(*values)


def format_summary(summary: LoadSummary) -> str:
    """The per-file table and the one-line total printed at the end of a load."""
    lines = [f"{'file':<36} {'table':<22} {'read':>11} {'loaded':>11} {'present':>9} {'rejected':>9} "
             f"{'seconds':>8} {'rows/s':>10}"]
    for f in summary.files:
        rate = f.rows_read / f.seconds if f.seconds else 0
        lines.append(f"{f.file:<36} {f.table:<22} {f.rows_read:>11,} {f.loaded:>11,} {f.already_present:>9,} "
                     f"{f.rejected:>9,} {f.seconds:>8.1f} {rate:>10,.0f}")
        for reason, count in sorted(f.reasons.items()):
            lines.append(f"    rejected, {reason}: {count:,}")
    loaded, seconds = summary.total("loaded"), summary.seconds
    lines.append(f"Loaded {loaded:,} rows from {len(summary.files)} file(s) in {seconds:.1f} s "
                 f"({loaded / seconds if seconds else 0:,.0f} rows/s); {summary.total('already_present'):,} already "
                 f"present, {summary.total('rejected'):,} rejected (see rejected_row, load run "
                 f"{summary.load_run_id}).")
    return "\n".join(lines)


__all__ += ["format_summary", "DATA_TABLES"]
