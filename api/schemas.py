"""The JSON bodies the API returns: serialisers and, next to them, their OpenAPI schemas."""

from __future__ import annotations

import math
from typing import Any

from api.request_schemas import REQUEST_COMPONENTS
from database.client_ids import MAX_CLIENT_ID
from database.oversight import COMMENT_MAX
from database.schema import REVIEW_DECISIONS, REVIEW_REASONS
from modeling.serving.decision import ADVISOR, MODEL, reason_label
from modeling.serving.loan_terms import BOUNDS, LEVERS
from modeling.wording import catalogue
from modeling.wording.catalogue import LANGS

#: Reason fields returned to callers: the explained feature, the client's value for it, and the sentence.
REASON_FIELDS = ("feature", "label", "value", "display_value", "contribution", "direction",
                 "sentence", "group", "group_label")


def _number(value: Any) -> float | None:
    """A JSON-safe float (NaN and infinities become null)."""
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def reason_json(reason: Any) -> dict[str, Any]:
    """The public fields of a modeling Reason."""
    out = {name: getattr(reason, name, None) for name in REASON_FIELDS}
    out["value"] = _number(out["value"])
    out["contribution"] = _number(out["contribution"]) or 0.0
    out["display_value"] = str(out["display_value"] if out["display_value"] is not None else "")
    return out


def score_json(result: Any, lang: str) -> dict[str, Any]:
    """The public JSON of a modeling ScoreResult."""
    return {
        "client_id": int(result.client_id),
        "probability": float(result.probability),
        "decision": str(result.decision),
        "decision_label": str(result.decision_label),
        "threshold": float(result.threshold),
        "points": int(round(float(result.points))),
        "grade": str(result.grade),
        "model_version": str(result.model_version),
        "basis": str(result.basis),
        "lang": lang,
        "reasons": [reason_json(r) for r in result.reasons],
    }


def review_json(review: Any) -> dict[str, Any] | None:
    """The public JSON of a recorded review (``database.oversight.Review``), None when there is none."""
    if review is None:
        return None
    return {
        "client_id": int(review.client_id),
        "reviewed_at": review.reviewed_at.isoformat(),
        "user": review.user_name,
        "model_version": review.model_version,
        "model_probability": float(review.model_probability),
        "model_decision": review.model_decision,
        "final_decision": review.final_decision,
        "overridden": bool(review.overridden),
        "reason": review.reason,
        "comment": review.comment,
    }


def final_json(final: Any, lang: str) -> dict[str, Any]:
    """The public JSON of the bank's final decision (``modeling.serving.decision.FinalDecision``)."""
    return {
        "decision": final.decision,
        "decision_label": catalogue.decision_label(final.decision, lang),
        "decided_by": final.decided_by,
        "user": final.user_name,
        "decided_at": final.decided_at.isoformat() if final.decided_at else None,
        "reason": final.reason,
        "reason_label": reason_label(final.reason, lang) if final.reason else None,
        "comment": final.comment,
        "overridden": bool(final.overridden),
        "model_decision": final.model_decision,
        "model_probability": float(final.model_probability),
    }


ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string", "example": "unknown_client"},
                "message": {"type": "string", "example": "No client with ID 100002."},
            },
        }
    },
}

REASON = {
    "type": "object",
    "required": list(REASON_FIELDS),
    "properties": {
        "feature": {"type": "string", "example": "EXT_SOURCE_MEAN"},
        "label": {"type": "string", "example": "Score externe moyen"},
        "value": {"type": ["number", "null"], "example": 0.21},
        "display_value": {"type": "string", "example": "0,21"},
        "contribution": {"type": "number", "description": "Log-odds added to the risk (SHAP).",
                         "example": 0.42},
        "direction": {"type": "string", "enum": ["raises", "lowers"]},
        "sentence": {"type": "string"},
        "group": {"type": "string"},
        "group_label": {"type": "string"},
    },
}

