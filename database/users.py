"""People who sign in to the dashboard and the advisor page: names, roles and argon2 password hashes.

Passwords are hashed with argon2id (argon2-cffi's recommended parameters) and never stored or logged. A
check against an unknown name still computes one hash, so the answer time does not tell which names exist.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from database.schema import USER_ROLES, AppUser, ServerSession, SignInFailure

NAME_MAX = 64
#: The demo's accounts: one per role, named after it.
DEMO_USERS = (("advisor", "advisor"), ("risk_manager", "risk_manager"), ("admin", "admin"))
PASSWORD_MIN = 10


@dataclass(frozen=True)
class User:
    """A signed-in person: name and role (``advisor``, ``risk_manager`` or ``admin``)."""

    name: str
    role: str

    @property
    def sees_risk_views(self) -> bool:
        """Risk managers and administrators see the portfolio, threshold and monitoring views."""
        return self.role in ("risk_manager", "admin")


class UserError(ValueError):
    """A user cannot be created or changed; the message says why and what to do."""


@cache
def _hasher():
    return PasswordHasher()


@cache
def _dummy_hash() -> str:
    return _hasher().hash(secrets.token_urlsafe(16))


def new_password() -> str:
    """A generated password (16 URL-safe characters, 96 bits)."""
    return secrets.token_urlsafe(12)


def check_new(name: str, role: str, password: str) -> None:
    """Refuse a name, role or password that cannot be stored or is too weak, naming the value and the rule."""
    if not name or len(name) > NAME_MAX or not name.isprintable() or name.strip() != name:
        raise UserError(f"user name {name[:NAME_MAX]!r} is not valid: use 1-{NAME_MAX} printable characters "
                        "without leading or trailing spaces")
    if role not in USER_ROLES:
        raise UserError(f"role {role!r} is not known: use one of {', '.join(USER_ROLES)}")
    if len(password) < PASSWORD_MIN:
        raise UserError(f"the password of {name!r} has {len(password)} characters: give at least {PASSWORD_MIN}")


def create_user(engine: Engine, name: str, role: str, password: str) -> User:
    """Add a user; UserError if the name is taken or a value is refused."""
    check_new(name, role, password)
    try:
        with engine.begin() as connection:
            connection.execute(insert(AppUser).values(name=name, role=role, password_hash=_hasher().hash(password),
                                                      created_at=datetime.now(UTC)))
    except IntegrityError:
        raise UserError(f"user {name!r} already exists: use reset-password to give a new password") from None
    return User(name, role)


def reset_password(engine: Engine, name: str, password: str) -> int:
    """Give an existing user a new password, end their sessions and clear their failed sign-ins, in one
    transaction; returns how many sessions were ended. UserError if there is no such user."""
    with engine.begin() as connection:
        role = connection.execute(select(AppUser.role).where(AppUser.name == name)).scalar()
        if role is None:
            raise UserError(f"no user {name!r}: create it with create-user {name} --role ROLE")
        check_new(name, role, password)
        connection.execute(update(AppUser).where(AppUser.name == name)
                           .values(password_hash=_hasher().hash(password)))
        connection.execute(delete(SignInFailure).where(SignInFailure.account == name))
        return connection.execute(update(ServerSession)
                                  .where(ServerSession.user_name == name, ServerSession.revoked_at.is_(None))
                                  .values(revoked_at=datetime.now(UTC), revoked_reason="password reset")).rowcount


def find_user(engine: Engine, name: str) -> User | None:
    """The user called ``name`` (None when there is none)."""
    with engine.connect() as connection:
        role = connection.execute(select(AppUser.role).where(AppUser.name == name)).scalar()
    return User(name, role) if role else None


def count_users(engine: Engine) -> int:
    """How many users exist."""
    with engine.connect() as connection:
        return len(connection.execute(select(AppUser.id)).all())


def authenticate(engine: Engine, name: str, password: str) -> User | None:
    """The user if ``password`` is theirs, else None (the same work is done for unknown names)."""
    with engine.connect() as connection:
        row = connection.execute(select(AppUser.role, AppUser.password_hash).where(AppUser.name == name)).first()
    try:
        _hasher().verify(row.password_hash if row else _dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        return None
    return User(name, row.role) if row else None


def create_demo_users(engine, say=print) -> dict[str, str]:
    """With no user in the database, one of each role with generated passwords printed once; {name: password}."""
    if count_users(engine):
        say(f"demo users: the database already has users, none created; for a new password: "
            f"python -m bokeh_app reset-password NAME (the demo's: {', '.join(name for name, _ in DEMO_USERS)})")
        return {}
    made = {}
    for name, role in DEMO_USERS:
        made[name] = new_password()
        create_user(engine, name, role, made[name])
        say(f"demo user {name} ({role}): password {made[name]}  (shown once)")
    return made
