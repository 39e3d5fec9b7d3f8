"""The connection is encrypted and authenticated: TLS policy, masking, timeouts, against a real server."""

from __future__ import annotations

import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from database.config import database_url, get_engine
from database.security import InsecureDatabaseURL, check_url, mask_secrets, mask_url
from settings import load_env_file, read_env_file

pytestmark = pytest.mark.requirement("EXG-SEC-01")

SECRET = "S3cr3t-pw"


@pytest.mark.parametrize("query", ["", "?sslmode=disable", "?sslmode=allow", "?sslmode=prefer"])
def test_remote_url_without_tls_is_refused_and_password_is_masked(query, monkeypatch):
    monkeypatch.setenv("DATABASE_ALLOW_INSECURE", "1")  # never enough for a remote server
    monkeypatch.delenv("PGSSLMODE", raising=False)
    url = f"postgresql+psycopg2://app:{SECRET}@db.bank.example/homecredit{query}"
    with pytest.raises(InsecureDatabaseURL, match="without TLS") as caught:
        check_url(url)
    assert SECRET not in str(caught.value)
    assert "sslmode=verify-full" in str(caught.value)  # says what to do


def test_get_engine_applies_the_policy(monkeypatch):
    monkeypatch.delenv("DATABASE_ALLOW_INSECURE", raising=False)
    with pytest.raises(InsecureDatabaseURL):
        get_engine(f"postgresql+psycopg2://app:{SECRET}@db.bank.example/homecredit")


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1", "[::1]"])
def test_local_plain_url_needs_the_explicit_setting(host, monkeypatch):
    monkeypatch.delenv("PGSSLMODE", raising=False)
    url = f"postgresql://app:{SECRET}@{host}:5432/homecredit"
    monkeypatch.delenv("DATABASE_ALLOW_INSECURE", raising=False)
    with pytest.raises(InsecureDatabaseURL, match="DATABASE_ALLOW_INSECURE=1"):
        check_url(url)
    monkeypatch.setenv("DATABASE_ALLOW_INSECURE", "1")
    assert check_url(url).database == "homecredit"


def test_unix_socket_counts_as_local(monkeypatch):
    monkeypatch.setenv("DATABASE_ALLOW_INSECURE", "1")
    assert check_url("postgresql://app@/homecredit?host=/var/run/postgresql").database == "homecredit"


@pytest.mark.parametrize("mode", ["require", "verify-ca", "verify-full"])
def test_tls_urls_and_sqlite_are_accepted(mode, monkeypatch):
    monkeypatch.delenv("DATABASE_ALLOW_INSECURE", raising=False)
    assert check_url(f"postgresql://app:pw@db.bank.example/hc?sslmode={mode}").host == "db.bank.example"
    assert check_url("sqlite:////tmp/x.db").get_backend_name() == "sqlite"


def test_masking_hides_passwords_in_urls_and_messages():
    url = f"postgresql+psycopg2://app:{SECRET}@db:5432/hc?sslmode=verify-full"
    assert SECRET not in mask_url(url) and "app:***@db" in mask_url(url)
    message = f"could not connect to postgresql://app:{SECRET}@db/hc; password {SECRET} rejected"
    assert SECRET not in mask_secrets(message, SECRET)


def test_env_file_is_read_without_overriding_the_environment(tmp_path, monkeypatch):
    env = tmp_path / ".env"
    env.write_text(
        "# local settings\nexport DATABASE_URL='sqlite:////tmp/from-env-file.db'\n"
        "HOMECREDIT_TEST_A=1  # comment\nHOMECREDIT_TEST_B=\"kept # inside\"\n\n"
    )
    assert read_env_file(env)["HOMECREDIT_TEST_B"] == "kept # inside"
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("HOMECREDIT_TEST_A", "from-environment")
    monkeypatch.delenv("HOMECREDIT_TEST_B", raising=False)
    added = load_env_file(env)
    assert set(added) == {"DATABASE_URL", "HOMECREDIT_TEST_B"}
    import os

    assert os.environ["HOMECREDIT_TEST_A"] == "from-environment"
    assert database_url() == "sqlite:////tmp/from-env-file.db"
    bad = tmp_path / "bad.env"
    bad.write_text("OK=1\nnot a setting\n")
    with pytest.raises(ValueError, match="line 2"):
        read_env_file(bad)


# --- against the real server (TLS only, SCRAM) ----------------------------------------------------


@pytest.mark.postgres
def test_connection_is_encrypted_and_verified(pg_url):
    engine = get_engine(pg_url)
    try:
        with engine.connect() as connection:
            ssl = connection.execute(text("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")).scalar()
            encryption = connection.execute(text("SHOW password_encryption")).scalar()
    finally:
        engine.dispose()
    assert ssl is True
    assert encryption == "scram-sha-256"


@pytest.mark.postgres
def test_plain_connection_is_refused_by_the_server(pg_server, monkeypatch):
    monkeypatch.setenv("DATABASE_ALLOW_INSECURE", "1")  # pass our own check to reach the server's
    engine = get_engine(pg_server.url(sslmode="disable"))
    try:
        with pytest.raises(OperationalError, match="no encryption"):
            engine.connect()
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_wrong_password_is_refused_without_echoing_it(pg_server):
    wrong = "Not-The-Password-42"
    engine = get_engine(pg_server.url(password=wrong))
    try:
        with pytest.raises(OperationalError, match="password authentication failed") as caught:
            engine.connect()
    finally:
        engine.dispose()
    assert wrong not in str(caught.value)


@pytest.mark.postgres
def test_server_certificate_from_another_ca_is_refused(pg_server, tmp_path):
    other_ca = tmp_path / "other-ca.crt"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=other CA",
         "-keyout", str(tmp_path / "other.key"), "-out", str(other_ca)],
        check=True, capture_output=True,
    )
    url = pg_server.url().replace(str(pg_server.ca_file), str(other_ca))
    engine = get_engine(url)
    try:
        with pytest.raises(OperationalError, match="certificate verify failed"):
            engine.connect()
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_statement_timeout_cuts_a_runaway_query(pg_url, monkeypatch):
    monkeypatch.setenv("DATABASE_STATEMENT_TIMEOUT_MS", "200")
    engine = get_engine(pg_url)
    try:
        with engine.connect() as connection:
            started = time.perf_counter()
            with pytest.raises(OperationalError, match="statement timeout"):
                connection.execute(text("SELECT pg_sleep(5)"))
    finally:
        engine.dispose()
    assert time.perf_counter() - started < 2


def test_connect_timeout_bounds_a_silent_server(monkeypatch):
    """A server that accepts TCP but never answers makes the connection fail after connect_timeout."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    port = listener.getsockname()[1]
    accepted = []
    stop = threading.Event()

    def accept_and_stay_silent() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept_and_stay_silent, daemon=True)
    thread.start()
    monkeypatch.setenv("DATABASE_CONNECT_TIMEOUT", "2")
    engine = get_engine(f"postgresql+psycopg2://app:pw@127.0.0.1:{port}/hc?sslmode=verify-full"
                        f"&sslrootcert={Path(__file__)}")
    started = time.perf_counter()
    try:
        with pytest.raises(OperationalError, match="timeout"):
            engine.connect()
    finally:
        engine.dispose()
        stop.set()
        thread.join()
        for connection in accepted:
            connection.close()
        listener.close()
    assert time.perf_counter() - started < 6