SCORE = {
    "type": "object",
    "required": ["client_id", "probability", "decision", "decision_label", "threshold", "points",
                 "grade", "model_version", "basis", "lang", "reasons"],
    "properties": {
        "client_id": {"type": "integer", "example": 100002},
        "probability": {"type": "number", "minimum": 0, "maximum": 1,
                        "description": "Calibrated probability of default.", "example": 0.083},
        "decision": {"type": "string", "enum": ["grant", "refuse"],
                     "description": "The model's decision: refuse when probability >= threshold. The bank's decision "
                                    "is `final_decision.decision` (an advisor's review overrides the model)."},
        "decision_label": {"type": "string", "example": "Crédit accordé", "description": "The model's decision in words."},
        "threshold": {"type": "number", "minimum": 0, "maximum": 1, "example": 0.12},
        "points": {"type": "integer", "example": 655},
        "grade": {"type": "string", "enum": ["A", "B", "C", "D", "E", "F"]},
        "model_version": {"type": "string", "example": "2026-11-25T2301Z-1a2b3c4d"},
        "basis": {"type": "string", "enum": ["out_of_fold", "production"],
                  "description": "out_of_fold: a client the model was trained on, scored by the fold model that "
                                 "did not learn its outcome; production: any other client, scored by the model "
                                 "refit on all training clients."},
        "lang": {"type": "string", "enum": list(LANGS)},
        "reasons": {"type": "array", "items": {"$ref": "#/components/schemas/Reason"}},
        "review": {"oneOf": [{"$ref": "#/components/schemas/Review"}, {"type": "null"}],
                   "description": "The latest review of the client by an advisor; null when nobody reviewed it."},
        "final_decision": {"$ref": "#/components/schemas/FinalDecision"},
    },
}

FINAL_DECISION = {
    "type": "object",
    "description": "The bank's decision: the latest advisor review if there is one, else the model's. This is "
                   "what the client is told (letter, advisor page, dashboard).",
    "required": ["decision", "decision_label", "decided_by", "user", "decided_at", "reason", "reason_label",
                 "comment", "overridden", "model_decision", "model_probability"],
    "properties": {
        "decision": {"type": "string", "enum": ["grant", "refuse"]},
        "decision_label": {"type": "string", "example": "Crédit accordé"},
        "decided_by": {"type": "string", "enum": [MODEL, ADVISOR],
                       "description": "advisor: a person reviewed the application; model: automated assessment only."},
        "user": {"type": ["string", "null"], "description": "The advisor who decided; null for the model."},
        "decided_at": {"type": ["string", "null"], "format": "date-time",
                       "description": "When the advisor decided; null for the model."},
        "reason": {"type": ["string", "null"], "enum": [*REVIEW_REASONS, None]},
        "reason_label": {"type": ["string", "null"], "description": "The reason in the requested language."},
        "comment": {"type": ["string", "null"]},
        "overridden": {"type": "boolean", "description": "The final decision differs from the model's."},
        "model_decision": {"type": "string", "enum": ["grant", "refuse"]},
        "model_probability": {"type": "number", "minimum": 0, "maximum": 1},
    },
}

#: The characters of an advisor's name: Latin letters (accented ones included), digits, space and . _ @ + ' -;
#: nothing that could hide or reorder text (controls, NUL, line breaks, zero-width or bidi characters).
USER_CHARS = r"A-Za-z0-9\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u017f._@+'\-"
#: An advisor's name: starts with one of USER_CHARS, then those or spaces (stored without trailing spaces).
USER_PATTERN = f"^[{USER_CHARS}][{USER_CHARS} ]*$"
USER_MAX = 64

REVIEW_REQUEST = {
    "type": "object",
    "additionalProperties": False,
    "required": ["final_decision", "reason", "user"],
    "properties": {
        "final_decision": {"type": "string", "enum": list(REVIEW_DECISIONS)},
        "reason": {"type": "string", "enum": list(REVIEW_REASONS)},
        "comment": {"type": ["string", "null"], "maxLength": COMMENT_MAX},
        "user": {"type": "string", "minLength": 1, "maxLength": USER_MAX, "pattern": USER_PATTERN,
                 "example": "advisor-42",
                 "description": "The advisor who decided, as the calling system knows them: Latin letters, "
                                "digits, spaces and . _ @ + ' - (stored without trailing spaces)."},
    },
}

REVIEW = {
    "type": "object",
    "required": ["client_id", "reviewed_at", "user", "model_version", "model_probability", "model_decision",
                 "final_decision", "overridden", "reason", "comment"],
    "properties": {
        "client_id": {"type": "integer"},
        "reviewed_at": {"type": "string", "format": "date-time"},
        "user": {"type": "string"},
        "model_version": {"type": "string"},
        "model_probability": {"type": "number"},
        "model_decision": {"type": "string", "enum": ["grant", "refuse"]},
        "final_decision": {"type": "string", "enum": list(REVIEW_DECISIONS)},
        "overridden": {"type": "boolean", "description": "The final decision differs from the model's."},
        "reason": {"type": "string", "enum": list(REVIEW_REASONS)},
        "comment": {"type": ["string", "null"]},
    },
}

