"""The contract: requests generated from the OpenAPI document, for every operation, with every check schemathesis
has (no 5xx, documented statuses, content types, headers and bodies; valid data accepted, invalid data refused,
authentication enforced). Bounded to fit CI: a fixed seed, derandomized, at most MAX_EXAMPLES per phase."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from api import create_app
from api.auth import digest
from api.openapi import build_spec
from tests.api.conftest import make_app

pytestmark = pytest.mark.requirement("EXG-API-05")

#: Generated requests per operation and phase: the whole run takes about a minute on the CI machine.
MAX_EXAMPLES = 25
CONFIG = schemathesis.Config.from_dict({
    "seed": 2026,
    "generation": {"mode": "all", "max-examples": MAX_EXAMPLES, "deterministic": True},
    # 422: well-formed what-if terms that the client's own application cannot take (documented as such)
    "checks": {"positive_data_acceptance": {"expected-statuses": ["2xx", "401", "403", "404", "422", "429"]}},
})
# The document does not depend on data: build it from an app that is not connected to anything.
schema = schemathesis.openapi.from_dict(build_spec(create_app({"API_KEYS": ""})), config=CONFIG)


@pytest.fixture(scope="module")
def contract_app(stack, api_key, tmp_path_factory):
    """An app over a copy of the test bank (reviews and audit rows stay there), a key allowed to write, no rate limit
    in the way."""
    copy = stack.copied_to(tmp_path_factory.mktemp("contract") / "bank.db")
    return make_app(copy, api_key, API_KEYS=f"tester:{digest(api_key)}:write",
                    RATE_LIMIT=1e9, RATE_BURST=10**9)


@pytest.mark.slow
@schema.parametrize()
@settings(deadline=None, suppress_health_check=list(HealthCheck))
def test_api_honours_its_document(case, contract_app, api_key):
    case.operation.schema.app = contract_app  # the checks that send requests of their own (ignored_auth) use it too
    case.call_and_validate(app=contract_app, headers={"X-API-Key": api_key})

