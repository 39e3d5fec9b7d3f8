"""The API benchmark's load generator counts what a server really answered, on a real HTTP server."""

from __future__ import annotations

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bench.loadgen import load_test


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
