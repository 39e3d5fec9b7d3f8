"""Failed sign-ins, counted in the database so that every worker and server shares them and a restart keeps them.

Two counters, both over the policy's window (``database.config.SignInPolicy``):

- per account: ``lock_after`` wrong passwords for an existing account lock that account, from every address,
  until the window passes or an administrator resets its password; other accounts are not affected;
- per address: past ``address_limit`` failures from one address, names that are not accounts are refused
  without checking a password (a flood of guesses costs no hashing). An existing, unlocked account is always
  checked, so a correct password of another account from the same address (a branch behind one NAT address)
  still signs in; a wrong one then gets the same "too many" answer as an unknown name.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine, delete, func, insert, select

from database.config import SignInPolicy
from database.schema import AppUser, SignInFailure
from database.users import User, authenticate


@dataclass(frozen=True)
class Attempt:
    """The outcome of one sign-in: the user, or why not (``locked``: refused as too many, wait ``retry_after``)."""

    user: User | None
    locked: bool = False
    retry_after: int = 0


def _waits(engine: Engine, policy: SignInPolicy, *, account: str | None = None, address: str | None = None,
           limit: int) -> int:
    """Seconds until the oldest failure of a counter over its limit leaves the window (0: not over)."""
    since = datetime.now(UTC) - policy.window
    column = SignInFailure.account if account is not None else SignInFailure.address
    with engine.connect() as connection:
        count, oldest = connection.execute(
            select(func.count(), func.min(SignInFailure.failed_at))
            .where(column == (account if account is not None else address), SignInFailure.failed_at > since)).one()
    if count < limit:
        return 0
    oldest = oldest.replace(tzinfo=UTC) if oldest.tzinfo is None else oldest
    return max(1, int((oldest + policy.window - datetime.now(UTC)).total_seconds()) + 1)


def _is_account(engine: Engine, name: str) -> bool:
    with engine.connect() as connection:
        return connection.execute(select(AppUser.id).where(AppUser.name == name)).first() is not None


def sign_in(engine: Engine, name: str, password: str, address: str, policy: SignInPolicy) -> Attempt:
    """Check ``name`` and ``password`` from ``address`` under both counters; failures are recorded."""
    account = name if name and _is_account(engine, name) else None
    if account is not None:
        wait = _waits(engine, policy, account=account, limit=policy.lock_after)
        if wait:
            return Attempt(None, True, wait)
    else:
        wait = _waits(engine, policy, address=address, limit=policy.address_limit)
        if wait:
            return Attempt(None, True, wait)
    user = authenticate(engine, name, password) if name and password else None
    if user is not None:
        clear_account(engine, user.name)
        return Attempt(user)
    now = datetime.now(UTC)
    with engine.begin() as connection:
        connection.execute(delete(SignInFailure).where(SignInFailure.failed_at <= now - policy.window))
        connection.execute(insert(SignInFailure).values(failed_at=now, account=account, address=address))
    wait = _waits(engine, policy, address=address, limit=policy.address_limit)
    return Attempt(None, bool(wait), wait)


def clear_account(engine: Engine, name: str) -> None:
    """Forget the failures of one account (a correct password, a password reset)."""
    with engine.begin() as connection:
        connection.execute(delete(SignInFailure).where(SignInFailure.account == name))
