"""Server-side sessions: a sign-in is a row; the cookie holds a random id whose hash is the row's key.

A session ends when it is revoked (sign-out, a password reset, an administrator), when it has not been used
for the policy's idle time, or at its absolute end, whichever comes first. The database keeps only the id's
sha256, so reading the table does not give anyone a sign-in. ``reference`` is that hash: it names a session
(in the dashboard's session token, in the administrator's list) without being a credential.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, insert, select, update

from database.config import SignInPolicy, sign_in_policy
from database.schema import AppUser, ServerSession
from database.users import User

#: last_seen_at is written at most this often per session (a page's requests do not each write a row).
TOUCH_EVERY = timedelta(seconds=30)


@dataclass(frozen=True)
class SessionRow:
    """One session as the administrator's list shows it."""

    reference: str
    user_name: str
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    revoked_reason: str | None


def reference(session_id: str) -> str:
    """The public name of a session: the sha256 of its id (the row's key)."""
    return hashlib.sha256(session_id.encode()).hexdigest()


def _utc(moment: datetime | None) -> datetime | None:
    """SQLite gives naive datetimes back: they were written in UTC."""
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment


def open_session(engine: Engine, user_name: str, policy: SignInPolicy) -> str:
    """A new session of ``user_name``; returns its id (for the cookie only, never stored)."""
    session_id, now = secrets.token_urlsafe(32), datetime.now(UTC)
    with engine.begin() as connection:
        connection.execute(insert(ServerSession).values(
            id_hash=reference(session_id), user_name=user_name, created_at=now, last_seen_at=now,
            expires_at=now + policy.absolute))
    return session_id


def live_reference_user(engine: Engine, ref: str, policy: SignInPolicy, touch: bool = True) -> User | None:
    """The user of the live session named ``ref`` (None: unknown, revoked, idle too long, past its end, or its
    account removed); a use is recorded as last_seen_at."""
    now = datetime.now(UTC)
    with engine.connect() as connection:
        row = connection.execute(
            select(ServerSession.user_name, ServerSession.last_seen_at, ServerSession.expires_at,
                   ServerSession.revoked_at, AppUser.role)
            .join(AppUser, AppUser.name == ServerSession.user_name).where(ServerSession.id_hash == ref)).first()
    if row is None or row.revoked_at is not None or now >= _utc(row.expires_at):
        return None
    if now - _utc(row.last_seen_at) >= policy.idle:
        return None
    if touch and now - _utc(row.last_seen_at) >= TOUCH_EVERY:
        with engine.begin() as connection:
            connection.execute(update(ServerSession).where(ServerSession.id_hash == ref).values(last_seen_at=now))
    return User(row.user_name, row.role)


def live_user(engine: Engine, session_id: str | None, policy: SignInPolicy) -> User | None:
    """The user of the live session whose id the cookie holds (None when there is none)."""
    return live_reference_user(engine, reference(session_id), policy) if session_id else None


def revoke(engine: Engine, session_id: str, reason: str) -> None:
    """End one session (sign-out)."""
    revoke_reference(engine, reference(session_id), reason)


def revoke_reference(engine: Engine, ref: str, reason: str) -> int:
    """End the live sessions whose reference starts with ``ref`` (the administrator types a prefix); how many."""
    if len(ref) < 8:
        raise ValueError(f"session reference {ref!r} is too short: give at least 8 characters of it")
    with engine.begin() as connection:
        return connection.execute(
            update(ServerSession).where(ServerSession.id_hash.startswith(ref, autoescape=True),
                                        ServerSession.revoked_at.is_(None))
            .values(revoked_at=datetime.now(UTC), revoked_reason=reason)).rowcount


def revoke_user(engine: Engine, user_name: str, reason: str) -> int:
    """End every live session of ``user_name`` (password reset, administrator); how many were ended."""
    with engine.begin() as connection:
        return connection.execute(
            update(ServerSession).where(ServerSession.user_name == user_name, ServerSession.revoked_at.is_(None))
            .values(revoked_at=datetime.now(UTC), revoked_reason=reason)).rowcount


def sessions_of(engine: Engine, user_name: str) -> list[SessionRow]:
    """Every session of ``user_name``, newest first."""
    with engine.connect() as connection:
        rows = connection.execute(select(ServerSession).where(ServerSession.user_name == user_name)
                                  .order_by(ServerSession.created_at.desc())).all()
    return [SessionRow(r.id_hash, r.user_name, _utc(r.created_at), _utc(r.last_seen_at), _utc(r.expires_at),
                       _utc(r.revoked_at), r.revoked_reason) for r in rows]


def session_state(row: SessionRow, policy: SignInPolicy | None = None) -> str:
    """``revoked``, ``ended`` (past its absolute end), ``idle`` (unused too long) or ``live``."""
    policy, now = policy or sign_in_policy(), datetime.now(UTC)
    if row.revoked_at is not None:
        return "revoked"
    if now >= row.expires_at:
        return "ended"
    return "idle" if now - row.last_seen_at >= policy.idle else "live"
