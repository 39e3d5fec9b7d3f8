"""POST /api/v1/clients/{id}/simulate: changed loan terms in, the answer of the client's own model out, nothing stored."""

from __future__ import annotations

import pytest
from whatif_cases import refused_cases

from tests.api.conftest import make_app

pytestmark = pytest.mark.requirement("EXG-CLI-22", "EXG-API-01")


@pytest.fixture(scope="module")
def cases(lightgbm_stack):
    return refused_cases(lightgbm_stack)


@pytest.fixture(scope="module")
def sim_client(lightgbm_stack, api_key):
    return make_app(lightgbm_stack, api_key).test_client()


def test_the_counterfactual_amount_sent_to_simulate_is_granted(sim_client, auth, cases, lightgbm_stack, audit_rows):
    _, (whatif, counterfactual), _ = cases
    before = audit_rows(lightgbm_stack.database_url)
    asked = sim_client.post(f"/api/v1/clients/{whatif.client_id}/simulate?counterfactual=true", json={}, headers=auth)
    assert asked.status_code == 200, asked.json
    body = asked.json
    assert body["decision"] == "refuse" and body["basis"] == whatif.scorer.bundle.basis(whatif.client_id)
    assert body["counterfactual"]["kind"] == "found" and body["counterfactual"]["amount"] == counterfactual.amount
    assert body["counterfactual"]["sentences"] == counterfactual.sentences
    granted = sim_client.post(f"/api/v1/clients/{whatif.client_id}/simulate",
                              json={"amount": body["counterfactual"]["amount"]}, headers=auth).json
    assert granted["decision"] == "grant" and granted["decision_label"] == "Crédit accordé"
    assert granted["probability"] == pytest.approx(whatif.simulate({"amount": counterfactual.amount}).result.probability)
    assert granted["terms"]["amount"] == counterfactual.amount
    assert granted["terms"]["duration"] == pytest.approx(whatif.base.duration)
    assert {r["feature"] for r in granted["reasons"] if r["actionable"]} <= {
        "AMT_CREDIT", "AMT_ANNUITY", "CREDIT_ANNUITY_RATIO", "ANNUITY_CREDIT_RATIO", "ANNUITY_INCOME_RATIO",
        "CREDIT_INCOME_RATIO", "AMT_GOODS_PRICE", "GOODS_CREDIT_RATIO"}
    assert audit_rows(lightgbm_stack.database_url) == before  # a simulation is not a decision: nothing stored


@pytest.mark.parametrize(("body", "field"), [
    ({"amount": "beaucoup"}, "amount"), ({"annuity": 9000, "duration": 24}, "duration"),
    ({"duration": 600}, "duration"), ({"interest": 3}, "interest")])
def test_a_bad_field_is_a_one_line_json_error_naming_it(sim_client, auth, cases, body, field):
    _, (whatif, _), _ = cases
    answer = sim_client.post(f"/api/v1/clients/{whatif.client_id}/simulate", json=body, headers=auth)
    assert answer.status_code == 400
    error = answer.json["error"]
    assert error["code"] == "invalid_field" and f"'{field}'" in error["message"] and "\n" not in error["message"]


def test_simulate_needs_a_key_json_and_a_known_client(sim_client, auth, cases):
    _, (whatif, _), _ = cases
    url = f"/api/v1/clients/{whatif.client_id}/simulate"
    assert sim_client.post(url, json={}).status_code == 401
    assert sim_client.post(url, json={}, headers={"X-API-Key": "wrong"}).status_code == 403
    assert sim_client.post(url, data="amount=1", headers=auth).status_code == 415
    unknown = sim_client.post("/api/v1/clients/999999999/simulate", json={}, headers=auth)
    assert unknown.status_code == 404 and unknown.json["error"]["code"] == "unknown_client"


def test_the_openapi_document_describes_simulate(bare_app):
    spec = bare_app.test_client().get("/api/v1/openapi.json").json
    operation = spec["paths"]["/api/v1/clients/{client_id}/simulate"]["post"]
    assert operation["security"] == [{"ApiKey": []}]
    assert set(spec["components"]["schemas"]["SimulationRequest"]["properties"]) == {
        "amount", "annuity", "duration", "goods_price", "down_payment"}


@pytest.mark.parametrize(("body", "field"), [
    ({"amount": 1e11}, "amount"), ({"amount": 840_514_781_000}, "amount"), ({"goods_price": 1e30}, "goods_price"),
    ({"duration": "abc"}, "duration"), ({"duration": None}, "duration"), ({"annuity": 0}, "annuity")])
def test_a_value_out_of_bounds_is_refused_before_anything_is_simulated(bare_client, auth, body, field):
    from modeling.serving.loan_terms import BOUNDS

    answer = bare_client.post("/api/v1/clients/100002/simulate", json=body, headers=auth)  # no model needed
    assert answer.status_code == 400, answer.json
    error = answer.json["error"]
    assert error["code"] == "invalid_field" and f"'{field}'" in error["message"] and "\n" not in error["message"]
    if not isinstance(body[field], str | None):
        assert f"from {BOUNDS[field][0]} to {BOUNDS[field][1]}" in error["message"]


@pytest.mark.parametrize("raw", ["", "1", "yes", "TRUE", "0"])
def test_counterfactual_is_a_boolean_as_documented(bare_client, auth, raw):
    answer = bare_client.post(f"/api/v1/clients/100002/simulate?counterfactual={raw}", json={}, headers=auth)
    assert answer.status_code == 400 and answer.json["error"]["code"] == "invalid_counterfactual"


def test_terms_this_application_cannot_take_are_a_422(sim_client, auth, cases):
    _, (whatif, _), _ = cases
    answer = sim_client.post(f"/api/v1/clients/{whatif.client_id}/simulate",
                             json={"down_payment": min(whatif.base.amount, 10_000_000)}, headers=auth)
    assert answer.status_code == 422 and answer.json["error"]["code"] == "impossible_terms"
    assert "'down_payment'" in answer.json["error"]["message"]
