"""Scores: one client (GET) or a batch of clients (POST), each decision audited in the same request."""

from __future__ import annotations

from flask import Blueprint, current_app, g, request

from api import audit
from api.auth import charge, require_key
from api.body import json_object
from api.errors import ApiError
from api.schemas import final_json, review_json, score_json
from api.service import MAX_CLIENT_ID, get_service, parse_client_id, parse_lang, shown_json
from database.oversight import latest_review, latest_reviews
from modeling.serving.decision import decide

bp = Blueprint("scores", __name__, url_prefix="/api/v1")


@bp.get("/clients/<client_id>/score")
@require_key
def client_score(client_id: str):
    """Score one client.
    ---
    get:
      summary: Default probability, decision and reasons of one client
      description: >
        Serves the client's batch score when it is current (written by `python -m modeling predict --store`
        since the last load), else computes the features from the database, applies the model and explains
        the score; both give the same answer. Reasons are plain sentences. Every answer is written to the
        audit trail (caller = API key name). `review` is the latest decision an advisor recorded for the
        client (`POST /api/v1/clients/{client_id}/review`, or the dashboard), null when there is none.
        `final_decision` is the bank's decision: that review's when there is one, else the model's
        (`decision`, kept as the model's own); it says who decided, when and why.
      tags: [scores]
      security: [{ApiKey: []}]
      parameters:
        - ClientId  # components.parameters (api/openapi.py)
        - in: query
          name: lang
          required: false
          description: Language of labels and sentences.
          schema: {type: string, enum: [fr, en], default: fr}
      responses:
        "200":
          description: The client's score.
          content: {application/json: {schema: {$ref: "#/components/schemas/Score"}}}
        "400": {$ref: "#/components/responses/BadRequest"}
        "401": {$ref: "#/components/responses/MissingKey"}
        "403": {$ref: "#/components/responses/InvalidKey"}
        "404": {$ref: "#/components/responses/UnknownClient"}
        "429": {$ref: "#/components/responses/RateLimited"}
        "503": {$ref: "#/components/responses/Unavailable"}
    """
    cid = parse_client_id(client_id)
    lang = parse_lang(request.args.get("lang"))
    service = get_service()
    review = latest_review(service.engine, cid)  # read before the audit row: a failure after it would audit
    result = service.score_and_audit(cid, lang, g.caller)  # a decision that is never served
    return _scored(result, review, lang)


@bp.post("/scores")
@require_key
def batch_scores():
    """Score a batch of clients.
    ---
    post:
      summary: Scores of up to 100 clients
      description: >
        Unknown IDs are listed in `errors` and do not fail the batch; repeated IDs are scored once. Each result
        carries the client's latest `review` and `final_decision`, as for one client.
        A malformed ID, more IDs than `maxItems` or an unknown field fails the whole batch (400). Each score costs one
        token of the key's rate limit.
      tags: [scores]
      security: [{ApiKey: []}]
      requestBody:
        required: true
        content: {application/json: {schema: {$ref: "#/components/schemas/BatchRequest"}}}
      responses:
        "200":
          description: Scores of the known clients and one error per unknown client.
          content: {application/json: {schema: {$ref: "#/components/schemas/Batch"}}}
        "400": {$ref: "#/components/responses/BadRequest"}
        "401": {$ref: "#/components/responses/MissingKey"}
        "403": {$ref: "#/components/responses/InvalidKey"}
        "413": {$ref: "#/components/responses/TooLarge"}
        "415": {$ref: "#/components/responses/NotJson"}
        "429": {$ref: "#/components/responses/RateLimited"}
        "503": {$ref: "#/components/responses/Unavailable"}
    """
    ids, lang = _batch_request()
    charge(len(ids) - 1)
    service = get_service()
    results, unknown = service.score_many(ids, lang)
    errors = [{"client_id": cid, "code": "unknown_client", "message": f"No client with ID {cid}."}
              for cid in unknown]
    reviews = latest_reviews(service.engine, [r.client_id for r in results]) if results else {}
    audit.record(service.engine, results, g.caller)  # last: every audited decision is served
    return {"results": [_scored(r, reviews.get(int(r.client_id)), lang) for r in results], "errors": errors}


def _scored(result, review, lang: str) -> dict:
    """One result of a batch: the model's score, the latest review and the final decision."""
    return {**score_json(result, lang), "review": review_json(review),
            "final_decision": final_json(decide(result, review), lang)}


def _batch_request() -> tuple[list[int], str]:
    """Validated, de-duplicated client IDs (order kept) and the language of a batch request."""
    body = json_object('{"client_ids": [100002]}')
    unknown = sorted(set(body) - {"client_ids", "lang"})
    if not isinstance(body.get("client_ids"), list) or unknown:
        raise ApiError(400, "invalid_body", ("" if not unknown else f"Field {unknown[0][:30]!r} is unknown. ")
                       + 'The body must be a JSON object like {"client_ids": [100002], "lang": "fr"}.')
    raw_ids = body["client_ids"]
    limit = int(current_app.config["MAX_BATCH"])
    if not raw_ids:
        raise ApiError(400, "empty_batch", "client_ids is empty: give at least one client ID.")
    if len(raw_ids) > limit:  # the document's maxItems: a malformed request, 400 like the others
        raise ApiError(400, "batch_too_large",
                       f"{len(raw_ids)} client IDs given; at most {limit} per request.")
    ids = []
    for index, raw in enumerate(raw_ids):
        if isinstance(raw, float) and raw.is_integer():  # 100002.0 is an integer for JSON (and its Schema)
            raw = int(raw)
        # strings, other numbers, booleans and null are a caller's bug
        if not isinstance(raw, int) or isinstance(raw, bool):
            raise ApiError(400, "invalid_client_id", f"client_ids[{index}] is {shown_json(raw)}: "
                           f"give an integer between 0 and {MAX_CLIENT_ID}.")
        try:
            ids.append(parse_client_id(raw))
        except ApiError as exc:
            raise ApiError(400, exc.code, f"client_ids[{index}]: {exc.message}") from None
    if "lang" in body and not isinstance(body["lang"], str):  # null is not "the default": leave lang out for that
        raise ApiError(400, "invalid_lang", f"lang is {shown_json(body['lang'])}: give fr or en, or leave it out.")
    return list(dict.fromkeys(ids)), parse_lang(body.get("lang"))
