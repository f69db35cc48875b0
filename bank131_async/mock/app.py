"""The emulator as a raw ASGI application (no framework: the hot path is a dict lookup, an RSA
verification and a cached JSON blob).

Runs in-process under ``httpx.ASGITransport(app=MockBankApp(...))`` or over sockets under
uvicorn (see :mod:`.server`). Each request passes, in order: fault injection, routing, project
(``identification_error``), signature (``authentication_error``), JSON decoding, idempotency
(``idempotency_key_already_exists``, HTTP 409; a key is spent only by a request that succeeded,
and a spent key answers 409 without doing anything), then the method itself.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import socket
import struct
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import httpx
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from . import kyc
from .config import MockConfig
from .faults import Fault, FaultKind, Faults
from .handlers import Context, Route
from .machine import Machine, Scheduler
from .routes import ROUTES
from .state import MockState, Session
from .webhooks import WebhookSender
from .wire import ApiFailure, error_body

__all__ = ["MockBankApp"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

_JSON_HEADER = (b"content-type", b"application/json")
_PADDING = padding.PKCS1v15()
_HASH = hashes.SHA256()
_MALFORMED = b'{"status":"ok","session":{"id":"ps_'
_LINGER_RST = struct.pack("ii", 1, 0)


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
        self._ctx = Context(self.state, self.machine)
        self._partner_key = partner_public_key

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
        message = await receive()
        body: bytes = message.get("body", b"")
        while message.get("more_body", False):
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
        route = ROUTES.get(scope["path"])
        fault: Fault | None = None
        if self.faults.rules:
            delay, fault = self.faults.take(route.name if route else scope["path"])
            if delay > 0:
                await asyncio.sleep(delay)
            if fault is not None and not fault.processes_first:
                await self._inject(fault, send)
                return
        if route is None and kyc.handles(scope["path"]):
            # KYC: its own checks (no X-PARTNER-SIGN, signature in the body), GET check/{id}.
            status, payload = kyc.process(
                self.state,
                self.config.project,
                scope["method"],
                scope["path"],
                scope["headers"],
                body,
            )
        else:
            status, payload = self._process(scope, route, body)
        if fault is not None:
            await self._inject(fault, send)
            return
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [_JSON_HEADER, (b"content-length", b"%d" % len(payload))],
            }
        )
        await send({"type": "http.response.body", "body": payload})

    def _process(self, scope: Scope, route: Route | None, body: bytes) -> tuple[int, bytes]:
        if route is None:
            return 404, error_body("invalid_request", f"unknown method {scope['path']}")
        method = scope["method"]
        if method != "POST" and not (method == "GET" and route.name == "fps/banks"):
            return 405, error_body("invalid_request", f"{route.name} expects POST, got {method}")
        project = signature = key = None
        for name, value in scope["headers"]:
            if name == b"x-partner-project":
                project = value
            elif name == b"x-partner-sign":
                signature = value
            elif name == b"x-partner-idempotency-key":
                key = value
        if project is None or project.decode("latin-1") != self.config.project:
            return 401, error_body("identification_error", "Unknown X-PARTNER-PROJECT")
        if signature is None or not self._verify(body, signature):
            return 401, error_body(
                "authentication_error", "X-PARTNER-SIGN does not match the request body"
            )
        try:
            data = json.loads(body) if body else {}
        except ValueError:
            return 400, error_body("invalid_request", "body: not valid JSON")
        if data == [] and route.name == "fps/banks":
            data = {}  # what the PHP SDK sends for a body-less call
        if not isinstance(data, dict):
            return 400, error_body("invalid_request", "body: expected a JSON object")
        idempotency_key = None
        if route.mutating and key is not None:
            idempotency_key = key.decode("latin-1")
            if idempotency_key in self.state.idempotency_keys:
                return 409, error_body(
                    "idempotency_key_already_exists",
                    f"Idempotency key {idempotency_key!r} is already in progress or processed",
                )
        try:
            payload = route.handler(self._ctx, data, route.version, idempotency_key)
        except ApiFailure as failure:
            return failure.http_status, failure.body()
        if idempotency_key is not None:
            self.state.idempotency_keys[idempotency_key] = route.name
        return 200, payload

    def _verify(self, body: bytes, signature: bytes) -> bool:
        try:
            raw = base64.b64decode(signature, validate=True)
            self._partner_key.verify(raw, body, _PADDING, _HASH)
        except (binascii.Error, InvalidSignature, ValueError):
            return False
        return True

    async def _inject(self, fault: Fault, send: Send) -> None:
        kind = fault.kind
        if kind is FaultKind.RESET or kind is FaultKind.DROP_AFTER:
            await self._drop(send, reset=kind is FaultKind.RESET)
            return
        headers = [_JSON_HEADER]
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
        headers.append((b"content-length", b"%d" % len(payload)))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": payload})

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
