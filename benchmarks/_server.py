"""A trivial, fast local HTTP/1.1 server for the client benchmarks.

It answers ``POST /api/v2/session/status`` with one fixed ~600-byte ``{"status":"ok",
"session":{...}}`` body (an in-progress card payout waiting for confirmation), keeps connections
alive, and does nothing else: no signature check, no JSON parsing. Anything else gets a 404.

Two implementations, so the benchmark can check that the server is never the bottleneck:

* ``protocol`` -- a raw :class:`asyncio.Protocol` that parses just enough HTTP/1.1
  (request line, ``Content-Length``, ``Connection: close``, pipelining);
* ``uvicorn`` -- uvicorn with httptools and a raw ASGI app (no framework).

Run it as a separate process (``bench_client.py`` does)::

    python benchmarks/_server.py --impl protocol --port 0

It binds 127.0.0.1 only, prints ``READY <port>`` on stdout once it accepts connections, and
exits when its stdin closes (the parent died), on SIGTERM/SIGINT, or after ``--max-seconds``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import socket
import sys
import threading
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

__all__ = ["HOST", "PATH", "RESPONSE_BODY", "SESSION_ID", "main"]

HOST = "127.0.0.1"
PATH = "/api/v2/session/status"
SESSION_ID = "ps_3230"

#: The answer: a realistic v2 payout session waiting for ``confirm`` (compact JSON, ~600 bytes).
RESPONSE_BODY = (
    b'{"status":"ok","session":{"id":"ps_3230","status":"in_progress",'
    b'"created_at":"2026-11-22T06:39:04.499907Z","updated_at":"2026-11-22T06:39:05.120311Z",'
    b'"next_action":"confirm","payout_list":[{"id":"po_2025","status":"pending",'
    b'"created_at":"2026-11-22T06:39:04.512004Z","customer":{"reference":"user_1234567"},'
    b'"payout_details":{"type":"card","card":{"brand":"mir","last4":"4940","bin":"220024",'
    b'"country_iso3":"RUS"}},"participant_details":{"recipient":{"full_name":'
    b'"Ivanov Ivan Ivanovich"}},"amount_details":{"amount":800000,"currency":"rub"},'
    b'"amounts":{"fee":{"merchant_fee":{"amount":1000,"currency":"rub"}}},'
    b'"metadata":{"order_id":"order-42"}}]}}'
)

_OK_HEAD = (
    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
    + str(len(RESPONSE_BODY)).encode()
    + b"\r\n\r\n"
)
_OK = _OK_HEAD + RESPONSE_BODY
_NOT_FOUND = (
    b"HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: 9\r\n\r\nnot found"
)
_BAD = (
    b"HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nContent-Length: 11\r\n"
    b"Connection: close\r\n\r\nbad request"
)
_MAX_HEAD = 64 * 1024
_MAX_BODY = 1024 * 1024
_PATH_BYTES = PATH.encode()


# --------------------------------------------------------------------------- raw asyncio


class _StatusProtocol(asyncio.Protocol):
    """One connection: parse requests out of the byte stream, answer each with a canned reply."""

    __slots__ = ("_buf", "_transport")

    def __init__(self) -> None:
        self._buf = bytearray()
        self._transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def connection_lost(self, exc: Exception | None) -> None:
        self._transport = None

    def data_received(self, data: bytes) -> None:
        transport = self._transport
        if transport is None:
            return
        buf = self._buf
        buf += data
        out: list[bytes] = []
        close = False
        while True:
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                if len(buf) > _MAX_HEAD:
                    out.append(_BAD)
                    close = True
                break
            head = bytes(buf[:end]).lower()
            length = 0
            at = head.find(b"\r\ncontent-length:")
            if at >= 0:
                stop = head.find(b"\r\n", at + 2)
                raw = head[at + 17 : stop if stop >= 0 else len(head)].strip()
                if not raw.isdigit() or int(raw) > _MAX_BODY:
                    out.append(_BAD)
                    close = True
                    break
                length = int(raw)
            total = end + 4 + length
            if len(buf) < total:
                break
            del buf[:total]
            line_end = head.find(b"\r\n")
            parts = head[: line_end if line_end >= 0 else len(head)].split(b" ")
            if len(parts) == 3 and parts[0] == b"post" and parts[1] == _PATH_BYTES.lower():
                out.append(_OK)
            else:
                out.append(_NOT_FOUND)
            if b"\r\nconnection: close" in head:
                close = True
                break
        if out:
            transport.write(out[0] if len(out) == 1 else b"".join(out))
        if close:
            transport.close()


async def _serve_protocol(sock: socket.socket, stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(_StatusProtocol, sock=sock, backlog=4096)
    _ready(sock)
    try:
        await stop.wait()
    finally:
        server.close()
        await server.wait_closed()


# --------------------------------------------------------------------------- uvicorn + ASGI

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

_ASGI_OK_HEADERS = [
    (b"content-type", b"application/json"),
    (b"content-length", str(len(RESPONSE_BODY)).encode()),
]
_ASGI_404_HEADERS = [(b"content-type", b"text/plain"), (b"content-length", b"9")]


async def asgi_app(scope: Scope, receive: Receive, send: Send) -> None:
    """A raw ASGI app: drain the body, answer with the canned session."""
    if scope["type"] != "http":
        return
    more = True
    while more:
        message = await receive()
        more = bool(message.get("more_body", False))
    if scope["method"] == "POST" and scope["path"] == PATH:
        await send({"type": "http.response.start", "status": 200, "headers": _ASGI_OK_HEADERS})
        await send({"type": "http.response.body", "body": RESPONSE_BODY})
    else:
        await send({"type": "http.response.start", "status": 404, "headers": _ASGI_404_HEADERS})
        await send({"type": "http.response.body", "body": b"not found"})


async def _serve_uvicorn(sock: socket.socket, stop: asyncio.Event) -> None:
    import uvicorn

    config = uvicorn.Config(
        asgi_app,
        http="httptools",
        loop="none",
        lifespan="off",
        access_log=False,
        log_level="warning",
        server_header=False,
        date_header=False,
        backlog=4096,
    )
    server = uvicorn.Server(config)
    # uvicorn captures SIGTERM/SIGINT itself while serving and exits; so we wait for either
    # its end or our own stop event (stdin closed, lifetime cap).
    task = asyncio.create_task(server.serve(sockets=[sock]))
    deadline = asyncio.get_running_loop().time() + 15
    while not server.started and not task.done():
        if asyncio.get_running_loop().time() > deadline:
            raise RuntimeError("uvicorn did not start within 15 s")
        await asyncio.sleep(0.01)
    if task.done():
        task.result()
        return
    _ready(sock)
    stopper = asyncio.create_task(stop.wait())
    try:
        await asyncio.wait({task, stopper}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        server.should_exit = True
        stopper.cancel()
        await task


# --------------------------------------------------------------------------- process


def _ready(sock: socket.socket) -> None:
    port = sock.getsockname()[1]
    sys.stdout.write(f"READY {port}\n")
    sys.stdout.flush()


def _watch_stdin(loop: asyncio.AbstractEventLoop, stop: asyncio.Event) -> None:
    # The parent holds our stdin; EOF means it is gone, so we never outlive it.
    with contextlib.suppress(OSError, ValueError):
        sys.stdin.buffer.read()
    loop.call_soon_threadsafe(stop.set)


async def _run(impl: str, port: int, max_seconds: float) -> None:
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    loop.call_later(max_seconds, stop.set)
    threading.Thread(target=_watch_stdin, args=(loop, stop), daemon=True).start()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Accepted sockets inherit TCP_NODELAY on Linux: without it uvicorn's separate header and
    # body writes meet the client's delayed ACK and every answer waits ~40 ms.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((HOST, port))
    sock.listen(4096)
    sock.setblocking(False)
    if impl == "protocol":
        await _serve_protocol(sock, stop)
    else:
        await _serve_uvicorn(sock, stop)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--impl", choices=("protocol", "uvicorn"), default="protocol")
    parser.add_argument("--port", type=int, default=0, help="0: a free port (default)")
    parser.add_argument("--max-seconds", type=float, default=1800.0, help="hard lifetime cap")
    args = parser.parse_args(argv)
    asyncio.run(_run(args.impl, args.port, args.max_seconds))
    os._exit(0)  # the stdin watcher thread may still block in read()


if __name__ == "__main__":
    sys.exit(main())
