"""Least privilege on a real PostgreSQL server: each role can do its job and nothing more."""

from __future__ import annotations

import csv
import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from database.config import get_engine
from database.roles import OWNER, ROLES, SQL_DIR, init_roles, role_url
from database.schema import Base

pytestmark = pytest.mark.requirement("EXG-SEC-02")

PASSWORDS = {role: f"pw-{role}-{uuid.uuid4().hex[:8]}" for role in ROLES}
INSUFFICIENT_PRIVILEGE = "42501"


def test_every_table_of_the_schema_has_its_privileges_decided():
    grants = (SQL_DIR / "grants.sql").read_text()
    missing = [t for t in Base.metadata.tables if not re.search(rf"\b{t}\b", grants)]
    assert not missing, f"grants.sql does not mention {missing}: decide who may read/write them"


def test_no_password_is_written_in_the_sql():
    for script in SQL_DIR.glob("*.sql"):
        assert not re.search(r"PASSWORD\s+'", script.read_text(), re.IGNORECASE), script.name


@pytest.fixture(scope="module")
def roles_db(pg_server, sample_dir) -> Iterator[dict[str, str]]:
    """A database set up by init-roles, the sample's applicants and bureau loaded by the loader; URL per role."""
    from database.loader import load

    name = f"roles_{uuid.uuid4().hex[:10]}"
    admin_url = pg_server.create_database(name)
    try:
        report = init_roles(admin_url, passwords=PASSWORDS)
        assert set(report.tables_created) == set(Base.metadata.tables)
        urls = {role: role_url(admin_url, role, password) for role, password in PASSWORDS.items()}
        # the first load into empty tables runs as the least-privileged loader too (indexes are kept)
        load([sample_dir / "application_data_sample.csv", sample_dir / "bureau.csv"], urls["homecredit_loader"],
             progress=None)
        urls["admin"] = admin_url
        yield urls
    finally:
        pg_server.drop_database(name)


def _engine(url: str) -> Engine:
    return get_engine(url, pool_size=1, max_overflow=0)


def _run(url: str, sql: str) -> list:
    engine = _engine(url)
    try:
        with engine.begin() as connection:
            result = connection.execute(text(sql))
            return result.fetchall() if result.returns_rows else []
    finally:
        engine.dispose()


def _refused(url: str, sql: str) -> None:
    with pytest.raises(DBAPIError) as caught:
        _run(url, sql)
    assert caught.value.orig.pgcode == INSUFFICIENT_PRIVILEGE, str(caught.value.orig)


AUDIT_ROW = ("INSERT INTO score_audit (sk_id_curr, model_version, probability, decision, threshold, caller) "
             "SELECT min(sk_id_curr), 'v-test', 0.2, 'grant', 0.3, 'test' FROM application")


@pytest.mark.postgres
@pytest.mark.parametrize("sql", [
    "UPDATE application SET amt_credit = 1",
    "DELETE FROM bureau",
    "TRUNCATE application CASCADE",
    "DROP TABLE bureau_balance",
    "CREATE TABLE shadow (x int)",
    "ALTER TABLE application ADD COLUMN note text",
    "SELECT * FROM score_audit",
    "UPDATE score_audit SET decision = 'grant'",
    "DELETE FROM score_audit",
    "INSERT INTO application (sk_id_curr) VALUES (1)",
    "SELECT * FROM rejected_row",
    "DELETE FROM client_score",
    "UPDATE client_score SET probability = 0",
    "SELECT source FROM load_run",
])
def test_application_role_cannot_change_or_read_what_it_must_not(roles_db, sql):
    _refused(roles_db["homecredit_app"], sql)


def _linked_bureau_rows(sample_dir: Path) -> int:
    """Rows of the sample's bureau.csv whose client is one of application_data_sample.csv's applicants."""
    with open(sample_dir / "application_data_sample.csv", newline="") as applications:
        clients = {row["SK_ID_CURR"] for row in csv.DictReader(applications)}
    with open(sample_dir / "bureau.csv", newline="", encoding="utf-8-sig") as bureau:
        return sum(row["SK_ID_CURR"] in clients for row in csv.DictReader(bureau))


