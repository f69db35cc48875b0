"""Test servers for the HTTP paths: a threaded HTTP/1.1 server (usable from any event loop,
trio included, and from several loops in turn) that records and answers every request, and
a guard that fails a test on any DNS lookup or connection that would leave 127.0.0.1."""

from __future__ import annotations

import http.server
import json
import socket
import socketserver
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

__all__ = ["LOOPBACK", "Recorded", "ThreadedServer", "guard_loopback", "threaded_server"]

LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})
SESSION = {"id": "ps_1", "status": "in_progress"}
OK = json.dumps({"status": "ok", "session": SESSION}).encode()
#: Name of every server thread, so thread-leak checks can tell them from the client's.
SERVER_THREAD = "test-http-server"


class Recorded:
    """One request as the server received it."""

    def __init__(self, target: str, headers: dict[str, str], body: bytes) -> None:
        self.target = target  # origin-form path, or absolute-form URL through a proxy
        self.headers = headers
        self.body = body


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: ThreadedServer

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        self.server.record(Recorded(self.path, dict(self.headers.items()), body))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(OK)))
        self.end_headers()
        self.wfile.write(OK)

    def do_CONNECT(self) -> None:
        # A proxy tunnel request: recorded, then refused (this server is no real proxy).
        self.server.record(Recorded(f"CONNECT {self.path}", dict(self.headers.items()), b""))
        self.send_response(502)
        self.send_header("Content-Length", "0")
        self.end_headers()
        self.close_connection = True

    def log_message(self, format: str, *args: Any) -> None:
        pass


class ThreadedServer(socketserver.ThreadingMixIn, http.server.HTTPServer):
    """Answers every POST with an in-progress session; acts as an HTTP proxy too (it answers
    absolute-form requests itself), so ``requests`` shows what went through it."""

    daemon_threads = True
    block_on_close = False
    request_queue_size = 256  # 5 by default: a burst of connects would overflow it

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.requests: list[Recorded] = []
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def record(self, request: Recorded) -> None:
        with self._lock:
            self.requests.append(request)

    def process_request(self, request: Any, client_address: Any) -> None:
        thread = threading.Thread(
            target=self.process_request_thread,
            args=(request, client_address),
            name=SERVER_THREAD,
            daemon=True,
        )
        thread.start()


@contextmanager
def threaded_server() -> Iterator[ThreadedServer]:
    server = ThreadedServer()
    thread = threading.Thread(target=server.serve_forever, name=SERVER_THREAD, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def guard_loopback(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Make every DNS lookup or connect to anything but 127.0.0.1 fail and be recorded; the
    test asserts the returned list is empty (the SDK would turn the OSError into its own
    error, so the record is what proves nothing left the machine)."""
    escaped: list[object] = []
    real_getaddrinfo: Callable[..., Any] = socket.getaddrinfo
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def host_of(address: Any) -> object:
        return address[0] if isinstance(address, tuple) else address

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else host
        if name not in LOOPBACK:
            escaped.append(("getaddrinfo", name))
            raise OSError(f"test guard: DNS lookup of {name!r} refused")
        return real_getaddrinfo(host, *args, **kwargs)

    def connect(self: socket.socket, address: Any) -> None:
        if host_of(address) not in LOOPBACK:
            escaped.append(("connect", address))
            raise OSError(f"test guard: connection to {address!r} refused")
        real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        if host_of(address) not in LOOPBACK:
            escaped.append(("connect_ex", address))
            raise OSError(f"test guard: connection to {address!r} refused")
        return real_connect_ex(self, address)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    return escaped
