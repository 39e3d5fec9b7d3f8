"""The JSON object of a request body, or a one-line 400/415 saying what is wrong with it."""

from __future__ import annotations

from typing import Any

from flask import request

from api.errors import ApiError


def json_object(example: str) -> dict[str, Any]:
    """The body as a dict; 415 if it is not declared JSON, 400 if it is not a JSON object like ``example``."""
    if not request.is_json:
        raise ApiError(415, "unsupported_media_type",
                       "The request body must be JSON (Content-Type: application/json).")
    try:
        body = request.get_json(silent=True)
    except RecursionError:  # the decoder recurses once per level; werkzeug only catches ValueError
        raise ApiError(400, "invalid_body", "The JSON body is nested too deeply: "
                                            f"send a flat object like {example}.") from None
    if not isinstance(body, dict):
        raise ApiError(400, "invalid_body", f"The body must be a JSON object like {example}.")
    return body
