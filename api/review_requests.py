"""Clients' requests for a human review (CCD2 Art. 18, GDPR Art. 22(3)) received through the API with the client's
statement, and read back with their state; appended to ``review_request``, never changed."""

from __future__ import annotations

from flask import Blueprint, current_app, g, request

from api.auth import require_key, require_write
from api.body import json_object
from api.errors import ApiError
from api.request_schemas import BODY_FIELDS, request_json
from api.service import get_service, parse_client_id, shown_json
from database.oversight import record_access
from database.review_requests import RequestError, UnknownRequestTarget, record_request, requests_of

bp = Blueprint("review_requests", __name__, url_prefix="/api/v1")


def _refused(error: RequestError) -> ApiError:
    """The API error of a request the database layer refused (404 for an unknown client)."""
    if isinstance(error, UnknownRequestTarget):
        return ApiError(404, "unknown_client", f"No client with ID {request.view_args['client_id']}.")
    return ApiError(400, f"invalid_{error.field}", f"{error}.")


@bp.post("/clients/<client_id>/review-requests")
@require_key
@require_write
def post_review_request(client_id: str):
    """Record a client's request for a human review.
    ---
    post:
      summary: Record a client's request for a human review of the decision, with their point of view
      description: >
        The client asks for a person to review the automated assessment (Consumer Credit Directive (EU)
        2023/2225 Art. 18, GDPR Art. 22(3)). The request enters the advisors' queue in the dashboard; an advisor
        takes it and answers it with a review (confirm or override, with a reason), which becomes the client's
        final decision. Requests and their steps are append-only. Needs a key with the write scope
        (`python -m api create-key NAME --write`); the request records the key's name as `api:<name>`.
      tags: [review requests]
      security: [{ApiKey: []}]
      parameters:
        - ClientId  # components.parameters (api/openapi.py)
      requestBody:
        required: true
        content: {application/json: {schema: {$ref: "#/components/schemas/HumanReviewRequestBody"}}}
      responses:
        "201":
          description: The request as recorded (state open).
          content: {application/json: {schema: {$ref: "#/components/schemas/HumanReviewRequest"}}}
        "400": {$ref: "#/components/responses/BadRequest"}
        "401": {$ref: "#/components/responses/MissingKey"}
        "403": {$ref: "#/components/responses/InvalidKey"}
        "404": {$ref: "#/components/responses/UnknownClient"}
        "415": {$ref: "#/components/responses/NotJson"}
        "429": {$ref: "#/components/responses/RateLimited"}
        "503": {$ref: "#/components/responses/Unavailable"}
    """
    cid = parse_client_id(client_id)
    body = json_object('{"statement": "...", "contact": "letter"}')
    unknown = sorted(set(body) - set(BODY_FIELDS))
    if unknown:
        raise ApiError(400, "invalid_body", f"Field {shown_json(unknown[0])} is not known: send only "
                                            f"{' and '.join(BODY_FIELDS)}.")
    if "statement" not in body:
        raise ApiError(400, "invalid_statement", "statement is missing: give the client's point of view.")
    try:
        created = record_request(get_service().engine, cid, body["statement"], "api", f"api:{g.caller}",
                                 body.get("contact"))
    except RequestError as error:
        raise _refused(error) from None
    current_app.logger.info("review request %d recorded for client %d by api:%s", created.id, cid, g.caller)
    return request_json(created), 201


@bp.get("/clients/<client_id>/review-requests")
@require_key
def get_review_requests(client_id: str):
    """A client's review requests.
    ---
    get:
      summary: A client's requests for a human review, newest first, with their state and answer
      description: >
        Each request with its steps (taken by an advisor, answered by a review). Reading them is written to the
        access log as `api:<key name>` (the statements are the client's personal data).
      tags: [review requests]
      security: [{ApiKey: []}]
      parameters:
        - ClientId  # components.parameters (api/openapi.py)
      responses:
        "200":
          description: The client's requests (an empty list when there is none).
          content: {application/json: {schema: {$ref: "#/components/schemas/HumanReviewRequestList"}}}
        "400": {$ref: "#/components/responses/BadRequest"}
        "401": {$ref: "#/components/responses/MissingKey"}
        "403": {$ref: "#/components/responses/InvalidKey"}
        "404": {$ref: "#/components/responses/UnknownClient"}
        "429": {$ref: "#/components/responses/RateLimited"}
        "503": {$ref: "#/components/responses/Unavailable"}
    """
    cid = parse_client_id(client_id)
    engine = get_service().engine
    try:
        found = requests_of(engine, cid)
    except RequestError as error:
        raise _refused(error) from None
    record_access(engine, f"api:{g.caller}", cid, "api")
    return {"client_id": cid, "requests": [request_json(r) for r in found]}
