"""What-if: a client's application with changed terms, scored by the model that scores the client; nothing is stored."""

from __future__ import annotations

from flask import Blueprint, request

from api.auth import charge, require_key
from api.body import json_object
from api.errors import ApiError
from api.schemas import reason_json, score_json
from api.service import get_service, parse_client_id, parse_lang
from modeling.serving.loan_terms import TERMS_KINDS, WhatIfError, check_changes
from modeling.serving.scorer import UnknownClient
from modeling.serving.whatif import WhatIf
from modeling.wording import catalogue

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
        client's application as modeling.serving.loan_terms documents: a changed amount keeps the duration (in monthly
        instalments, amount / annuity) and recomputes the annuity; a changed annuity changes the duration; a
        changed goods price moves the amount by the same difference unless the amount is given; a down payment
        is taken off the amount. The changed application is scored by the model that scores the client
        (`basis` as in `GET …/score`: the fold model that never learned a training client's outcome, the
        production model for any other), so with no change the answer is the client's own score. Nothing is
        stored or audited.
        With `counterfactual=true`, the answer adds what would change a refusal (the largest amount, or the
        shortest duration up to 60 instalments, found by search on the model), costing 10 rate-limit tokens.
        A field out of its bounds, an unknown field, or the annuity and the duration together is a 400
        (`invalid_field`); terms that are well formed but that this client's application cannot take (a down
        payment that leaves nothing to lend, an annuity that repays the credit in more than 60 or in less than
        one instalment) are a 422 (`impossible_terms`).
      tags: [scores]
      security: [{ApiKey: []}]
      parameters:
        - ClientId  # components.parameters (api/openapi.py)
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
        "413": {$ref: "#/components/responses/TooLarge"}
        "415": {$ref: "#/components/responses/NotJson"}
        "422": {$ref: "#/components/responses/ImpossibleTerms"}
        "429": {$ref: "#/components/responses/RateLimited"}
        "503": {$ref: "#/components/responses/Unavailable"}
    """
    cid = parse_client_id(client_id)
    lang = parse_lang(request.args.get("lang"))
    with_counterfactual = _flag(request.args.get("counterfactual"))
    changes = _changes()
    if with_counterfactual:
        charge(COUNTERFACTUAL_COST - 1)
    try:
        check_changes(changes)  # the request's own faults first, before the client is looked up
        whatif = WhatIf(get_service().scorer, cid)
        simulation = whatif.simulate(changes, lang)
    except UnknownClient as exc:
        raise ApiError(404, "unknown_client", f"No client with ID {cid}.") from exc
    except WhatIfError as exc:  # a malformed field (400), or well-formed terms this application cannot take (422)
        status, code = (422, "impossible_terms") if exc.kind in TERMS_KINDS else (400, "invalid_field")
        raise ApiError(status, code, f"Field {exc.field!r}: {exc.message}.") from None
    out = score_json(simulation.result, lang)
    out["reasons"] = [{**reason_json(r), "actionable": catalogue.actionable(r.feature),
                       "action": catalogue.action(r.feature, lang)} for r in simulation.result.reasons]
    out.update(terms=simulation.terms.to_dict(), changes=simulation.changes)
    if with_counterfactual:
        out["counterfactual"] = whatif.counterfactual(lang).to_dict()
    return out


def _changes() -> dict:
    """The JSON object of changed fields (checked field by field by modeling.serving.loan_terms)."""
    return json_object('{"amount": 180000}')


def _flag(raw: str | None) -> bool:
    """The counterfactual query parameter, a boolean as the document declares it: true, false, or absent."""
    if raw in (None, "false"):
        return False
    if raw == "true":
        return True
    raise ApiError(400, "invalid_counterfactual", f"counterfactual={raw[:10]!r}: use true or false.")
