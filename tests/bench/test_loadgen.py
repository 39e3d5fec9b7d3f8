"""The API benchmark's load generator counts what a server really answered, on a real HTTP server."""

from __future__ import annotations

import math
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bench.loadgen import load_test

pytestmark = pytest.mark.requirement("EXG-PERF-01")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keeps connections open unless the client asks to close

    def do_GET(self):  # noqa: N802 (the http.server hook name)
        self.server.seen.append(self.path)  # before answering: the client may finish as soon as it has the answer
        status = 200 if self.path.startswith("/ok") else 500
        body = b'{"path": "%s"}' % self.path.encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):  # quiet
        pass


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.seen = []
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


@pytest.mark.parametrize("keep_alive", [False, True])
def test_every_answer_is_counted_and_only_200_is_a_success(server, keep_alive):
    port = server.server_address[1]
    paths = lambda rng: "/ok" if rng.random() < 0.75 else "/fail"  # noqa: E731
    result = load_test(port, {"X-Test": "1"}, paths, clients=3, seconds=0.5, keep_alive=keep_alive)
    assert result["requests"] == len(server.seen) > 20
    failures = sum(path == "/fail" for path in server.seen)
    assert result["errors"] == failures > 0
    assert 0 < result["p50_ms"] <= result["p99_ms"] <= result["max_ms"]


def test_a_server_that_is_not_there_gives_errors_not_answers():
    with socket.socket() as sock:  # a port that was free a moment ago: nobody listens on it
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = load_test(port, {}, lambda rng: "/ok", clients=2, seconds=0.2)
    assert result["requests"] > 0 and result["errors"] == result["requests"]


class _Http10Handler(_Handler):
    protocol_version = "HTTP/1.0"  # closes after every answer, without saying so


class _ChunkedHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):  # noqa: N802
        self.server.seen.append(self.path)
        self.send_response(200)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for part in (b'{"a": ', b"1}"):
            self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
            self.wfile.flush()
        self.wfile.write(b"0\r\n\r\n")

    def log_message(self, *args):
        pass


@pytest.mark.parametrize("handler", [_Http10Handler, _ChunkedHandler])
def test_servers_that_close_or_stream_are_counted_right_with_keep_alive(handler):
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.seen = []
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        result = load_test(httpd.server_address[1], {}, lambda rng: "/ok", clients=2, seconds=0.4, keep_alive=True)
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert result["requests"] == len(httpd.seen) > 10
    assert result["errors"] == 0


def test_a_run_too_short_for_any_answer_reports_no_figures_instead_of_failing(server):
    result = load_test(server.server_address[1], {}, lambda rng: "/ok", clients=1, seconds=0.0)
    assert result["requests"] == 0 and math.isnan(result["p50_ms"]) and math.isnan(result["max_ms"])


def test_a_connection_refused_at_once_is_an_error_and_the_run_still_ends():
    # the broadcast address cannot be connected to: connect fails immediately, not later
    result = load_test(80, {}, lambda rng: "/ok", clients=2, seconds=0.2, host="255.255.255.255")
    assert result["requests"] > 0 and result["errors"] == result["requests"]
