"""The documentation page renders the OpenAPI document without any external asset."""

import re

import pytest

pytestmark = pytest.mark.requirement("EXG-API-05")


def test_docs_page_lists_every_endpoint_with_an_example(bare_client):
    response = bare_client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    spec = bare_client.get("/api/v1/openapi.json").json
    for path in spec["paths"]:
        assert path in html
    assert "curl -s -H &#34;X-API-Key: $SCORING_API_KEY&#34; http://localhost:8000/api/v1/clients/100002/score" in html
    assert "Retry-After" in html or "rate limit" in html


def test_docs_page_loads_nothing_from_elsewhere(bare_client):
    html = bare_client.get("/api/v1/docs").get_data(as_text=True)
    assert not re.search(r"""(src|href)=["']https?://""", html)
    assert "<script" not in html
