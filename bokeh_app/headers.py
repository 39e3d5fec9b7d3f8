"""Security headers of the dashboard's answers: its page and websocket, the sign-in form, sign-out.

The same set as the API's (``api/headers.py``): a Content-Security-Policy that forbids framing, no MIME
sniffing, no referrer, no caching of personal data. Bokeh's page runs its own inline scripts and styles and
opens a websocket to the same origin; the sign-in form has one inline stylesheet and no script at all.
"""
from __future__ import annotations

from tornado.web import RequestHandler

DASHBOARD_CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; "
                 "style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; "
                 "connect-src 'self'; object-src 'none'; form-action 'self'; frame-ancestors 'none'; "
                 "base-uri 'none'")
FORM_CSP = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"


def secure(handler: RequestHandler, csp: str = DASHBOARD_CSP) -> None:
    """Set the headers on ``handler``'s answer (over HTTPS also HSTS)."""
    handler.set_header("Content-Security-Policy", csp)
    handler.set_header("X-Content-Type-Options", "nosniff")
    handler.set_header("X-Frame-Options", "DENY")
    handler.set_header("Referrer-Policy", "no-referrer")
    handler.set_header("Cross-Origin-Opener-Policy", "same-origin")
    handler.set_header("Cache-Control", "no-store")
    if handler.request.protocol == "https":
        handler.set_header("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
