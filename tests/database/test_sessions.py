"""Server-side sessions and failed sign-ins in the database (SQLite and PostgreSQL): a session ends at sign-out,
password reset, administrator's revoke, idle and absolute timeouts; five wrong passwords lock one account only;
the targets after sign-in never leave the site."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from database.config import REPO_ROOT, SignInPolicy, get_engine
from database.lockout import sign_in
from database.migrate import migrate
from database.schema import ServerSession, SignInFailure
from database.sessions import live_user, open_session, reference, revoke, revoke_user, sessions_of
from database.signin import safe_next
from database.users import create_user, reset_password

pytestmark = pytest.mark.requirement("EXG-SEC-21")
POLICY = SignInPolicy()
PASSWORD = "correct-horse-battery"


@pytest.fixture
def engine(db_url):
    migrate(db_url)
    engine = get_engine(db_url)
    for name in ("advisor", "lockme"):
        create_user(engine, name, "advisor", PASSWORD)
    yield engine
    engine.dispose()


def test_a_session_ends_at_sign_out_reset_revoke_and_both_timeouts(engine):
    ended = {}
    for way in ("sign-out", "reset", "admin", "idle", "absolute"):
        session_id = open_session(engine, "advisor", POLICY)
        assert live_user(engine, session_id, POLICY).name == "advisor"
        if way == "sign-out":
            revoke(engine, session_id, "sign-out")
        elif way == "reset":
            reset_password(engine, "advisor", PASSWORD + "-2")
        elif way == "admin":
            revoke_user(engine, "advisor", "administrator")
        else:
            late = datetime.now(UTC) - (POLICY.idle if way == "idle" else POLICY.absolute) - timedelta(seconds=1)
            column = "last_seen_at" if way == "idle" else "expires_at"
            with engine.begin() as connection:
                connection.execute(update(ServerSession).where(ServerSession.id_hash == reference(session_id))
                                   .values({column: late}))
        ended[way] = live_user(engine, session_id, POLICY)
    assert ended == dict.fromkeys(ended)
    reasons = {s.revoked_reason for s in sessions_of(engine, "advisor")}
    assert {"sign-out", "password reset", "administrator"} <= reasons
    assert all(len(s.reference) == 64 for s in sessions_of(engine, "advisor"))


def test_the_database_keeps_only_the_hash_of_the_session_id(engine):
    session_id = open_session(engine, "advisor", POLICY)
    with engine.connect() as connection:
        keys = [row[0] for row in connection.execute(ServerSession.__table__.select().with_only_columns(
            ServerSession.id_hash))]
    assert session_id not in keys and reference(session_id) in keys


def test_five_wrong_passwords_lock_that_account_only_and_a_reset_clears_it(engine):
    for _ in range(5):
        attempt = sign_in(engine, "lockme", "wrong-password", "10.0.0.1", POLICY)
        assert attempt.user is None
    locked = sign_in(engine, "lockme", PASSWORD, "10.0.0.2", POLICY)  # from another address too
    assert locked.user is None and locked.locked and 0 < locked.retry_after <= 15 * 60 + 1
    assert sign_in(engine, "advisor", PASSWORD, "10.0.0.1", POLICY).user.name == "advisor"
    reset_password(engine, "lockme", PASSWORD)
    assert sign_in(engine, "lockme", PASSWORD, "10.0.0.1", POLICY).user.name == "lockme"


def test_a_flood_of_unknown_names_is_refused_unchecked_but_never_a_real_account(engine):
    policy = SignInPolicy(address_limit=3)
    answers = [sign_in(engine, f"nobody-{i}", "guess-guess", "10.0.0.9", policy).locked for i in range(5)]
    assert answers == [False, False, True, True, True]
    with engine.connect() as connection:
        rows = connection.execute(SignInFailure.__table__.select()).all()
    assert len(rows) == 3  # refused names after the limit were not even counted, nor hashed
    assert sign_in(engine, "advisor", PASSWORD, "10.0.0.9", policy).user.name == "advisor"
    wrong = sign_in(engine, "advisor", "wrong-password", "10.0.0.9", policy)
    assert wrong.user is None and wrong.locked  # the same "too many" answer as an unknown name


@pytest.mark.parametrize("target", ["/\\evil.com", "/\\/evil.com", "//evil.com", "https://evil.com/",
                                    "javascript:alert(1)", "/\t/evil.com", "evil.com", "/%0A/evil.com\n"])
def test_a_target_outside_the_site_gives_the_home_page(target):
    assert safe_next(target) == "/"


def test_a_target_on_the_site_is_kept():
    assert safe_next("/bokeh_app?lang=en") == "/bokeh_app?lang=en" and safe_next(None) == "/"


def test_the_sessions_command_lists_and_revokes(sqlite_url):
    migrate(sqlite_url)
    engine = get_engine(sqlite_url)
    create_user(engine, "advisor", "advisor", PASSWORD)
    first, second = open_session(engine, "advisor", POLICY), open_session(engine, "advisor", POLICY)
    env = {"DATABASE_URL": sqlite_url, "PATH": "/usr/bin:/bin"}

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "bokeh_app", "sessions", *args], cwd=REPO_ROOT, env=env,
                              capture_output=True, text=True, timeout=120)

    listed = run("advisor")
    assert listed.returncode == 0 and "2 session(s) of advisor" in listed.stdout
    assert listed.stdout.count("live") == 2 and reference(first)[:12] in listed.stdout
    assert run("advisor", "--revoke", reference(first)[:12]).returncode == 0
    assert live_user(engine, first, POLICY) is None and live_user(engine, second, POLICY) is not None
    missing = run("advisor", "--revoke", "ffffffffffff")
    assert missing.returncode == 2 and "has no session whose reference starts with" in missing.stderr
    assert run("advisor", "--revoke-all").returncode == 0 and live_user(engine, second, POLICY) is None
    assert "revoked" in run("advisor").stdout and run("--help").returncode == 0
    engine.dispose()


def test_the_guides_state_the_policy_the_code_applies():
    policy = SignInPolicy()
    guide = (REPO_ROOT / "docs" / "user-guide.md").read_text()
    operations = (REPO_ROOT / "docs" / "operations.md").read_text()
    minutes = {5: "cinq", 15: "quinze"}
    assert f"{policy.idle.seconds // 60} minutes sans utilisation" in guide
    assert f"{policy.absolute.seconds // 3600} heures après la connexion" in guide
    assert f"{minutes[policy.lock_after]} mots de passe faux en {minutes[policy.window.seconds // 60]} minutes" in guide
    assert f"`SESSION_IDLE_MINUTES` ({policy.idle.seconds // 60})" in operations
    assert "(`SIGNIN_LOCK_AFTER`)" in operations and f"after {policy.address_limit} failures" in operations
