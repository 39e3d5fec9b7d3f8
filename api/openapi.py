"""The OpenAPI document, built from the views' docstrings (YAML after ``---``) and api/schemas.py."""

from __future__ import annotations

import copy
import re
from typing import Any

from apispec import APISpec
from apispec.yaml_utils import load_operations_from_docstring
from flask import Flask

from api.auth import HEADER
from api.schemas import COMPONENTS
from database.client_ids import MAX_CLIENT_ID

TITLE = "Home Credit scoring API"
VERSION = "1.0.0"
_RULE_ARG = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


def _error(description: str) -> dict[str, Any]:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


RESPONSES = {
    "BadRequest": _error("Malformed client ID, language or body."),
    "MissingKey": _error("No X-API-Key header."),
    "InvalidKey": _error("The X-API-Key is not valid."),
    "UnknownClient": _error("No client with this ID."),
    "NotJson": _error("The body is not JSON."),
    "ImpossibleTerms": _error("Well-formed terms this client's application cannot take (code impossible_terms)."),
    "TooLarge": _error("The request body is larger than the server accepts (SCORING_MAX_CONTENT_LENGTH)."),
    "RateLimited": {**_error("The key's rate limit is exhausted; see Retry-After."),
                    "headers": {"Retry-After": {"schema": {"type": "integer"},
                                                "description": "Seconds to wait."}}},
    "Unavailable": _error("Database, model or audit trail unavailable (codes database_unavailable, "
                          "model_unavailable, audit_unavailable)."),
}

#: The path parameter of every per-client operation: the path is digits only (no sign, no space, no final newline).
CLIENT_ID = {"name": "client_id", "in": "path", "required": True, "description": "SK_ID_CURR of the client.",
             "schema": {"type": "integer", "minimum": 0, "maximum": MAX_CLIENT_ID, "example": 100002}}

DESCRIPTION = (
    "Default probability, decision (grant/refuse against the model's cost-based threshold), points, "
    "grade and plain-language reasons for Home Credit clients. Send the key in the `X-API-Key` header. "
    "Every decision served is written to the audit trail. Errors are "
    '`{"error": {"code": "...", "message": "..."}}`.'
)


def build_spec(app: Flask) -> dict[str, Any]:
    """The OpenAPI 3.1 document of every documented route of ``app``."""
    spec = APISpec(title=TITLE, version=VERSION, openapi_version="3.1.0",
                   info={"description": DESCRIPTION})
    spec.components.security_scheme("ApiKey", {"type": "apiKey", "in": "header", "name": HEADER})
    for name, schema in COMPONENTS.items():
        spec.components.schema(name, copy.deepcopy(schema))
    spec.components.schemas["BatchRequest"]["properties"]["client_ids"]["maxItems"] = int(
        app.config["MAX_BATCH"])
    for name, response in RESPONSES.items():
        spec.components.response(name, response)
    spec.components.parameter("ClientId", "path", copy.deepcopy(CLIENT_ID))
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        view = app.view_functions.get(rule.endpoint)
        operations = load_operations_from_docstring(view.__doc__ or "") if view else {}
        operations = {method: op for method, op in operations.items()
                      if method.upper() in (rule.methods or ())}
        if operations:
            spec.path(path=_RULE_ARG.sub(r"{\1}", rule.rule), operations=operations)
    return spec.to_dict()


def get_spec(app: Flask) -> dict[str, Any]:
    """The document of ``app``, built once."""
    if "openapi" not in app.extensions:
        app.extensions["openapi"] = build_spec(app)
    return app.extensions["openapi"]