@pytest.mark.postgres
def test_application_role_reads_data_and_appends_audit_rows(roles_db, sample_dir):
    app = roles_db["homecredit_app"]
    assert _run(app, "SELECT count(*) FROM application")[0][0] == 872
    assert _run(app, "SELECT count(*) FROM bureau")[0][0] == _linked_bureau_rows(sample_dir)
    _run(app, AUDIT_ROW)
    assert _run(roles_db[OWNER], "SELECT model_version, decision FROM score_audit WHERE caller = 'test'") == [
        ("v-test", "grant")]
    # the batch-score lookup: the row the loader stored, and the latest load run's id
    _run(roles_db["homecredit_loader"],
         "INSERT INTO client_score (model_version, sk_id_curr, probability, reasons, load_run_id, scored_at) "
         "SELECT 'v-app-reads', min(sk_id_curr), 0.25, '[]', 1, now() FROM application")
    client = _run(app, "SELECT min(sk_id_curr) FROM application")[0][0]
    assert _run(app, "SELECT sk_id_curr, probability, reasons FROM client_score "
                     "WHERE model_version = 'v-app-reads'") == [(client, 0.25, '[]')]
    assert _run(app, "SELECT max(id) FROM load_run")[0][0] >= 1


@pytest.mark.postgres
def test_loader_replaces_batch_scores_but_never_deletes_data(roles_db):
    loader = roles_db["homecredit_loader"]
    _run(loader, "INSERT INTO client_score (model_version, sk_id_curr, probability, reasons, load_run_id, scored_at) "
                 "SELECT 'v-roles', min(sk_id_curr), 0.1, '[]', 1, now() FROM application")
    _run(loader, "DELETE FROM client_score WHERE model_version = 'v-roles'")
    assert _run(loader, "SELECT count(*) FROM client_score WHERE model_version = 'v-roles'")[0][0] == 0
    _refused(loader, "DELETE FROM application")


@pytest.mark.postgres
@pytest.mark.parametrize("sql", [
    "SELECT * FROM score_audit",
    "UPDATE application SET amt_credit = 1",
    "DELETE FROM application",
    "TRUNCATE bureau",
    "UPDATE load_run SET source = 'rewritten'",
    "DROP TABLE rejected_row",
    "CREATE TABLE shadow (x int)",
])
def test_loader_cannot_read_decisions_nor_rewrite_history(roles_db, sql):
    _refused(roles_db["homecredit_loader"], sql)


@pytest.mark.postgres
def test_loader_appends_new_rows_with_the_loader(roles_db, sample_dir, tmp_path):
    from database.loader import load

    new_file = tmp_path / "application.csv"
    with open(sample_dir / "application_data_sample.csv", newline="") as source, open(new_file, "w",
                                                                                       newline="") as out:
        reader, writer = csv.reader(source), csv.writer(out)
        writer.writerow(next(reader))
        for offset, row in zip(range(3), reader, strict=False):
            writer.writerow([str(9_000_001 + offset), *row[1:]])
    load([new_file], roles_db["homecredit_loader"], tables=["application"], progress=None)
    ids = _run(roles_db["homecredit_analyst"], "SELECT sk_id_curr FROM application WHERE sk_id_curr > 9000000")
    assert sorted(i for (i,) in ids) == [9_000_001, 9_000_002, 9_000_003]


@pytest.mark.postgres
@pytest.mark.parametrize("sql", [
    "SELECT * FROM score_audit",
    "INSERT INTO load_run (source) VALUES ('x')",
    "UPDATE application SET amt_credit = 1",
    "CREATE TABLE shadow (x int)",
])
def test_analyst_reads_data_only(roles_db, sql):
    analyst = roles_db["homecredit_analyst"]
    assert _run(analyst, "SELECT count(*) FROM application")[0][0] >= 872
    with pytest.raises(DBAPIError) as caught:
        _run(analyst, sql)
    # INSERT/UPDATE fail first on the read-only session default, the rest on privileges
    assert caught.value.orig.pgcode in {INSUFFICIENT_PRIVILEGE, "25006"}


@pytest.mark.postgres
def test_loader_first_load_keeps_indexes_and_foreign_keys(roles_db):
    bureau = Base.metadata.tables["bureau"]
    indexes = _run(roles_db["admin"], "SELECT indexname FROM pg_indexes WHERE tablename = 'bureau'")
    constraints = _run(roles_db["admin"], "SELECT conname FROM pg_constraint WHERE conrelid = 'bureau'::regclass")
    assert {i for (i,) in indexes} == {bureau.primary_key.name, *(ix.name for ix in bureau.indexes)}
    assert {c for (c,) in constraints} == {c.name for c in bureau.constraints}


@pytest.mark.postgres
def test_owner_holds_every_table_and_passwords_are_scram(roles_db):
    owners = _run(roles_db["admin"], "SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'")
    assert owners == [(OWNER,)]
    verifiers = _run(roles_db["admin"],
                     "SELECT rolname, rolpassword FROM pg_authid WHERE rolname LIKE 'homecredit%'")
    assert len(verifiers) == len(ROLES)
    assert all(v.startswith("SCRAM-SHA-256$") for _, v in verifiers)
    flags = _run(roles_db["admin"], "SELECT bool_or(rolsuper OR rolcreaterole OR rolcreatedb OR rolbypassrls) "
                                    "FROM pg_roles WHERE rolname LIKE 'homecredit%'")
    assert flags == [(False,)]
    _refused(roles_db["homecredit_app"], "CREATE TABLE public.x (y int)")


