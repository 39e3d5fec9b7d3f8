"""The JSON of clients' review requests (``database.review_requests``) and, next to it, its OpenAPI schemas."""

from __future__ import annotations

from typing import Any

from database.review_requests import REFUSED_PATTERN, STATEMENT_MAX, STATES, TEXT_PATTERN, Request
from database.schema import (
    REQUEST_CHANNELS,
    REQUEST_CONTACTS,
    REQUEST_STEPS,
    REVIEW_DECISIONS,
    REVIEW_REASONS,
)

#: Fields a caller may send when recording a request.
BODY_FIELDS = ("statement", "contact")


def request_json(request: Request) -> dict[str, Any]:
    """The public JSON of a review request and its steps."""
    answer, taken = request.answer, request.taken
    return {
        "id": request.id,
        "client_id": request.client_id,
        "received_at": request.received_at.isoformat(),
        "channel": request.channel,
        "contact": request.contact,
        "statement": request.statement,
        "recorded_by": request.recorded_by,
        "state": request.state,
        "taken_by": taken.user_name if taken else None,
        "answer": None if answer is None else {
            "answered_at": answer.stepped_at.isoformat(), "user": answer.user_name, "review_id": answer.review_id,
            "final_decision": answer.final_decision, "reason": answer.reason},
        "steps": [{"step": s.step, "at": s.stepped_at.isoformat(), "user": s.user_name, "review_id": s.review_id}
                  for s in request.steps],
    }


BODY = {
    "type": "object",
    "required": ["statement"],
    "additionalProperties": False,
    "properties": {
        "statement": {"type": "string", "minLength": 1, "maxLength": STATEMENT_MAX, "pattern": TEXT_PATTERN,
                      "not": {"pattern": REFUSED_PATTERN},
                      "description": "The client's point of view, in their words (line breaks allowed, no other "
                                     "control characters).",
                      "example": "Mon salaire a augmenté en mars ; je joins mes trois dernières fiches de paie."},
        "contact": {"type": ["string", "null"], "enum": [*REQUEST_CONTACTS, None],
                    "description": "How the client wants to be answered."},
    },
}

ANSWER = {
    "type": ["object", "null"],
    "required": ["answered_at", "user", "review_id", "final_decision", "reason"],
    "properties": {
        "answered_at": {"type": "string", "format": "date-time"},
        "user": {"type": "string", "description": "The advisor who answered."},
        "review_id": {"type": "integer", "description": "The review that answers the request (decision_review)."},
        "final_decision": {"type": "string", "enum": list(REVIEW_DECISIONS)},
        "reason": {"type": "string", "enum": list(REVIEW_REASONS)},
    },
}

REQUEST = {
    "type": "object",
    "required": ["id", "client_id", "received_at", "channel", "contact", "statement", "recorded_by", "state",
                 "taken_by", "answer", "steps"],
    "properties": {
        "id": {"type": "integer"},
        "client_id": {"type": "integer"},
        "received_at": {"type": "string", "format": "date-time"},
        "channel": {"type": "string", "enum": list(REQUEST_CHANNELS),
                    "description": "api: sent by a system of the bank; branch: recorded by an advisor."},
        "contact": {"type": ["string", "null"], "enum": [*REQUEST_CONTACTS, None]},
        "statement": {"type": "string"},
        "recorded_by": {"type": "string", "description": "`api:<key name>` or the advisor who recorded it."},
        "state": {"type": "string", "enum": list(STATES),
                  "description": "open: waiting for an advisor; taken: an advisor is on it; answered: a review "
                                 "answered it."},
        "taken_by": {"type": ["string", "null"]},
        "answer": {"$ref": "#/components/schemas/HumanReviewAnswer"},
        "steps": {"type": "array", "items": {"type": "object", "required": ["step", "at", "user", "review_id"],
                                             "properties": {"step": {"type": "string", "enum": list(REQUEST_STEPS)},
                                                            "at": {"type": "string", "format": "date-time"},
                                                            "user": {"type": "string"},
                                                            "review_id": {"type": ["integer", "null"]}}}},
    },
}

REQUEST_LIST = {
    "type": "object",
    "required": ["client_id", "requests"],
    "properties": {"client_id": {"type": "integer"},
                   "requests": {"type": "array", "items": {"$ref": "#/components/schemas/HumanReviewRequest"},
                                "description": "Newest first."}},
}

#: Components of the OpenAPI document, by name (added to api.schemas.COMPONENTS).
REQUEST_COMPONENTS = {
    "HumanReviewRequestBody": BODY,
    "HumanReviewAnswer": ANSWER,
    "HumanReviewRequest": REQUEST,
    "HumanReviewRequestList": REQUEST_LIST,
}
