"""Health: the process answers, the database is reachable, the model is loaded."""

from __future__ import annotations

from flask import Blueprint, current_app

from api.errors import ApiError
from api.service import get_service

bp = Blueprint("health", __name__, url_prefix="/api/v1")


@bp.get("/health")
def health():
    """Report health.
    ---
    get:
      summary: Liveness and readiness (database reachable, model loaded)
      description: Open, no key. 503 names the part that failed; details are in the server log.
      tags: [operations]
      responses:
        "200":
          description: Everything works.
          content: {application/json: {schema: {$ref: "#/components/schemas/Health"}}}
        "503":
          description: The database or the model is unavailable.
          content: {application/json: {schema: {$ref: "#/components/schemas/Health"}}}
    """
    service = get_service()
    checks = {"process": "ok", "database": "ok", "model": "ok"}
    version = None
    try:
        service.ping_database()
    except Exception as exc:  # any failure to reach the database makes the service not ready
        current_app.logger.error("health: database unreachable: %s", exc)
        checks["database"] = "failed"
    try:
        version = str(service.bundle.version)
    except ApiError:
        checks["model"] = "failed"
    except Exception as exc:
        current_app.logger.error("health: model not loaded: %s", exc)
        checks["model"] = "failed"
    healthy = all(v == "ok" for v in checks.values())
    body = {"status": "ok" if healthy else "unavailable", "checks": checks, "model_version": version}
    return body, 200 if healthy else 503