@pytest.mark.postgres
def test_new_tables_follow_the_rules_and_a_rerun_keeps_them(roles_db):
    _run(roles_db[OWNER], "CREATE TABLE IF NOT EXISTS region_stats (region int PRIMARY KEY, score float)")
    _run(roles_db["homecredit_loader"], "INSERT INTO region_stats VALUES (1, 0.5)")
    assert _run(roles_db["homecredit_app"], "SELECT score FROM region_stats") == [(0.5,)]
    _refused(roles_db["homecredit_app"], "INSERT INTO region_stats VALUES (2, 0.1)")
    report = init_roles(roles_db["admin"], passwords=PASSWORDS)  # idempotent re-run
    assert report.tables_created == []
    assert _run(roles_db["homecredit_app"], "SELECT count(*) FROM application")[0][0] >= 872
    _refused(roles_db["homecredit_app"], "SELECT * FROM score_audit")
    _refused(roles_db["homecredit_app"], "DELETE FROM region_stats")


@pytest.mark.postgres
def test_sql_in_a_client_id_changes_nothing(roles_db):
    from database.read import read_table

    engine = _engine(roles_db["homecredit_app"])
    try:
        before = len(read_table(engine, "application"))
        for attack in ["100002 OR 1=1", "100002; DROP TABLE application; --", "' OR '1'='1"]:
            with pytest.raises(ValueError):
                read_table(engine, "application", client_ids=[attack])
        assert len(read_table(engine, "application", client_ids=[-1])) == 0
        assert len(read_table(engine, "application")) == before
    finally:
        engine.dispose()


def test_init_roles_refuses_sqlite(tmp_path: Path):
    with pytest.raises(ValueError, match="PostgreSQL"):
        init_roles(f"sqlite:///{tmp_path / 'x.db'}")


@pytest.mark.postgres
def test_monitoring_history_is_appended_by_the_loader_and_only_read_by_the_app(roles_db):
    loader, app = roles_db["homecredit_loader"], roles_db["homecredit_app"]
    _run(loader, "INSERT INTO monitoring_result (computed_at, model_version, load_run_id, level, score_psi, result) "
                 "SELECT now(), 'v-roles', max(id), 'watch', 0.12, '{}' FROM load_run")
    assert _run(app, "SELECT level, score_psi FROM monitoring_result WHERE model_version = 'v-roles'") == [
        ("watch", 0.12)]
    assert _run(roles_db["homecredit_analyst"], "SELECT count(*) FROM monitoring_result")[0][0] >= 1
    for sql in ("DELETE FROM monitoring_result", "UPDATE monitoring_result SET level = 'stable'"):
        _refused(loader, sql)
        _refused(app, sql)
    _refused(app, "INSERT INTO monitoring_result (computed_at, model_version, level, score_psi, result) "
                  "VALUES (now(), 'v-app', 'stable', 0, '{}')")


REVIEW_ROW = ("INSERT INTO decision_review (reviewed_at, sk_id_curr, model_version, model_probability, model_decision, "
              "model_grade, final_decision, reason, comment, user_name) SELECT now(), min(sk_id_curr), 'v-roles', 0.4, "
              "'refuse', 'E', 'grant', 'guarantee_offered', NULL, 'advisor' FROM application")


@pytest.mark.postgres
@pytest.mark.requirement("EXG-SEC-23")
def test_reviews_are_appended_and_read_by_the_app_never_changed(roles_db):
    app = roles_db["homecredit_app"]
    _run(app, REVIEW_ROW)
    assert _run(app, "SELECT final_decision, reason FROM decision_review WHERE model_version = 'v-roles'") == [
        ("grant", "guarantee_offered")]
    for sql in ("UPDATE decision_review SET final_decision = 'refuse'", "DELETE FROM decision_review",
                "TRUNCATE decision_review"):
        _refused(app, sql)
        _refused(roles_db["homecredit_loader"], sql)
    _refused(roles_db["homecredit_loader"], REVIEW_ROW)
    assert _run(roles_db[OWNER], "SELECT count(*) FROM decision_review WHERE final_decision = 'grant'")[0][0] >= 1


