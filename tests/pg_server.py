"""A throw-away PostgreSQL server for tests and benchmarks: real server, TLS only, password auth.

The cluster lives in a temporary folder, runs as an unprivileged user (PostgreSQL refuses root), listens
on a free loopback port with its unix socket in the folder, accepts only TLS connections (``hostssl``)
with SCRAM passwords, and presents a certificate signed by a throw-away CA, so clients connect with
``sslmode=verify-full``.
"""

from __future__ import annotations

import glob
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import quote

SUPERUSER = "postgres"


class PgUnavailable(RuntimeError):
    """PostgreSQL server binaries are not installed (or cannot run here)."""


def find_bindir() -> Path:
    """The folder of initdb/pg_ctl: ``pg_config --bindir``, else the newest /usr/lib/postgresql/*/bin."""
    candidates: list[Path] = []
    if shutil.which("pg_config"):
        out = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True, check=False).stdout.strip()
        if out:
            candidates.append(Path(out))
    candidates += [Path(p) for p in sorted(glob.glob("/usr/lib/postgresql/*/bin"),
                                           key=lambda p: int(Path(p).parent.name) if Path(p).parent.name.isdigit()
                                           else 0, reverse=True)]
    for folder in candidates:
        if (folder / "initdb").exists() and (folder / "pg_ctl").exists():
            return folder
    raise PgUnavailable("PostgreSQL server binaries (initdb, pg_ctl) not found; install postgresql "
                        "(e.g. apt-get install postgresql) to run the PostgreSQL tests")


def _free_port() -> int:
    """A TCP port free on the loopback interface right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _run_user() -> str | None:
    """The unprivileged user to run the server as when we are root (None when we are not root)."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    raise PgUnavailable("running as root and neither the postgres nor the nobody user exists")


