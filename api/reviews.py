"""Reviews: an advisor's final decision on a client (confirm or override the model, with a reason) recorded
through the API by a key allowed to write; appended to ``decision_review``, never changed."""

from __future__ import annotations

from flask import Blueprint, g

from api.auth import require_key, require_write
from api.errors import ApiError
from api.schemas import review_json
from api.service import get_service, parse_client_id, parse_json_object, shown_json
from database.oversight import ReviewError, record_review

bp = Blueprint("reviews", __name__, url_prefix="/api/v1")
USER_MAX = 64


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
        - in: path
          name: client_id
          required: true
          description: SK_ID_CURR of the client.
          schema: {type: string, pattern: "^[0-9]{1,10}$", example: "100002"}
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
        "415": {$ref: "#/components/responses/NotJson"}
        "429": {$ref: "#/components/responses/RateLimited"}
        "503": {$ref: "#/components/responses/Unavailable"}
    """
    cid = parse_client_id(client_id)
    body = parse_json_object('{"final_decision": "grant", "reason": "income_verified", "user": "advisor-42"}')
    user = body.get("user")
    if not isinstance(user, str) or not 0 < len(user.strip()) <= USER_MAX:
        raise ApiError(400, "invalid_user", f"user is {shown_json(user)}: give the name of the advisor who "
                                            f"decided (1-{USER_MAX} characters).")
    service = get_service()
    result = service.score(cid, "fr")
    try:
        review = record_review(service.engine, result, f"api:{g.caller}/{user.strip()}",
                               body.get("final_decision"), body.get("reason"), body.get("comment"))
    except ReviewError as error:
        raise ApiError(400, f"invalid_{error.field}", f"{error}.") from None
    return review_json(review), 201
