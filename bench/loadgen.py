"""A closed-loop HTTP load generator that takes little CPU: one thread, non-blocking sockets.

The server under test shares this machine's two cores with the load generator, while in service its
callers run elsewhere. Threads with ``http.client`` cost about 0.5 ms of CPU per request and queue for
the GIL when several answers arrive together, which the latency then counts; here each of the N
connections is driven by one ``selectors`` loop with a pre-built request, so the generator's share stays
small and is reported (``client_cpu_ms``).

Each virtual client sends ``GET path``, reads the whole answer and records the time from connect (or
send, on a kept connection) to the last byte. By default it asks ``Connection: close`` and opens a new
connection for its next request, which a gunicorn sync worker does anyway; ``keep_alive`` reuses the
connection while the server keeps it open.
"""

from __future__ import annotations

import errno
import random
import selectors
import socket
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field

TIMEOUT = 30.0  # seconds a request may take before it counts as an error


@dataclass
class _Request:
    """One request in flight on one connection."""

    sock: socket.socket
    payload: bytes
    began: float
    received: bytearray = field(default_factory=bytearray)
    expected: int | None = None  # header length + Content-Length, once the headers are in


def load_test(port: int, headers: dict[str, str], paths: Callable[[random.Random], str], clients: int,
              seconds: float, host: str = "127.0.0.1", seed: int = 0, keep_alive: bool = False) -> dict:
    """Run ``clients`` concurrent closed-loop clients for ``seconds``; latencies in ms, errors counted.

    ``paths(rng)`` gives the path of each next request. Returns requests, seconds, rps, p50/p90/p99/max
    latency, errors (non-200 answers, resets, timeouts) and the generator's own CPU per request.
    """
    extra = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    rng = random.Random(seed)
    selector = selectors.DefaultSelector()
    latencies: list[float] = []
    errors = 0
    stop = time.perf_counter() + seconds

    connection = "keep-alive" if keep_alive else "close"

    def payload() -> bytes:
        return (f"GET {paths(rng)} HTTP/1.1\r\nHost: {host}:{port}\r\n{extra}"
                f"Connection: {connection}\r\n\r\n").encode("latin-1")

    def start() -> None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setblocking(False)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        request = _Request(sock, payload(), time.perf_counter())
        code = sock.connect_ex((host, port))
        if code not in (0, errno.EINPROGRESS):
            finish(request, ok=False)
            return
        selector.register(sock, selectors.EVENT_WRITE, request)

    def finish(request: _Request, ok: bool, reuse: bool = False) -> None:
        nonlocal errors
        latencies.append((time.perf_counter() - request.began) * 1000)
        errors += not ok
        if reuse and time.perf_counter() < stop:  # the next request on the same connection
            following = _Request(request.sock, payload(), time.perf_counter())
            request.sock.sendall(following.payload)
            selector.modify(request.sock, selectors.EVENT_READ, following)
            return
        try:
            selector.unregister(request.sock)
        except (KeyError, ValueError):
            pass
        request.sock.close()
        if time.perf_counter() < stop:
            start()

    def on_ready(request: _Request, mask: int) -> None:
        sock = request.sock
        if mask & selectors.EVENT_WRITE:
            if sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR):
                finish(request, ok=False)
                return
            sock.sendall(request.payload)  # a few hundred bytes: the socket buffer takes them at once
            selector.modify(sock, selectors.EVENT_READ, request)
            return
        chunk = sock.recv(65536)
        request.received += chunk
        if request.expected is None:
            end = request.received.find(b"\r\n\r\n")
            if end >= 0:
                request.expected = end + 4 + _content_length(bytes(request.received[:end]))
        complete = request.expected is not None and len(request.received) >= request.expected
        if complete or not chunk:
            head = bytes(request.received[:request.received.find(b"\r\n\r\n")]).lower()
            reuse = keep_alive and complete and b"connection: close" not in head
            finish(request, ok=complete and request.received.startswith((b"HTTP/1.1 200", b"HTTP/1.0 200")),
                   reuse=reuse)

    cpu, began = time.process_time(), time.perf_counter()
    for _ in range(clients):
        start()
    while selector.get_map():
        for key, mask in selector.select(timeout=1.0):
            try:
                on_ready(key.data, mask)
            except OSError:
                finish(key.data, ok=False)
        now = time.perf_counter()
        for key in list(selector.get_map().values()):
            if now - key.data.began > TIMEOUT:
                finish(key.data, ok=False)
    elapsed, cpu = time.perf_counter() - began, time.process_time() - cpu
    ordered = sorted(latencies)
    q = statistics.quantiles(ordered, n=100, method="inclusive")
    return {"requests": len(ordered), "seconds": elapsed, "rps": len(ordered) / elapsed, "p50_ms": q[49],
            "p90_ms": q[89], "p99_ms": q[98], "max_ms": ordered[-1], "errors": errors,
            "client_cpu_ms": cpu / len(ordered) * 1000}


def _content_length(head: bytes) -> int:
    """The Content-Length of an answer's header block (0 when absent)."""
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value.strip())
    return 0
