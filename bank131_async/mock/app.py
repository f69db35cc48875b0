"""The emulator as a raw ASGI application (no framework: the hot path is a dict lookup, an RSA
verification and a cached JSON blob).

Runs in-process under ``httpx.ASGITransport(app=MockBankApp(...))`` or over sockets under
uvicorn (see :mod:`.server`). Each request passes fault injection, then routing (the table in
:mod:`.routes`); the route checks and answers it (:mod:`.partner` for the main API,
:mod:`.kyc` for passport checks).
"""

from __future__ import annotations

import asyncio
import socket
import struct
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import httpx
from cryptography.hazmat.primitives.asymmetric import rsa

from .config import MockConfig
from .context import Context, Request
from .faults import Fault, FaultKind, Faults
from .machine import Machine, Scheduler
from .routes import resolve
from .state import MockState, Session
from .webhooks import WebhookSender
from .wire import error_body

__all__ = ["MockBankApp"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

_JSON_HEADER = (b"content-type", b"application/json")
_MALFORMED = b'{"status":"ok","session":{"id":"ps_'
_LINGER_RST = struct.pack("ii", 1, 0)


class _TooLarge(Exception):
    """The request body is larger than ``MockConfig.max_body_size``."""


async def _answer(
    send: Send, status: int, payload: bytes, headers: list[tuple[bytes, bytes]] | None = None
) -> None:
    sent = [_JSON_HEADER, *(headers or ()), (b"content-length", b"%d" % len(payload))]
    await send({"type": "http.response.start", "status": status, "headers": sent})
    await send({"type": "http.response.body", "body": payload})


class MockBankApp:
    """ASGI app emulating one Bank 131 project.

    ``partner_public_key`` verifies ``X-PARTNER-SIGN`` on requests; ``bank_private_key`` signs
    webhooks. ``state``, ``faults`` and ``config`` may be read and changed while it runs.
    """

    def __init__(
        self,
        config: MockConfig | None = None,
        *,
        partner_public_key: rsa.RSAPublicKey,
        bank_private_key: rsa.RSAPrivateKey,
    ) -> None:
        self.config = config if config is not None else MockConfig()
        self.state = MockState(self.config.wallet_balance)
        self.faults = Faults(self.config.seed)
        self.scheduler = Scheduler()
        self.webhooks = WebhookSender(self.config, bank_private_key)
        self.machine = Machine(self.state, self.config, self.scheduler, self._emit)
        self._ctx = Context(self.state, self.machine, partner_public_key)
        #: Set by the socket server (:class:`~.server.SocketServer`) to take itself down for
        #: an ``outage`` fault's duration; ``None`` in-process, where an outage is a drop.
        self.on_outage: Callable[[float], None] | None = None

    def __repr__(self) -> str:
        return f"MockBankApp(project={self.config.project!r}, sessions={len(self.state.sessions)})"

    def _emit(self, kind: str, session: Session) -> None:
        self.webhooks.send(kind, session)

    async def aclose(self) -> None:
        """Stop pending transitions and webhook deliveries."""
        self.scheduler.cancel_all()
        await self.webhooks.aclose()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await self._http(scope, receive, send)
        elif scope["type"] == "lifespan":
            await self._lifespan(receive, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.aclose()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            body = await self._body(scope, receive)
        except _TooLarge:
            limit = self.config.max_body_size
            payload = error_body("invalid_request", f"body: larger than {limit} bytes")
            await _answer(send, 413, payload)
            return
        if body is None:
            return  # the client went away
        path: str = scope["path"]
        route, param = resolve(path)
        fault: Fault | None = None
        if self.faults.rules:
            delay, fault = self.faults.take(route.name if route else path)
            if delay > 0:
                await asyncio.sleep(delay)
            if fault is not None and not fault.processes_first:
                await self._inject(fault, send)
                return
        if route is None:
            status, payload = 404, error_body("invalid_request", f"unknown method {path}")
        else:
            request = Request(scope["method"], path, scope["headers"], body, param)
            status, payload = route.serve(self._ctx, request)
        if fault is not None:
            await self._inject(fault, send)
            return
        await _answer(send, status, payload)

    async def _body(self, scope: Scope, receive: Receive) -> bytes | None:
        """The request body, or ``None`` if the client disconnected; raises :class:`_TooLarge`
        past ``config.max_body_size`` without reading further. Chunks are joined once at
        the end (appending to bytes copies the whole body each time: quadratic)."""
        limit = self.config.max_body_size
        for name, value in scope["headers"]:
            if name == b"content-length" and value.isdigit() and int(value) > limit:
                raise _TooLarge
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return None
            chunk: bytes = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                raise _TooLarge
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)

    async def _inject(self, fault: Fault, send: Send) -> None:
        kind = fault.kind
        if kind is FaultKind.OUTAGE and self.on_outage is not None:
            # Stop listening before the client sees the drop, so that its reconnect is
            # refused rather than queued in the old listener's backlog and then reset.
            self.on_outage(fault.duration)
        if kind in (FaultKind.RESET, FaultKind.DROP_AFTER, FaultKind.OUTAGE):
            await self._drop(send, reset=kind is FaultKind.RESET)
            return
        headers: list[tuple[bytes, bytes]] = []
        if kind is FaultKind.SERVER_ERROR:
            status = fault.status
            payload = error_body("internal_error", "Injected server error")
        elif kind is FaultKind.RATE_LIMIT:
            status = 429
            payload = error_body("too_many_requests", "Injected rate limit")
            retry_after = fault.retry_after
            value = f"{int(retry_after)}" if retry_after == int(retry_after) else f"{retry_after}"
            headers.append((b"retry-after", value.encode()))
        else:
            status, payload = 200, _MALFORMED
        await _answer(send, status, payload, headers)

    async def _drop(self, send: Send, *, reset: bool) -> None:
        """Close the connection without a byte of answer.

        uvicorn answers 500 itself when an app fails before starting its response, so instead
        the app reaches the connection's transport (uvicorn binds ``send`` to the request cycle
        that owns it) and closes it: ``abort`` after ``SO_LINGER=0`` sends RST (the client reads
        ECONNRESET), a plain ``close`` sends FIN (the client sees the server disconnect without
        a response). In-process there is no socket; the httpx error a socket client would see
        is raised instead.
        """
        cycle = getattr(send, "__self__", None)
        transport = getattr(cycle, "transport", None)
        if transport is None:
            if reset:
                raise httpx.ReadError("[mock] connection reset by peer")
            raise httpx.RemoteProtocolError("[mock] server disconnected without sending a response")
        if reset:
            sock = transport.get_extra_info("socket")
            if sock is not None:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, _LINGER_RST)
            transport.abort()
        else:
            transport.close()
        # Let connection_lost run, so uvicorn knows the client is gone and sends no 500.
        for _ in range(10):
            if getattr(cycle, "disconnected", True):
                break
            await asyncio.sleep(0)
