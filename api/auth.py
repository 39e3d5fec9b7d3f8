"""API keys: ``X-API-Key`` checked against SHA-256 digests from SCORING_API_KEYS, then a per-key rate limit.

SCORING_API_KEYS holds ``name:sha256hex`` entries separated by commas; ``name:sha256hex:write`` is a key that
may also write (record an advisor's review, ``POST /api/v1/clients/{id}/review``). Keys are 256-bit random strings
made by ``python -m api create-key NAME``, so an unsalted SHA-256 is enough: nobody can brute-force the
key space, and the digest lets the variable be shared without revealing the key. The server never stores a
key, only its digest; the comparison runs over every entry with ``hmac.compare_digest``.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import re
import secrets

from flask import current_app, g, request

from api.errors import ApiError
from api.ratelimit import get_limits

HEADER = "X-API-Key"
NAME_PATTERN = re.compile(r"[A-Za-z0-9_.-]{1,64}")
DIGEST_PATTERN = re.compile(r"[0-9a-f]{64}")
WRITE_SCOPE = "write"


def new_key() -> str:
    """A fresh random API key (43 URL-safe characters, 256 bits)."""
    return secrets.token_urlsafe(32)


def digest(key: str) -> str:
    """The SHA-256 hex digest stored for a key."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def entry(name: str, key: str, write: bool = False) -> str:
    """The ``name:digest`` (or ``name:digest:write``) entry to add to SCORING_API_KEYS."""
    check_name(name)
    return f"{name}:{digest(key)}" + (f":{WRITE_SCOPE}" if write else "")


def check_name(name: str) -> None:
    """Refuse a caller name that could not be stored or parsed back."""
    if not NAME_PATTERN.fullmatch(name):
        raise ValueError(f"invalid key name {name!r}: use 1-64 letters, digits, '.', '_' or '-'")


def parse_keys(text: str) -> dict[str, bytes]:
    """Caller name -> digest bytes from ``name:sha256hex,...``; a malformed entry raises ValueError naming it."""
    keys: dict[str, bytes] = {}
    for position, raw in enumerate(str(text or "").split(","), start=1):
        item = raw.strip()
        if not item:
            continue
        name, _, rest = item.partition(":")
        hexdigest, _, scope = rest.strip().lower().partition(":")
        if not NAME_PATTERN.fullmatch(name.strip()) or not DIGEST_PATTERN.fullmatch(hexdigest) or scope not in ("",
                                                                                                        WRITE_SCOPE):
            raise ValueError(
                f"SCORING_API_KEYS entry {position} ({name.strip()[:20]!r}...) is not name:sha256hex[:write]; "
                "make one with `python -m api create-key NAME`"
            )
        keys[name.strip()] = bytes.fromhex(hexdigest)
    return keys


def writers(text: str) -> frozenset[str]:
    """Names of the keys of SCORING_API_KEYS that carry the write scope (``name:sha256hex:write``)."""
    return frozenset(item.split(":", 1)[0].strip() for item in str(text or "").split(",")
                     if item.strip().lower().endswith(f":{WRITE_SCOPE}"))


def identify(presented: str, keys: dict[str, bytes]) -> str | None:
    """The name of the key ``presented`` matches, comparing against every entry in constant time."""
    candidate = hashlib.sha256(presented.encode("utf-8", "surrogateescape")).digest()
    found = None
    for name, expected in keys.items():
        if hmac.compare_digest(candidate, expected):
            found = name
    return found


def charge(cost: float) -> None:
    """Spend ``cost`` more requests of the current caller's limit (a batch pays one per client)."""
    if cost > 0:
        get_limits().spend("key", g.caller, int(cost))


def require_key(view):
    """Decorator: the view needs a valid key; ``g.caller`` is its name; its bucket pays one token."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        presented = request.headers.get(HEADER, "")
        if not presented:
            raise ApiError(401, "missing_api_key", f"An API key is required in the {HEADER} header.",
                           {"WWW-Authenticate": f'ApiKey header="{HEADER}"'})
        name = identify(presented, current_app.extensions["api_keys"])
        if name is None:
            raise ApiError(403, "invalid_api_key", "The API key is not valid.")
        g.caller = name
        get_limits().spend("key", name)
        return view(*args, **kwargs)

    return wrapped


def require_write(view):
    """Decorator after ``require_key``: the caller's key must carry the write scope (403 otherwise)."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if g.caller not in current_app.extensions["api_writers"]:
            raise ApiError(403, "read_only_key", f"The API key {g.caller!r} may only read: a key created with "
                           "`python -m api create-key NAME --write` may record reviews.")
        return view(*args, **kwargs)

    return wrapped
