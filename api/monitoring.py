"""The latest monitoring result of the model that serves decisions (drift and back-testing, `modeling.monitoring.drift`)."""

from __future__ import annotations

from flask import Blueprint

from api.auth import require_key
from api.errors import ApiError
from api.service import get_service
from modeling.monitoring.run import latest

bp = Blueprint("monitoring", __name__, url_prefix="/api/v1")


@bp.get("/model/monitoring")
@require_key
def latest_monitoring():
    """The latest monitoring result.
    ---
    get:
      summary: The latest drift and back-testing result of the serving model
      description: >
        Written by `python -m modeling monitor` after each load and each `predict --store`. PSI of the
        score and of each characteristic (sorted by PSI, largest first), approval rate and grade mix at the
        production threshold, back-testing per grade; levels are stable (PSI < 0.10), watch (0.10 to 0.25)
        and act (> 0.25).
      tags: [model]
      security: [{ApiKey: []}]
      responses:
        "200":
          description: The result, as `python -m modeling monitor --json` prints it.
          content:
            application/json:
              schema:
                type: object
                required: [score_psi, level, features, model_version, computed_at]
                properties:
                  model_version: {type: string}
                  computed_at: {type: string, format: date-time}
                  load_run_id: {type: [integer, "null"]}
                  clients: {type: integer}
                  score_psi: {type: number}
                  level: {type: string, enum: [stable, watch, act]}
                  features:
                    type: array
                    items:
                      type: object
                      required: [name, psi, level]
                      properties:
                        name: {type: string}
                        kind: {type: string, enum: [input, application]}
                        psi: {type: number}
                        level: {type: string, enum: [stable, watch, act]}
                  approval: {type: object}
                  grades: {type: object}
                  backtest: {type: object}
        "401": {$ref: "#/components/responses/MissingKey"}
        "403": {$ref: "#/components/responses/InvalidKey"}
        "404":
          description: No monitoring result for the serving model yet (code no_monitoring_result).
          content: {application/json: {schema: {$ref: "#/components/schemas/Error"}}}
        "429": {$ref: "#/components/responses/RateLimited"}
        "503": {$ref: "#/components/responses/Unavailable"}
    """
    service = get_service()
    version = str(service.bundle.version)
    result = latest(service.engine, version)
    if result is None:
        raise ApiError(404, "no_monitoring_result",
                       f"No monitoring result for model {version} yet: run `python -m modeling monitor`.")
    return result
