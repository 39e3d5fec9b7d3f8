"""Security headers on every response; HSTS only over HTTPS."""
import pytest

pytestmark = pytest.mark.requirement("EXG-API-06")


def test_security_headers_on_open_and_error_responses(bare_client):
    for path in ("/api/v1/openapi.json", "/api/v1/clients/1/score", "/", "/nowhere"):
        headers = bare_client.get(path).headers
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert "script-src" not in headers["Content-Security-Policy"]  # default-src 'none' covers scripts
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["Referrer-Policy"] == "no-referrer"
        assert headers["Cache-Control"] == "no-store"
        assert "Strict-Transport-Security" not in headers


def test_hsts_over_https(bare_client):
    response = bare_client.get("/api/v1/openapi.json", base_url="https://scoring.example")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_static_files_may_be_cached(bare_client):
    response = bare_client.get("/static/style.css")
    assert response.status_code == 200
    assert response.headers.get("Cache-Control") != "no-store"
    response.close()
