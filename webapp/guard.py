"""The one-port server's door: a body limit checked before any byte of the body is read, and the client's
address taken from ``X-Forwarded-For`` only through the configured number of proxies.

The rule for the address is the API's (werkzeug's ``ProxyFix`` with ``x_for=SCORING_TRUSTED_PROXIES``): with N
trusted proxies the client is the N-th address from the right of ``X-Forwarded-For``, with 0 the header is
ignored; ``X-Real-IP`` is never trusted. Tornado's own ``xheaders`` trusts any sender, and answers an oversized
body with a bare 400 after its limit; this answers 413 as soon as the headers announce too much.
"""

from __future__ import annotations

from tornado import httputil
from tornado.httpserver import HTTPServer
from tornado.netutil import is_valid_ip


def forwarded_value(header: str | None, proxies: int) -> str | None:
    """The value N proxies vouch for in a comma-separated ``X-Forwarded-*`` header (None: trust none of it)."""
    if not header or proxies < 1:
        return None
    values = [value.strip() for value in header.split(",")]
    return values[-proxies] if len(values) >= proxies else None


class _Door(httputil.HTTPMessageDelegate):
    """Wraps one request's delegate: refuses a too-large body at once, sets the address the proxies vouch for."""

    def __init__(self, inner: httputil.HTTPMessageDelegate, connection, max_body: int, proxies: int):
        self.inner, self.connection, self.max_body, self.proxies = inner, connection, max_body, proxies
        self.refused = False
        context = getattr(connection, "context", None)
        self.original = (context.remote_ip, context.protocol) if hasattr(context, "remote_ip") else None

    def headers_received(self, start_line, headers):
        length = headers.get("Content-Length", "0").strip()
        if length.isdigit() and int(length) > self.max_body:  # a malformed length: tornado answers 400
            self.refused = True
            body = f"request body over {self.max_body} bytes: send less\n".encode()
            self.connection.write_headers(
                httputil.ResponseStartLine("HTTP/1.1", 413, "Content Too Large"),
                httputil.HTTPHeaders({"Content-Type": "text/plain; charset=utf-8", "Content-Length": str(len(body)),
                                      "Connection": "close"}), body)
            self.connection.finish()
            return None
        if self.original is not None:
            context = self.connection.context
            address = forwarded_value(headers.get("X-Forwarded-For"), self.proxies)
            if address and is_valid_ip(address):
                context.remote_ip = address
            protocol = forwarded_value(headers.get("X-Forwarded-Proto"), self.proxies)
            if protocol in ("http", "https"):
                context.protocol = protocol
        return self.inner.headers_received(start_line, headers)

    def data_received(self, chunk):
        return None if self.refused else self.inner.data_received(chunk)

    def finish(self) -> None:
        if not self.refused:
            self.inner.finish()
        self._restore()

    def on_connection_close(self) -> None:
        if not self.refused:
            self.inner.on_connection_close()
        self._restore()

    def _restore(self) -> None:
        """The next request on a kept-alive connection starts from the socket's own address."""
        if self.original is not None:
            self.connection.context.remote_ip, self.connection.context.protocol = self.original


class GuardedHTTPServer(HTTPServer):
    """Tornado's HTTP server with the door in front of every request (``max_body`` bytes, ``proxies``)."""

    def initialize(self, *args, max_body: int, proxies: int, **kwargs) -> None:
        self.max_body, self.proxies = max_body, proxies
        kwargs.update(max_body_size=max_body, xheaders=False)
        super().initialize(*args, **kwargs)

    def start_request(self, server_conn, request_conn) -> httputil.HTTPMessageDelegate:
        return _Door(super().start_request(server_conn, request_conn), request_conn, self.max_body, self.proxies)
