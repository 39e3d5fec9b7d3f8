"""Backups that can be trusted: round trip, checksums, corruption detected, crash-safe, retention."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import pandas as pd
import pytest

from database import backup as bk
from database.config import REPO_ROOT, get_engine
from database.read import read_table
from database.schema import DATA_TABLES, SCHEMA_VERSION
from tests.stack import copy_sqlite

pytestmark = pytest.mark.requirement("EXG-SEC-03")

SAMPLE_FILES = ("application_data_sample.csv", "bureau.csv", "bureau_balance.csv")


def _load_sample(url: str, sample_dir: Path) -> None:
    from database.loader import load

    load([sample_dir / name for name in SAMPLE_FILES], url, progress=None)


def _tables(url: str) -> dict[str, pd.DataFrame]:
    engine = get_engine(url)
    try:
        return {name: read_table(engine, name) for name in DATA_TABLES}
    finally:
        engine.dispose()


def _scores(url: str, model_dir: Path, client_ids) -> list[dict]:
    """What the API would answer for each client: the real Scorer with the model of ``model_dir``."""
    from modeling.serving.artifact import load_bundle
    from modeling.serving.scorer import Scorer

    engine = get_engine(url)
    try:
        scorer = Scorer(load_bundle(model_dir / "latest"), engine)
        return [scorer.score(int(client_id)).to_dict() for client_id in client_ids]
    finally:
        engine.dispose()


def _archive(manifest: Path) -> Path:
    return manifest.with_name(manifest.name.removesuffix(bk.MANIFEST_SUFFIX))


@pytest.fixture(scope="module")
def sqlite_source(tmp_path_factory, sample_dir) -> str:
    """A SQLite database holding the sample's applicants, bureau credits and their monthly balances."""
    url = f"sqlite:///{tmp_path_factory.mktemp('source') / 'homecredit.db'}"
    _load_sample(url, sample_dir)
    return url


@pytest.fixture(scope="module")
def sqlite_backup(sqlite_source, tmp_path_factory) -> Path:
    """One backup of the SQLite source (the manifest's path); tests work on copies."""
    return bk.backup(sqlite_source, tmp_path_factory.mktemp("backups"), progress=lambda _: None)


def _copy_backup(manifest: Path, folder: Path) -> Path:
    """Copy a backup (archive + manifest) into ``folder``; the copied archive."""
    archive = _archive(manifest)
    shutil.copy2(archive, folder / archive.name)
    shutil.copy2(manifest, folder / manifest.name)
    return folder / archive.name


def test_manifest_describes_the_backup(sqlite_backup, sqlite_source):
    manifest = json.loads(sqlite_backup.read_text())
    archive = _archive(sqlite_backup)
    assert manifest["schema_version"] == SCHEMA_VERSION
    assert manifest["archive_sha256"] == bk.file_sha256(archive)
    assert manifest["archive_bytes"] == archive.stat().st_size
    assert manifest["tools"]["sqlite"] == sqlite3.sqlite_version
    source = _tables(sqlite_source)
    for name in DATA_TABLES:
        assert manifest["tables"][name]["rows"] == len(source[name])
    assert manifest["tables"]["application"]["rows"] == 872


def test_backup_drop_restore_gives_back_the_same_data(sqlite_backup, sqlite_source, tmp_path):
    archive = _copy_backup(sqlite_backup, tmp_path)
    assert bk.verify(archive, progress=lambda _: None) == json.loads(sqlite_backup.read_text())["tables"]
    target = f"sqlite:///{tmp_path / 'restored.db'}"
    bk.restore(archive, target, progress=lambda _: None)
    restored, source = _tables(target), _tables(sqlite_source)
    for name in DATA_TABLES:
        pd.testing.assert_frame_equal(restored[name], source[name], check_like=False)


@pytest.mark.slow
def test_restored_bank_gives_the_same_scores(stack, tmp_path):
    """Backup, lose the database, restore: the scores served for sample clients are identical."""
    live = tmp_path / "live.db"
    bk.restore(_archive(bk.backup(stack.database_url, tmp_path / "seed", progress=lambda _: None)),
               f"sqlite:///{live}", progress=lambda _: None)  # a copy of the session bank we may destroy
    clients = stack.client_ids[::300]
    before = _scores(f"sqlite:///{live}", stack.model_dir, clients)
    archive = _archive(bk.backup(f"sqlite:///{live}", tmp_path / "backups", progress=lambda _: None))
    live.unlink()  # lose everything
    bk.restore(archive, f"sqlite:///{live}", progress=lambda _: None)
    after = _scores(f"sqlite:///{live}", stack.model_dir, clients)
    assert len(before) == 5 and all(score["reasons"] for score in before)
    assert after == before


def test_restore_refuses_a_database_holding_data_unless_forced(sqlite_backup, sqlite_source, tmp_path):
    archive = _copy_backup(sqlite_backup, tmp_path)
    target = tmp_path / "busy.db"
    copy_sqlite(Path(get_engine(sqlite_source).url.database), target)  # through SQLite: see tests/stack.py
    with sqlite3.connect(target) as connection:
        connection.execute("DELETE FROM bureau_balance")
    with pytest.raises(bk.BackupError, match="not empty.*--force"):
        bk.restore(archive, f"sqlite:///{target}", progress=lambda _: None)
    checksums = bk.restore(archive, f"sqlite:///{target}", force=True, progress=lambda _: None)
    assert checksums["bureau_balance"]["rows"] > 0