BATCH_REQUEST = {
    "type": "object",
    "additionalProperties": False,
    "required": ["client_ids"],
    "properties": {
        "client_ids": {"type": "array", "minItems": 1, "maxItems": 100,
                       "description": "Integers (an integral number such as 100002.0 counts as one).",
                       "items": {"type": "integer", "minimum": 0, "maximum": MAX_CLIENT_ID},
                       "example": [100002, 100003]},
        "lang": {"type": "string", "enum": list(LANGS), "default": LANGS[0]},
    },
}

BATCH_ERROR = {
    "type": "object",
    "required": ["client_id", "code", "message"],
    "properties": {
        "client_id": {"type": "integer"},
        "code": {"type": "string", "enum": ["unknown_client"]},
        "message": {"type": "string"},
    },
}

BATCH = {
    "type": "object",
    "required": ["results", "errors"],
    "properties": {
        "results": {"type": "array", "items": {"$ref": "#/components/schemas/Score"}},
        "errors": {"type": "array", "items": {"$ref": "#/components/schemas/BatchError"}},
    },
}

_LEVER_TEXT = {
    "amount": "Requested credit (AMT_CREDIT).",
    "annuity": "Monthly instalment (AMT_ANNUITY).",
    "duration": "Number of monthly instalments (amount / annuity).",
    "goods_price": "Price of the financed goods (AMT_GOODS_PRICE).",
    "down_payment": "Paid by the client, taken off the amount.",
}

SIMULATION_REQUEST = {
    "type": "object",
    "additionalProperties": False,
    "description": "Changed loan terms; absent fields keep the application's value. The annuity and the duration "
                   "follow each other: give one of them, not both. Bounds are modeling.serving.loan_terms.BOUNDS.",
    "properties": {name: {"type": "number", "minimum": BOUNDS[name][0], "maximum": BOUNDS[name][1],
                          "description": _LEVER_TEXT[name]} for name in LEVERS},
    "not": {"required": ["annuity", "duration"]},
    "example": {"amount": 180000},
}

TERMS = {
    "type": "object",
    "required": ["amount", "annuity", "duration", "goods_price"],
    "properties": {name: {"type": ["number", "null"]} for name in ("amount", "annuity", "duration", "goods_price")},
}

SIMULATION = {
    "allOf": [{"$ref": "#/components/schemas/Score"}, {
        "type": "object",
        "required": ["terms", "changes"],
        "properties": {
            "terms": {"$ref": "#/components/schemas/Terms"},
            "changes": {"type": "object", "description": "The changes applied, as numbers."},
            "counterfactual": {"type": "object", "properties": {
                "kind": {"type": "string", "enum": ["granted", "found", "none"]},
                "amount": {"type": ["number", "null"], "description": "Largest granted amount found (same duration)."},
                "duration": {"type": ["integer", "null"], "description": "Shortest granted duration found (same amount)."},
                "sentences": {"type": "array", "items": {"type": "string"}}}},
        },
    }],
}

MODEL = {
    "type": "object",
    "required": ["model_version", "threshold", "card"],
    "properties": {
        "model_version": {"type": "string"},
        "threshold": {"type": "number"},
        "strategy": {"type": "string"},
        "cost": {"type": "object"},
        "points_scale": {"type": "object"},
        "grades": {"type": "object"},
        "card": {"type": "object", "description": "The model card written at training time."},
    },
}

HEALTH = {
    "type": "object",
    "required": ["status", "checks"],
    "properties": {
        "status": {"type": "string", "enum": ["ok", "unavailable"]},
        "checks": {
            "type": "object",
            "properties": {name: {"type": "string", "enum": ["ok", "failed"]}
                           for name in ("process", "database", "model")},
        },
        "model_version": {"type": ["string", "null"]},
    },
}

#: Components of the OpenAPI document, by name.
COMPONENTS = {
    "Error": ERROR,
    "Reason": REASON,
    "Score": SCORE,
    "FinalDecision": FINAL_DECISION,
    "ReviewRequest": REVIEW_REQUEST,
    "Review": REVIEW,
    "BatchRequest": BATCH_REQUEST,
    "BatchError": BATCH_ERROR,
    "Batch": BATCH,
    "SimulationRequest": SIMULATION_REQUEST,
    "Terms": TERMS,
    "Simulation": SIMULATION,
    "Model": MODEL,
    "Health": HEALTH,
    **REQUEST_COMPONENTS,
}
