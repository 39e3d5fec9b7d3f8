"""The model card of the model that serves decisions."""

from __future__ import annotations

from dataclasses import asdict, is_dataclass

from flask import Blueprint

from api.auth import require_key
from api.service import get_service

bp = Blueprint("model", __name__, url_prefix="/api/v1")


@bp.get("/model")
@require_key
def model_card():
    """Describe the model.
    ---
    get:
      summary: The model card (version, threshold, costs, points scale, grades, training report)
      tags: [model]
      security: [{ApiKey: []}]
      responses:
        "200":
          description: The model card.
          content: {application/json: {schema: {$ref: "#/components/schemas/Model"}}}
        "401": {$ref: "#/components/responses/MissingKey"}
        "403": {$ref: "#/components/responses/InvalidKey"}
        "429": {$ref: "#/components/responses/RateLimited"}
        "503": {$ref: "#/components/responses/Unavailable"}
    """
    bundle = get_service().bundle
    return {
        "model_version": str(bundle.version),
        "threshold": float(bundle.threshold),
        "strategy": str(getattr(bundle, "strategy", "")),
        "cost": _plain(getattr(bundle, "cost", None)),
        "points_scale": _plain(getattr(bundle, "scale", None)),
        "grades": _plain(getattr(bundle, "grades", None)),
        "card": getattr(bundle, "card", {}) or {},
    }


def _plain(value) -> dict:
    """A JSON dict of a small settings object (its to_dict() or dataclass fields)."""
    if value is None:
        return {}
    if hasattr(value, "to_dict"):
        return value.to_dict()
    return asdict(value) if is_dataclass(value) else {}
