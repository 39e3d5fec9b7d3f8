"""A rate-limit storage for Flask-Limiter in one SQLite file, so that every gunicorn worker of a host counts together.

``limits`` (Flask-Limiter's engine) offers an in-process memory storage, which gives each worker its own
counters (a key got about twice its limit with 2 workers), or storages that need a server (Redis,
Memcached, MongoDB). This one needs none: the counters live in a SQLite file (WAL journal) that all the
workers of one host open, and each increment is one ``BEGIN IMMEDIATE`` transaction, so two workers never
both take the last request of a window. URI: ``sqlite:////absolute/path/ratelimit.db``. Several hosts
share a Redis server instead (``redis://host:6379/0``, see docs/operations.md).
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from pathlib import Path

from limits.storage import Storage

_SCHEMA = "CREATE TABLE IF NOT EXISTS rate_counter (key TEXT PRIMARY KEY, value INTEGER NOT NULL, expires REAL NOT NULL)"


class SQLiteStorage(Storage):
    """Fixed-window counters in a SQLite file shared by the processes of one host."""

    STORAGE_SCHEME = ["sqlite"]

    def __init__(self, uri: str, wrap_exceptions: bool = False, timeout: float = 5.0, **options):
        path = uri.split("://", 1)[1]
        if not path.startswith("/") or path == "/":
            raise ValueError(f"rate-limit storage {uri!r}: use sqlite:////absolute/path/to/file.db")
        self.path = Path(path[1:] if path.startswith("//") else path)
        self.timeout = float(timeout)
        self._local = threading.local()
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    @property
    def base_exceptions(self) -> type[Exception]:
        return sqlite3.Error

    def _connection(self) -> sqlite3.Connection:
        """This process's and thread's connection, opened on first use (never shared across a fork)."""
        connection, pid = getattr(self._local, "connection", None), getattr(self._local, "pid", None)
        if connection is None or pid != os.getpid():
            self.path.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None)
            self._write_ahead_log(connection)
            connection.execute("PRAGMA synchronous=NORMAL")  # counters, not records: a crash may lose the last hits
            connection.execute(_SCHEMA)
            self._local.connection, self._local.pid = connection, os.getpid()
        return connection

    def _write_ahead_log(self, connection: sqlite3.Connection) -> None:
        """Put the file in WAL mode, waiting up to ``timeout`` for the others. Workers that open a new file at
        the same moment all ask for the change; SQLite answers "database is locked" at once to all but one
        (its deadlock rule skips the busy timeout), so the change is asked again until the file is in WAL."""
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                connection.execute("PRAGMA journal_mode=WAL")
                return
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) or time.monotonic() > deadline:
                    raise
                time.sleep(0.005)

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        """Add ``amount`` to the key's counter (a new window if it expired) and return the new value."""
        now = time.time()
        db = self._connection()
        db.execute("BEGIN IMMEDIATE")
        try:
            db.execute("DELETE FROM rate_counter WHERE key = ? AND expires <= ?", (key, now))
            db.execute("INSERT INTO rate_counter (key, value, expires) VALUES (?, ?, ?) "
                       "ON CONFLICT(key) DO UPDATE SET value = value + excluded.value", (key, amount, now + expiry))
            (value,) = db.execute("SELECT value FROM rate_counter WHERE key = ?", (key,)).fetchone()
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        return int(value)

    def get(self, key: str) -> int:
        """The key's counter in the current window (0 when none)."""
        row = self._connection().execute("SELECT value FROM rate_counter WHERE key = ? AND expires > ?",
                                         (key, time.time())).fetchone()
        return int(row[0]) if row else 0

    def get_expiry(self, key: str) -> float:
        """When the key's window ends (now when it has none)."""
        row = self._connection().execute("SELECT expires FROM rate_counter WHERE key = ?", (key,)).fetchone()
        return float(row[0]) if row and row[0] > time.time() else time.time()

    def check(self) -> bool:
        """True when the file can be read and written."""
        try:
            self._connection().execute("SELECT count(*) FROM rate_counter").fetchone()
            return True
        except sqlite3.Error:
            return False

    def reset(self) -> int | None:
        """Forget every counter; returns how many there were."""
        return self._connection().execute("DELETE FROM rate_counter").rowcount

    def clear(self, key: str) -> None:
        """Forget one key's counter."""
        self._connection().execute("DELETE FROM rate_counter WHERE key = ?", (key,))
