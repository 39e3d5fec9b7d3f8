"""What a client ID (SK_ID_CURR) is when a person or a system types one: 1 to 10 ASCII digits, at most 2^31-1."""

from __future__ import annotations

import re

#: The largest SK_ID_CURR the schema stores (a 32-bit INTEGER column on PostgreSQL).
MAX_CLIENT_ID = 2**31 - 1
#: The ID as text: ASCII digits only (``str.isdigit`` and ``int`` also take full-width and other scripts' digits).
CLIENT_ID_PATTERN = "[0-9]{1,10}"
_DIGITS = re.compile(CLIENT_ID_PATTERN)


def client_id_from_text(text: str) -> int | None:
    """The client ID written in ``text`` (nothing around it, not even a final newline), else None."""
    if not isinstance(text, str) or not _DIGITS.fullmatch(text):
        return None
    value = int(text)
    return value if value <= MAX_CLIENT_ID else None