@pytest.mark.postgres
@pytest.mark.requirement("EXG-SEC-21", "EXG-SEC-22")
def test_the_app_only_appends_file_openings_and_only_reads_users(roles_db):
    app = roles_db["homecredit_app"]
    _run(app, "INSERT INTO access_log (accessed_at, user_name, sk_id_curr, channel) VALUES (now(), 'advisor', 1, 'page')")
    assert _run(roles_db[OWNER], "SELECT user_name, channel FROM access_log") == [("advisor", "page")]
    for sql in ("SELECT * FROM access_log", "UPDATE access_log SET user_name = 'nobody'", "DELETE FROM access_log",
                "INSERT INTO app_user (name, role, password_hash, created_at) VALUES ('x', 'admin', 'h', now())",
                "UPDATE app_user SET role = 'admin'", "DELETE FROM app_user"):
        _refused(app, sql)
    _run(roles_db[OWNER], "INSERT INTO app_user (name, role, password_hash, created_at) "
                          "VALUES ('roles-risk', 'risk_manager', 'argon2-hash', now())")
    assert _run(app, "SELECT name, role FROM app_user WHERE name = 'roles-risk'") == [("roles-risk", "risk_manager")]
    for sql in ("SELECT * FROM app_user", "SELECT * FROM access_log"):
        with pytest.raises(DBAPIError):
            _run(roles_db["homecredit_analyst"], sql)


@pytest.mark.postgres
@pytest.mark.requirement("EXG-SEC-21")
def test_the_app_opens_touches_and_revokes_sessions_and_counts_failures_but_changes_nothing_else(roles_db):
    app = roles_db["homecredit_app"]
    _run(app, "INSERT INTO server_session (id_hash, user_name, created_at, last_seen_at, expires_at) "
              "VALUES ('h1', 'advisor', now(), now(), now() + interval '12 hours')")
    _run(app, "UPDATE server_session SET last_seen_at = now(), revoked_at = now(), revoked_reason = 'sign-out' "
              "WHERE id_hash = 'h1'")
    assert _run(app, "SELECT revoked_reason FROM server_session") == [("sign-out",)]
    _run(app, "INSERT INTO sign_in_failure (failed_at, account, address) VALUES (now(), 'advisor', '10.0.0.1')")
    _run(app, "DELETE FROM sign_in_failure WHERE account = 'advisor'")
    for sql in ("UPDATE server_session SET user_name = 'admin'", "UPDATE server_session SET expires_at = now()",
                "DELETE FROM server_session", "UPDATE sign_in_failure SET account = 'x'"):
        _refused(app, sql)
    for sql in ("SELECT * FROM server_session", "SELECT * FROM sign_in_failure"):
        with pytest.raises(DBAPIError):
            _run(roles_db["homecredit_analyst"], sql)


@pytest.mark.postgres
@pytest.mark.requirement("EXG-SEC-23")
def test_the_app_records_and_answers_review_requests_which_nobody_changes(roles_db):
    from types import SimpleNamespace

    from database.review_requests import answer_request, get_request, record_request

    app = _engine(roles_db["homecredit_app"])
    try:
        client = _run(roles_db["homecredit_app"], "SELECT min(sk_id_curr) FROM application")[0][0]
        request = record_request(app, client, "Mon point de vue", "api", "api:web")
        result = SimpleNamespace(client_id=client, model_version="v-roles", probability=0.4, decision="refuse",
                                 grade="E")
        answer_request(app, request.id, result, "advisor", "grant", "income_verified")
        assert get_request(app, request.id).state == "answered"
    finally:
        app.dispose()
    for sql in ("UPDATE review_request SET statement = 'forged'", "DELETE FROM review_request_step",
                "TRUNCATE review_request CASCADE"):
        _refused(roles_db["homecredit_app"], sql)
        with pytest.raises(DBAPIError, match="append-only"):
            _run(roles_db[OWNER], sql)
    assert _run(roles_db[OWNER], f"SELECT statement FROM review_request WHERE id = {request.id}") == [
        ("Mon point de vue",)]


@pytest.mark.postgres
@pytest.mark.requirement("EXG-SEC-23")
def test_the_analyst_studies_overrides_without_the_advisors_names_or_comments(roles_db):
    _run(roles_db["homecredit_app"], REVIEW_ROW)
    analyst = roles_db["homecredit_analyst"]
    assert _run(analyst, "SELECT model_decision, final_decision, reason FROM decision_review "
                         "WHERE model_version = 'v-roles'")[0] == ("refuse", "grant", "guarantee_offered")
    assert _run(analyst, "SELECT count(*) FROM decision_review")[0][0] >= 1
    for sql in ("SELECT user_name FROM decision_review", "SELECT comment FROM decision_review",
                "SELECT * FROM decision_review"):
        _refused(analyst, sql)
