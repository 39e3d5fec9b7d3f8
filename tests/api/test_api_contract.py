"""Property-based contract test: generated requests never get a 5xx nor a body outside the OpenAPI document."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import checks

from api import create_app
from api.openapi import build_spec

pytestmark = pytest.mark.requirement("EXG-API-05")

# The document does not depend on data: build it from an app that is not connected to anything.
schema = schemathesis.openapi.from_dict(build_spec(create_app({"API_KEYS": ""})))


@pytest.mark.slow
@schema.parametrize()
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_honours_its_document(case, app, api_key):
    case.call_and_validate(
        app=app,
        headers={"X-API-Key": api_key},
        checks=[checks.not_a_server_error, checks.status_code_conformance,
                checks.content_type_conformance, checks.response_schema_conformance],
    )
