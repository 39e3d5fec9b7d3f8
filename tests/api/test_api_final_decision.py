"""The API's JSON and the advisor page at / state the bank's final decision: the latest advisor review when
there is one (who, when, why, the model's decision kept alongside), else the model's (an automated assessment)."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import create_engine

from api.auth import digest, new_key
from database.oversight import reviews_of
from modeling.wording import catalogue
from tests.api.conftest import make_app, signed_in_client

pytestmark = pytest.mark.requirement("EXG-SEC-23", "EXG-API-07")
WRITER = new_key()


@pytest.fixture(scope="module")
def writer_app(stack, api_key):
    """The app with the session's read-only key and a second key with the write scope."""
    return make_app(stack, api_key, API_KEYS=f"tester:{digest(api_key)},desk:{digest(WRITER)}:write")


def unreviewed(stack, client, decision: str) -> int:
    """A client the model decides ``decision`` for, that nobody reviewed yet (the test bank is shared)."""
    engine = create_engine(stack.database_url)
    try:
        for client_id in stack.client_ids[600:]:
            if reviews_of(engine, client_id):
                continue
            if client.get(f"/api/v1/clients/{client_id}/score", headers={"X-API-Key": WRITER}).json["decision"] == decision:
                return client_id
    finally:
        engine.dispose()
    pytest.fail(f"no unreviewed client with the model's decision {decision!r} in the test bank")


def review(client, client_id: int, decision: str, reason: str) -> dict:
    body = {"final_decision": decision, "reason": reason, "comment": "Vu en agence", "user": "advisor-9"}
    created = client.post(f"/api/v1/clients/{client_id}/review", json=body, headers={"X-API-Key": WRITER})
    assert created.status_code == 201
    return created.json


def page_text(client, client_id: int, lang: str) -> str:
    page = client.get(f"/?client_id={client_id}&lang={lang}")
    assert page.status_code == 200
    return re.sub(r"[ \t\r\n]+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page.get_data(as_text=True))))


@pytest.mark.parametrize(("model", "final", "reason"), [("refuse", "grant", "guarantee_offered"),
                                                        ("grant", "refuse", "fraud_suspected"),
                                                        ("refuse", "refuse", "model_agrees")])
def test_after_a_review_the_json_and_the_page_state_the_advisor_decision(writer_app, stack, api_key, model, final,
                                                                         reason):
    api = writer_app.test_client()
    client_id = unreviewed(stack, api, model)
    recorded = review(api, client_id, final, reason)
    for lang in ("fr", "en"):
        body = api.get(f"/api/v1/clients/{client_id}/score?lang={lang}", headers={"X-API-Key": api_key}).json
        assert body["decision"] == model  # kept: the model's own decision
        assert body["final_decision"] == {
            "decision": final, "decision_label": catalogue.decision_label(final, lang), "decided_by": "advisor",
            "user": "api:desk/advisor-9", "decided_at": recorded["reviewed_at"], "reason": reason,
            "reason_label": catalogue.t(f"review_reason_{reason}", lang), "comment": "Vu en agence",
            "overridden": model != final, "model_decision": model,
            "model_probability": pytest.approx(body["probability"])}
        batch = api.post("/api/v1/scores", json={"client_ids": [client_id], "lang": lang},
                         headers={"X-API-Key": api_key}).json["results"][0]
        assert batch["final_decision"] == body["final_decision"]
        text = page_text(signed_in_client(writer_app), client_id, lang)
        colon = catalogue.t("page_colon", lang)
        assert f"{catalogue.t('page_decision', lang)}{colon} {catalogue.decision_label(final, lang)}" in text
        assert "advisor-9" in text and catalogue.t(f"review_reason_{reason}", lang) in text
        assert catalogue.decision_label(model, lang) in text.split(catalogue.t("page_probability", lang))[0]


def test_without_a_review_the_json_and_the_page_state_the_model_decision(writer_app, stack, api_key):
    api = writer_app.test_client()
    for model in ("refuse", "grant"):
        client_id = unreviewed(stack, api, model)
        for lang in ("fr", "en"):
            body = api.get(f"/api/v1/clients/{client_id}/score?lang={lang}", headers={"X-API-Key": api_key}).json
            final = body["final_decision"]
            assert (final["decision"], final["decided_by"], final["user"], final["decided_at"], final["reason"],
                    final["overridden"]) == (model, "model", None, None, None, False)
            text = page_text(signed_in_client(writer_app), client_id, lang)
            colon = catalogue.t("page_colon", lang)
            assert f"{catalogue.t('page_decision', lang)}{colon} {catalogue.decision_label(model, lang)}" in text
            assert catalogue.t("final_by_model", lang) in text


def test_the_openapi_document_describes_the_final_decision(writer_app):
    spec = writer_app.test_client().get("/api/v1/openapi.json").json
    score = spec["components"]["schemas"]["Score"]["properties"]
    assert score["final_decision"] == {"$ref": "#/components/schemas/FinalDecision"}
    final = spec["components"]["schemas"]["FinalDecision"]
    assert set(final["required"]) == {"decision", "decision_label", "decided_by", "user", "decided_at", "reason",
                                      "reason_label", "comment", "overridden", "model_decision", "model_probability"}
    assert "final_decision" in score["decision"]["description"]
