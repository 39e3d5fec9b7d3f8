"""Gunicorn's sync worker answering the requests it refuses itself in the API's JSON error shape.

Gunicorn parses the request line and headers before the app sees them and answers an HTML page when they
break its limits (a URL longer than ``limit_request_line``, a header larger than
``limit_request_field_size``) or do not parse. The API documents every error as
``{"error": {"code", "message"}}``, so this worker writes that body instead; other failures (TLS, proxy
protocol, the app's own errors) keep gunicorn's handling.
"""

from __future__ import annotations

import json

from gunicorn import util
from gunicorn.http.errors import (
    InvalidHeader,
    InvalidHeaderName,
    InvalidHTTPVersion,
    InvalidRequestLine,
    InvalidRequestMethod,
    LimitRequestHeaders,
    LimitRequestLine,
    ObsoleteFolding,
)
from gunicorn.workers.sync import SyncWorker

from api.errors import HTTP_CODES

#: Gunicorn's refusal -> (status, reason phrase); the code and message are the app's (api.errors.HTTP_CODES).
REFUSALS = (
    (LimitRequestLine, 414, "URI Too Long"),
    (LimitRequestHeaders, 431, "Request Header Fields Too Large"),
    ((InvalidRequestLine, InvalidRequestMethod, InvalidHTTPVersion, InvalidHeader, InvalidHeaderName,
      ObsoleteFolding), 400, "Bad Request"),
)


def error_bytes(status: int, reason: str, code: str, message: str) -> bytes:
    """A complete HTTP/1.1 response carrying the API's JSON error body."""
    body = json.dumps({"error": {"code": code, "message": message}}).encode()
    head = (f"HTTP/1.1 {status} {reason}\r\nConnection: close\r\nContent-Type: application/json\r\n"
            f"Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nContent-Length: {len(body)}\r\n\r\n")
    return head.encode("latin-1") + body


class JsonErrorWorker(SyncWorker):
    """SyncWorker whose own refusals (414, 431, 400) are JSON like every other error of the API."""

    def handle_error(self, req, client, addr, exc):
        for kinds, status, reason in REFUSALS:
            if isinstance(exc, kinds):
                code, message = HTTP_CODES[status]
                self.log.warning("refused request from ip=%s: %s %s", (addr or ("",))[0], status, str(exc)[:200])
                try:
                    util.write_nonblock(client, error_bytes(status, reason, code, message))
                except OSError:
                    self.log.debug("failed to send the error response")
                return
        super().handle_error(req, client, addr, exc)