def test_corrupted_archive_is_detected(sqlite_backup, tmp_path):
    archive = _copy_backup(sqlite_backup, tmp_path)
    data = bytearray(archive.read_bytes())
    data[len(data) // 2] ^= 0xFF
    archive.write_bytes(bytes(data))
    with pytest.raises(bk.BackupError, match="corrupted: sha256"):
        bk.verify(archive, progress=lambda _: None)
    with pytest.raises(bk.BackupError, match="corrupted"):
        bk.restore(archive, f"sqlite:///{tmp_path / 'never.db'}", progress=lambda _: None)
    assert not (tmp_path / "never.db").exists()


def test_truncated_archive_is_detected_by_the_command(sqlite_backup, tmp_path):
    archive = _copy_backup(sqlite_backup, tmp_path)
    archive.write_bytes(archive.read_bytes()[:4096])
    done = subprocess.run([sys.executable, "-m", "database", "verify", str(archive)], cwd=REPO_ROOT,
                          capture_output=True, text=True)
    assert done.returncode == 2
    assert "truncated" in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_altered_rows_are_detected_even_with_a_matching_archive_hash(sqlite_backup, tmp_path):
    """Per-table checksums catch a change the archive hash alone would not (manifest hash rewritten)."""
    archive = _copy_backup(sqlite_backup, tmp_path)
    with sqlite3.connect(archive) as connection:
        connection.execute("UPDATE application SET amt_credit = amt_credit + 1 "
                           "WHERE sk_id_curr = (SELECT min(sk_id_curr) FROM application)")
    connection.close()
    manifest = json.loads(bk.manifest_path(archive).read_text())
    manifest.update(archive_sha256=bk.file_sha256(archive), archive_bytes=archive.stat().st_size)
    bk.manifest_path(archive).write_text(json.dumps(manifest))
    with pytest.raises(bk.BackupError, match="table application: same row count but different content"):
        bk.verify(archive, progress=lambda _: None)


def test_a_crashed_backup_never_looks_complete(sqlite_source, tmp_path, monkeypatch):
    def crash(*_args, **_kwargs):
        raise KeyboardInterrupt("killed while writing the manifest")

    monkeypatch.setattr(bk, "write_manifest", crash)
    with pytest.raises(KeyboardInterrupt):
        bk.backup(sqlite_source, tmp_path, progress=lambda _: None)
    (archive,) = tmp_path.glob("homecredit-*.sqlite")
    assert not list(tmp_path.glob("*.partial"))
    with pytest.raises(bk.BackupError, match="no manifest.*incomplete"):
        bk.verify(archive, progress=lambda _: None)
    monkeypatch.undo()
    os.utime(archive, (1, 1))  # older than the next complete backup
    bk.backup(sqlite_source, tmp_path, keep=1, progress=lambda _: None)
    assert not archive.exists()  # the leftover is cleaned by retention


def test_retention_keeps_the_newest_backups(sqlite_source, tmp_path):
    manifests = [bk.backup(sqlite_source, tmp_path, keep=2, progress=lambda _: None) for _ in range(3)]
    remaining = sorted(tmp_path.iterdir())
    assert remaining == sorted([*manifests[1:], *map(_archive, manifests[1:])])


def test_restored_empty_scratch_is_refused_for_in_memory_sqlite(sqlite_backup):
    with pytest.raises(bk.BackupError, match="in-memory"):
        bk.restore(_archive(sqlite_backup), "sqlite://", progress=lambda _: None)


# --- PostgreSQL ---------------------------------------------------------------------------------


@pytest.mark.postgres
def test_postgres_backup_drop_restore_verify(pg_server, sample_dir, stack, tmp_path):
    name = f"bk_{uuid.uuid4().hex[:10]}"
    url = pg_server.create_database(name)
    try:
        _load_sample(url, sample_dir)
        before = _tables(url)
        clients = before["application"]["SK_ID_CURR"].iloc[::200].tolist()
        scores = _scores(url, stack.model_dir, clients)
        lines: list[str] = []
        manifest_file = bk.backup(url, tmp_path, progress=lines.append)
        archive = _archive(manifest_file)
        manifest_text = manifest_file.read_text()
        assert pg_server.password not in manifest_text + "\n".join(lines)
        assert json.loads(manifest_text)["tables"]["bureau_balance"]["rows"] == len(before["bureau_balance"])

        pg_server.drop_database(name)  # lose everything
        pg_server.create_database(name)
        with pytest.raises(bk.BackupError, match="corrupted"):
            broken = tmp_path / "broken" / archive.name
            broken.parent.mkdir()
            _copy_backup(manifest_file, broken.parent)
            broken.write_bytes(broken.read_bytes()[:-10] + b"0123456789")
            bk.restore(broken, url, progress=lambda _: None)

        restored = bk.restore(archive, url, progress=lambda _: None)
        assert restored == json.loads(manifest_text)["tables"]
        after = _tables(url)
        for table in DATA_TABLES:
            pd.testing.assert_frame_equal(after[table], before[table])
        assert _scores(url, stack.model_dir, clients) == scores  # the API would answer the same
        assert bk.verify(archive, server_url=pg_server.url(), progress=lambda _: None) == restored
        with pytest.raises(bk.BackupError, match="not empty"):
            bk.restore(archive, url, progress=lambda _: None)
    finally:
        pg_server.drop_database(name)