class PgServer:
    """One ephemeral cluster; ``start()``/``stop()`` may be called repeatedly, ``destroy()`` removes it."""

    def __init__(self, settings: dict[str, str] | None = None) -> None:
        """Create (initdb) the cluster, its TLS material and configuration; the server is not started."""
        self.bindir = find_bindir()
        self.user = _run_user()
        self.root = Path(tempfile.mkdtemp(prefix="pgtest-"))
        self.data = self.root / "data"
        self.socket_dir = self.root / "socket"
        self.tls = self.root / "tls"
        self.log = self.root / "server.log"
        self.port = _free_port()
        self.password = secrets.token_urlsafe(24)
        self.running = False
        try:
            self._init_cluster(settings or {})
        except Exception:
            shutil.rmtree(self.root, ignore_errors=True)
            raise

    # -- set-up -----------------------------------------------------------------------------------
    def _as_user(self, *command: str, check: bool = True) -> subprocess.CompletedProcess:
        """Run a command as the server's user."""
        prefix = ["runuser", "-u", self.user, "--"] if self.user else []
        result = subprocess.run(prefix + list(command), capture_output=True, text=True, check=False)
        if check and result.returncode:
            raise RuntimeError(f"{' '.join(command)} failed: {result.stderr.strip() or result.stdout.strip()}")
        return result

    def _chown(self, path: Path) -> None:
        """Give a path to the server's user."""
        if self.user:
            entry = pwd.getpwnam(self.user)
            os.chown(path, entry.pw_uid, entry.pw_gid)

    def _init_cluster(self, settings: dict[str, str]) -> None:
        """initdb with SCRAM auth, make the certificates, write postgresql.conf and a hostssl-only pg_hba.conf."""
        os.chmod(self.root, 0o755)
        self.socket_dir.mkdir()
        self.tls.mkdir()
        password_file = self.root / "pwfile"
        password_file.write_text(self.password + "\n")
        os.chmod(password_file, 0o600)
        for path in (self.root, self.socket_dir, password_file):
            self._chown(path)
        self._as_user(str(self.bindir / "initdb"), "-D", str(self.data), "-U", SUPERUSER, "-E", "UTF8",
                      "--locale=C", "--auth=scram-sha-256", f"--pwfile={password_file}", "--no-sync")
        password_file.unlink()
        self._make_certificates()
        conf = {
            "listen_addresses": "'localhost'", "port": str(self.port),
            "unix_socket_directories": f"'{self.socket_dir}'", "ssl": "on",
            "ssl_cert_file": f"'{self.tls / 'server.crt'}'", "ssl_key_file": f"'{self.tls / 'server.key'}'",
            "password_encryption": "'scram-sha-256'", "fsync": "off", "synchronous_commit": "off",
            "full_page_writes": "off", "max_wal_size": "'2GB'", "shared_buffers": "'256MB'",
            "logging_collector": "off",
        }
        conf.update(settings)
        with (self.data / "postgresql.conf").open("a") as handle:
            handle.write("\n# ephemeral test server\n" + "".join(f"{k} = {v}\n" for k, v in conf.items()))
        (self.data / "pg_hba.conf").write_text(
            "# TLS only: no 'local' or plain 'host' line, so unencrypted connections are refused\n"
            "hostssl all all 127.0.0.1/32 scram-sha-256\n"
            "hostssl all all ::1/128 scram-sha-256\n")
        self._chown(self.data / "pg_hba.conf")

    def _make_certificates(self) -> None:
        """A throw-away CA and a server certificate for localhost/127.0.0.1/::1 signed by it (openssl CLI)."""
        t = self.tls

        def openssl(*args: str) -> None:
            result = subprocess.run(["openssl", *args], capture_output=True, text=True, check=False)
            if result.returncode:
                raise RuntimeError(f"openssl {args[0]} failed: {result.stderr.strip()}")

        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=ephemeral test CA",
                "-keyout", str(t / "ca.key"), "-out", str(t / "ca.crt"),
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign")
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost",
                "-keyout", str(t / "server.key"), "-out", str(t / "server.csr"))
        (t / "san.ext").write_text("subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\n"
                                   "extendedKeyUsage=serverAuth\n")
        openssl("x509", "-req", "-in", str(t / "server.csr"), "-CA", str(t / "ca.crt"), "-CAkey", str(t / "ca.key"),
                "-CAcreateserial", "-days", "2", "-extfile", str(t / "san.ext"), "-out", str(t / "server.crt"))
        os.chmod(t / "server.key", 0o600)
        for name in ("server.key", "server.crt"):
            self._chown(t / name)
        os.chmod(t, 0o755)

    # -- life cycle -------------------------------------------------------------------------------
    def start(self) -> None:
        """Start the server and wait until it accepts connections."""
        if (self.log.exists() is False) and self.user:
            self.log.touch()
            self._chown(self.log)
        result = self._as_user(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-l", str(self.log),
                               "-w", "-t", "60", "start", check=False)
        if result.returncode:
            tail = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
            raise RuntimeError(f"PostgreSQL did not start: {result.stderr.strip()} {tail}")
        self.running = True

    def stop(self, mode: str = "fast") -> None:
        """Stop the server (``mode``: smart, fast or immediate)."""
        if self.running:
            self._as_user(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop", check=False)
            self.running = False

    def destroy(self) -> None:
        """Stop the server and delete every file of the cluster."""
        self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)

    # -- connections ------------------------------------------------------------------------------
    @property
    def ca_file(self) -> Path:
        """The CA certificate that signed the server certificate (for ``sslrootcert``)."""
        return self.tls / "ca.crt"

    def url(self, database: str = "postgres", user: str = SUPERUSER, password: str | None = None,
            sslmode: str = "verify-full") -> str:
        """A SQLAlchemy URL to ``database`` over TLS with full certificate verification."""
        secret = quote(self.password if password is None else password, safe="")
        return (f"postgresql+psycopg2://{quote(user, safe='')}:{secret}@localhost:{self.port}/{database}"
                f"?sslmode={sslmode}&sslrootcert={self.ca_file}")

    def managed_url(self, database: str) -> str:
        """The URL a managed host gives (Heroku's DATABASE_URL): ``postgres://``, TLS without a CA to verify."""
        secret = quote(self.password, safe="")
        return f"postgres://{SUPERUSER}:{secret}@localhost:{self.port}/{database}?sslmode=require"

    def admin(self, sql: str, database: str = "postgres") -> None:
        """Run one statement as the superuser outside a transaction (CREATE/DROP DATABASE...)."""
        import psycopg2

        connection = psycopg2.connect(host="localhost", port=self.port, user=SUPERUSER, password=self.password,
                                      dbname=database, sslmode="verify-full", sslrootcert=str(self.ca_file))
        try:
            connection.autocommit = True
            with connection.cursor() as cursor:
                cursor.execute(sql)
        finally:
            connection.close()

    def create_database(self, name: str) -> str:
        """Create an empty database and return its URL."""
        self.admin(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def drop_database(self, name: str) -> None:
        """Drop a database, closing its connections first."""
        self.admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def start_server(settings: dict[str, str] | None = None) -> PgServer:
    """Create and start an ephemeral server (raises PgUnavailable when PostgreSQL is not installed)."""
    server = PgServer(settings)
    try:
        server.start()
    except Exception:
        server.destroy()
        raise
    return server
