"""What-if: a client's application with changed terms, scored by the model that scores the client; nothing is stored."""

from __future__ import annotations

from flask import Blueprint, request

from api.auth import charge, require_key
from api.errors import ApiError
from api.schemas import reason_json, score_json
from api.service import get_service, parse_client_id, parse_lang

bp = Blueprint("simulate", __name__, url_prefix="/api/v1")
#: Rate-limit tokens of a simulation with the counterfactual search (it scores the application ~40 times).
COUNTERFACTUAL_COST = 10


@bp.post("/clients/<client_id>/simulate")
@require_key
def simulate(client_id: str):
    """Simulate changed loan terms.
    ---
    post:
      summary: Probability, decision and reasons if the client's loan terms changed
      description: >
        The changed fields (any of amount, annuity, duration, goods_price, down_payment) are applied to the
        client's application as modeling.whatif documents: a changed amount keeps the duration (in monthly
        instalments, amount / annuity) and recomputes the annuity; a changed annuity changes the duration; a
        changed goods price moves the amount by the same difference unless the amount is given; a down payment
        is taken off the amount. The changed application is scored by the model that scores the client
        (`basis` as in `GET …/score`: the fold model that never learned a training client's outcome, the
        production model for any other), so with no change the answer is the client's own score. Nothing is
        stored or audited.
        With `counterfactual=true`, the answer adds what would change a refusal (the largest amount, or the
        shortest duration up to 60 instalments, found by search on the model), costing 10 rate-limit tokens.
      tags: [scores]
      security: [{ApiKey: []}]
      parameters:
        - in: path
          name: client_id
          required: true
          description: SK_ID_CURR of the client (0 to 2147483647).
          schema: {type: string, pattern: "^[0-9]{1,10}$", example: "100002"}
        - in: query
          name: lang
          required: false
          schema: {type: string, enum: [fr, en], default: fr}
        - in: query
          name: counterfactual
          required: false
          schema: {type: boolean, default: false}
      requestBody:
        required: true
        content: {application/json: {schema: {$ref: "#/components/schemas/SimulationRequest"}}}
      responses:
        "200":
          description: The changed application's score.
          content: {application/json: {schema: {$ref: "#/components/schemas/Simulation"}}}
        "400": {$ref: "#/components/responses/BadRequest"}
        "401": {$ref: "#/components/responses/MissingKey"}
        "403": {$ref: "#/components/responses/InvalidKey"}
        "404": {$ref: "#/components/responses/UnknownClient"}
        "415": {$ref: "#/components/responses/NotJson"}
        "429": {$ref: "#/components/responses/RateLimited"}
        "503": {$ref: "#/components/responses/Unavailable"}
    """
    from modeling import catalogue
    from modeling.scorer import UnknownClient
    from modeling.whatif import WhatIf, WhatIfError

    cid = parse_client_id(client_id)
    lang = parse_lang(request.args.get("lang"))
    with_counterfactual = _flag(request.args.get("counterfactual"))
    changes = _changes()
    if with_counterfactual:
        charge(COUNTERFACTUAL_COST - 1)
    try:
        whatif = WhatIf(get_service().scorer, cid)
        simulation = whatif.simulate(changes, lang)
    except UnknownClient as exc:
        raise ApiError(404, "unknown_client", f"No client with ID {cid}.") from exc
    except WhatIfError as exc:
        raise ApiError(400, "invalid_field", f"Field {exc.field!r}: {exc.message}.") from None
    out = score_json(simulation.result, lang)
    out["reasons"] = [{**reason_json(r), "actionable": catalogue.actionable(r.feature),
                       "action": catalogue.action(r.feature, lang)} for r in simulation.result.reasons]
    out.update(terms=simulation.terms.to_dict(), changes=simulation.changes)
    if with_counterfactual:
        out["counterfactual"] = whatif.counterfactual(lang).to_dict()
    return out


def _changes() -> dict:
    """The JSON object of changed fields (checked field by field by modeling.whatif)."""
    if not request.is_json:
        raise ApiError(415, "unsupported_media_type",
                       "The request body must be JSON (Content-Type: application/json).")
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ApiError(400, "invalid_body", 'The body must be a JSON object like {"amount": 180000}.')
    return body


def _flag(raw: str | None) -> bool:
    if raw is None or raw.lower() in ("0", "false", "no", ""):
        return False
    if raw.lower() in ("1", "true", "yes"):
        return True
    raise ApiError(400, "invalid_counterfactual", f"counterfactual={raw[:10]!r}: use true or false.")
