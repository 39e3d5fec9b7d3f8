"""The documentation page: Swagger UI from the flask-swagger-ui package, served by the API itself (no CDN)."""

import re

import pytest

pytestmark = pytest.mark.requirement("EXG-API-05")


def test_docs_page_loads_the_packaged_viewer_from_this_server_only(bare_client):
    response = bare_client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert not re.search(r"""(src|href)=["']https?://""", html)
    assert 'data-spec="/api/v1/openapi.json"' in html
    scripts = re.findall(r'<script src="([^"]+)"></script>', html)
    assert scripts == ["/viewer/swagger-ui-bundle.js", "/static/docs.js"]
    assert "<script>" not in html  # no inline script: the page's CSP allows none
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self';" in csp and "http" not in csp


def test_viewer_files_are_served_and_nothing_else(bare_client):
    bundle = bare_client.get("/viewer/swagger-ui-bundle.js")
    assert bundle.status_code == 200 and b"SwaggerUIBundle" in bundle.data
    assert bare_client.get("/viewer/swagger-ui.css").mimetype == "text/css"
    missing = bare_client.get("/viewer/..%2f..%2fapi%2fconfig.py")
    assert missing.status_code == 404 and missing.json["error"]["code"] == "not_found"


def test_descriptions_are_markdown_for_the_viewer(bare_client):
    spec = bare_client.get("/api/v1/openapi.json").json
    description = spec["paths"]["/api/v1/clients/{client_id}/score"]["get"]["description"]
    assert "`python -m modeling predict --store`" in description  # Swagger UI renders it as code
