"""A closed-loop HTTP load generator that takes little CPU: one thread, non-blocking sockets.

The server under test shares this machine's two cores with the load generator, while in service its
callers run elsewhere. Threads with ``http.client`` cost about 0.5 ms of CPU per request and queue for
the GIL when several answers arrive together, which the latency then counts; here each of the N
connections is driven by one ``selectors`` loop, so the generator's share stays small and is reported
(``client_cpu_ms``).

Each virtual client sends ``GET path``, reads the whole answer and records the time from connect (or
send, on a kept connection) to the last byte. By default it asks ``Connection: close`` and opens a new
connection for its next request, which a gunicorn sync worker does anyway; ``keep_alive`` reuses the
connection while the server keeps it open (a kept connection the server has closed meanwhile is
reopened, not counted).
"""

from __future__ import annotations

import errno
import math
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
    reused: bool = False  # sent on a kept connection: a close before any byte means "reconnect"
    received: bytearray = field(default_factory=bytearray)
    head_end: int | None = None  # offset of the body, once the headers are in
    expected: int | None = None  # total length when the answer has a Content-Length


def load_test(port: int, headers: dict[str, str], paths: Callable[[random.Random], str], clients: int,
              seconds: float, host: str = "127.0.0.1", seed: int = 0, keep_alive: bool = False) -> dict:
    """Run ``clients`` concurrent closed-loop clients for ``seconds``; latencies in ms, errors counted.

    ``paths(rng)`` gives the path of each next request. Returns requests, seconds, rps, p50/p90/p99/max
    latency (NaN with fewer than two answers), errors (non-200 answers, refused or reset connections,
    timeouts) and the generator's own CPU per request.
    """
    run = _Run(port, headers, paths, host, random.Random(seed), keep_alive, time.perf_counter() + seconds)
    cpu, began = time.process_time(), time.perf_counter()
    with run.selector:
        run.pending = clients
        run.loop()
    elapsed, cpu = time.perf_counter() - began, time.process_time() - cpu
    ordered = sorted(run.latencies)
    count = len(ordered)
    q = statistics.quantiles(ordered, n=100, method="inclusive") if count >= 2 else [math.nan] * 99
    return {"requests": count, "seconds": elapsed, "rps": count / elapsed, "p50_ms": q[49], "p90_ms": q[89],
            "p99_ms": q[98], "max_ms": ordered[-1] if ordered else math.nan, "errors": run.errors,
            "client_cpu_ms": cpu / count * 1000 if count else math.nan}


class _Run:
    """The state of one load test: the selector, the connections to (re)open, the results."""

    def __init__(self, port: int, headers: dict[str, str], paths: Callable[[random.Random], str], host: str,
                 rng: random.Random, keep_alive: bool, stop: float):
        extra = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        self.prefix = f"Host: {host}:{port}\r\n{extra}Connection: {'keep-alive' if keep_alive else 'close'}\r\n\r\n"
        self.address, self.paths, self.rng, self.keep_alive, self.stop = (host, port), paths, rng, keep_alive, stop
        self.selector = selectors.DefaultSelector()
        self.latencies: list[float] = []
        self.errors = 0
        self.pending = 0  # connections to open on the next turn of the loop

    def loop(self) -> None:
        while True:
            if time.perf_counter() >= self.stop:
                self.pending = 0  # past the deadline: let the requests in flight finish, open no more
            opening, self.pending = self.pending, 0
            for _ in range(opening):
                self.open()  # a connection that fails at once is retried on the next turn, not here
            if not self.selector.get_map() and not self.pending:
                return
            for key, mask in self.selector.select(timeout=0.05 if self.pending else 1.0):
                self.on_ready(key.data, mask)
            now = time.perf_counter()
            for key in list(self.selector.get_map().values()):
                if now - key.data.began > TIMEOUT:
                    self.finish(key.data, ok=False)

    def payload(self) -> bytes:
        return f"GET {self.paths(self.rng)} HTTP/1.1\r\n{self.prefix}".encode("latin-1")

    def open(self) -> None:
        """A new connection with a new request; a failure right away counts as one error."""
        began = time.perf_counter()
        try:
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        except OSError:
            self.record(began, ok=False)
            return
        request = _Request(sock, self.payload(), began)
        try:
            sock.setblocking(False)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            code = sock.connect_ex(self.address)
            if code not in (0, errno.EINPROGRESS):
                raise OSError(code, "connect failed")
            self.selector.register(sock, selectors.EVENT_WRITE, request)
        except OSError:
            sock.close()
            self.record(began, ok=False)
            self.pending += 1

    def on_ready(self, request: _Request, mask: int) -> None:
        sock = request.sock
        try:
            if mask & selectors.EVENT_WRITE:
                if sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR):
                    raise ConnectionRefusedError
                sock.sendall(request.payload)  # a few hundred bytes: the socket buffer takes them at once
                self.selector.modify(sock, selectors.EVENT_READ, request)
                return
            chunk = sock.recv(65536)
        except OSError:
            chunk = None
        if not chunk and request.reused and not request.received:
            self.close(request)  # the server closed the kept connection: reopen, this was no request
            self.pending += 1
            return
        if chunk is None:
            self.finish(request, ok=False)
            return
        request.received += chunk
        if request.head_end is None:
            end = request.received.find(b"\r\n\r\n")
            if end < 0:
                if not chunk:
                    self.finish(request, ok=False)
                return
            request.head_end = end + 4
            length = _header(bytes(request.received[:end]), b"content-length")
            request.expected = request.head_end + int(length) if length is not None else None
        if request.expected is not None:
            complete = len(request.received) >= request.expected
        elif _header(bytes(request.received[:request.head_end]), b"transfer-encoding") == b"chunked":
            complete = request.received.endswith(b"0\r\n\r\n")
        else:  # no length given: the answer ends when the server closes
            complete = not chunk
        if complete:
            self.finish(request, ok=request.received.startswith((b"HTTP/1.1 200", b"HTTP/1.0 200")))
        elif not chunk:
            self.finish(request, ok=False)

    def finish(self, request: _Request, ok: bool) -> None:
        """Record the answer, then send the next request on the same connection or open a new one."""
        self.record(request.began, ok)
        if self.keep_alive and ok and self._kept(request) and time.perf_counter() < self.stop:
            following = _Request(request.sock, self.payload(), time.perf_counter(), reused=True)
            try:
                request.sock.sendall(following.payload)
                self.selector.modify(request.sock, selectors.EVENT_READ, following)
                return
            except OSError:
                pass  # the server closed it meanwhile: a new connection below
        self.close(request)
        self.pending += 1

    def record(self, began: float, ok: bool) -> None:
        self.latencies.append((time.perf_counter() - began) * 1000)
        self.errors += not ok

    def close(self, request: _Request) -> None:
        try:
            self.selector.unregister(request.sock)
        except (KeyError, ValueError):
            pass
        request.sock.close()

    @staticmethod
    def _kept(request: _Request) -> bool:
        """Whether the server keeps the connection open after this answer (HTTP/1.1 unless it says close)."""
        head = bytes(request.received[:request.head_end or 0])
        connection = (_header(head, b"connection") or b"").lower()
        return head.startswith(b"HTTP/1.1") and connection != b"close" or connection == b"keep-alive"


def _header(head: bytes, name: bytes) -> bytes | None:
    """The value of header ``name`` (lower case) in an answer's header block, None when absent."""
    for line in head.split(b"\r\n")[1:]:
        key, _, value = line.partition(b":")
        if key.strip().lower() == name:
            return value.strip()
    return None
