"""The OpenAPI document is generated from the code and describes every API route."""

import pytest
import schemathesis

from api.openapi import build_spec

pytestmark = pytest.mark.requirement("EXG-API-05")


def test_document_is_valid_openapi_31(bare_app):
    spec = bare_app.test_client().get("/api/v1/openapi.json").json
    assert spec["openapi"] == "3.1.0"
    schema = schemathesis.openapi.from_dict(spec)  # raises on an invalid document
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 11  # 9, and GET and POST of a client's review requests


def test_every_api_route_is_documented(bare_app):
    spec = build_spec(bare_app)
    for rule in bare_app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/"):
            path = rule.rule.replace("<client_id>", "{client_id}")
            methods = {m.lower() for m in rule.methods} - {"head", "options"}
            assert methods <= set(spec["paths"][path]), rule.rule


def test_secured_routes_declare_the_key_and_open_ones_do_not(bare_app):
    paths = build_spec(bare_app)["paths"]
    assert paths["/api/v1/clients/{client_id}/score"]["get"]["security"] == [{"ApiKey": []}]
    assert paths["/api/v1/scores"]["post"]["security"] == [{"ApiKey": []}]
    assert "security" not in paths["/api/v1/health"]["get"]
    assert "security" not in paths["/api/v1/openapi.json"]["get"]


def test_batch_limit_in_the_document_matches_the_setting(bare_app):
    schema = build_spec(bare_app)["components"]["schemas"]["BatchRequest"]
    assert schema["properties"]["client_ids"]["maxItems"] == bare_app.config["MAX_BATCH"]
