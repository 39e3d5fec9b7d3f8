"""Reviews: an advisor's final decision on a client (confirm or override the model, with a reason) recorded
through the API by a key allowed to write; appended to ``decision_review``, never changed."""

from __future__ import annotations

import re

from flask import Blueprint, g

from api.auth import require_key, require_write
from api.body import json_object
from api.errors import ApiError
from api.schemas import REVIEW_REQUEST, USER_CHARS, USER_MAX, USER_PATTERN, review_json
from api.service import get_service, parse_client_id, shown_json
from database.oversight import COMMENT_MAX, ReviewError, record_review

bp = Blueprint("reviews", __name__, url_prefix="/api/v1")


@bp.post("/clients/<client_id>/review")
@require_key
@require_write
def post_review(client_id: str):
    """Record a review of a client's decision.
    ---
    post:
      summary: Record the final decision of an advisor (confirm or override the model)
      description: >
        The model's current score of the client is recorded next to the final decision, the reason (one of
        the list), the optional comment and the advisor's name (stored as `api:<key name>/<user>`). Reviews are
        append-only: a new review supersedes the previous one, which stays in the history. The latest review
        comes back in `GET /api/v1/clients/{client_id}/score`. Needs a key with the write scope
        (`python -m api create-key NAME --write`).
      tags: [reviews]
      security: [{ApiKey: []}]
      parameters:
        - ClientId  # components.parameters (api/openapi.py)
      requestBody:
        required: true
        content: {application/json: {schema: {$ref: "#/components/schemas/ReviewRequest"}}}
      responses:
        "201":
          description: The review as recorded.
          content: {application/json: {schema: {$ref: "#/components/schemas/Review"}}}
        "400": {$ref: "#/components/responses/BadRequest"}
        "401": {$ref: "#/components/responses/MissingKey"}
        "403": {$ref: "#/components/responses/InvalidKey"}
        "404": {$ref: "#/components/responses/UnknownClient"}
        "413": {$ref: "#/components/responses/TooLarge"}
        "415": {$ref: "#/components/responses/NotJson"}
        "429": {$ref: "#/components/responses/RateLimited"}
        "503": {$ref: "#/components/responses/Unavailable"}
    """
    cid = parse_client_id(client_id)
    body = json_object('{"final_decision": "grant", "reason": "income_verified", "user": "advisor-42"}')
    unknown = sorted(set(body) - set(REVIEW_REQUEST["properties"]))
    if unknown:
        raise ApiError(400, "invalid_body", f"Field {unknown[0][:30]!r} is unknown: give final_decision, reason, "
                                            "user and, optionally, comment.")
    user = _user(body.get("user"))
    comment = body.get("comment")
    if isinstance(comment, str) and len(comment) > COMMENT_MAX:  # as given, spaces included (the schema's maxLength)
        raise ApiError(400, "invalid_comment", f"comment has {len(comment)} characters: at most {COMMENT_MAX}.")
    service = get_service()
    result = service.score(cid, "fr")
    try:
        review = record_review(service.engine, result, f"api:{g.caller}/{user}",
                               body.get("final_decision"), body.get("reason"), comment)
    except ReviewError as error:
        raise ApiError(400, f"invalid_{error.field}", f"{error}.") from None
    return review_json(review), 201


def _user(user: object) -> str:
    """The advisor's name as the schema's pattern allows it (no control, invisible or bidi character), stripped."""
    if not isinstance(user, str) or not 0 < len(user) <= USER_MAX:
        raise ApiError(400, "invalid_user", f"user is {shown_json(user)}: give the name of the advisor who "
                                            f"decided (1-{USER_MAX} characters).")
    if not re.fullmatch(USER_PATTERN, user):  # NUL, line breaks, bidi overrides would forge or hide what people read
        bad = next((c for c in user if not re.fullmatch(f"[{USER_CHARS} ]", c)), user[0])
        raise ApiError(400, "invalid_user", f"user holds the character U+{ord(bad):04X} where it may not: use Latin "
                                            "letters, digits, spaces and . _ @ + ' - (starting with no space).")
    return user.strip()
