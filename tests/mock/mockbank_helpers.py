"""Helpers for the emulator's own tests: a tiny signing client over raw httpx.

The SDK is deliberately not used here: these tests pin the emulator's wire behaviour.
"""

from __future__ import annotations

import asyncio
import base64
import json
import time
from collections.abc import Callable
from typing import Any

import anyio
import httpx
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

FAST: dict[str, Any] = {
    "confirm_delay": 0.005,
    "process_delay": 0.005,
    "cancel_delay": 0.002,
    "refund_delay": 0.005,
    "webhook_retry_delay": 0.01,
}

CARD = "4242424242424242"


def sign(key: rsa.RSAPrivateKey, body: bytes) -> str:
    return base64.b64encode(key.sign(body, padding.PKCS1v15(), hashes.SHA256())).decode()


def card_payout(number: str = CARD, amount: int = 10_000, version: int = 2) -> dict[str, Any]:
    key = "payout_details" if version == 2 else "payment_method"
    return {
        key: {"type": "card", "card": {"type": "bank_card", "bank_card": {"number": number}}},
        "amount_details": {"amount": amount, "currency": "rub"},
        "participant_details": {"recipient": {"full_name": "Ivan Ivanov"}},
    }


def card_payment(number: str = CARD, amount: int = 10_000, **extra: Any) -> dict[str, Any]:
    card = {
        "number": number,
        "expiration_month": "12",
        "expiration_year": "30",
        "security_code": "123",
    }
    return {
        "payment_details": {"type": "card", "card": {"type": "bank_card", "bank_card": card}},
        "amount_details": {"amount": amount, "currency": "rub"},
        "customer": {"reference": "user-1"},
        **extra,
    }


class Bank:
    """Signs and sends requests the way the bank expects; returns raw responses or sessions."""

    def __init__(
        self, client: httpx.AsyncClient, key: rsa.RSAPrivateKey, project: str, version: int = 2
    ) -> None:
        self.client = client
        self.key = key
        self.project = project
        self.version = version

    async def call(
        self,
        method: str,
        body: dict[str, Any] | bytes | None = None,
        *,
        idempotency_key: str | None = None,
        version: int | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        raw = body if isinstance(body, bytes) else json.dumps(body or {}).encode()
        sent = {
            "Content-Type": "application/json",
            "X-PARTNER-PROJECT": self.project,
            "X-PARTNER-SIGN": sign(self.key, raw),
        }
        if idempotency_key is not None:
            sent["X-PARTNER-IDEMPOTENCY-KEY"] = idempotency_key
        sent.update(headers or {})
        path = f"/api/v{version or self.version}/{method}"
        return await self.client.post(path, content=raw, headers=sent)

    async def session(self, method: str, body: dict[str, Any] | None = None, **kw: Any) -> Any:
        response = await self.call(method, body, **kw)
        assert response.status_code == 200, response.text
        data = response.json()
        assert data["status"] == "ok"
        return data["session"]

    async def error(
        self, method: str, body: dict[str, Any] | bytes | None = None, **kw: Any
    ) -> tuple[int, str, str]:
        response = await self.call(method, body, **kw)
        data = response.json()
        assert data["status"] == "error", data
        return response.status_code, data["error"]["code"], data["error"]["description"]

    async def wait(
        self, session_id: str, until: Callable[[Any], bool], timeout: float = 2.0, **kw: Any
    ) -> Any:
        """Poll session/status until ``until(session)``; bounded in time."""
        with anyio.fail_after(timeout):
            while True:
                session = await self.session("session/status", {"session_id": session_id}, **kw)
                if until(session):
                    return session
                await anyio.sleep(0.003)

    async def wait_action(self, session_id: str, action: str, **kw: Any) -> Any:
        return await self.wait(session_id, lambda s: s.get("next_action") == action, **kw)

    async def wait_final(self, session_id: str, **kw: Any) -> Any:
        return await self.wait(
            session_id, lambda s: s["status"] in ("accepted", "cancelled", "error"), **kw
        )


class Receiver:
    """A minimal HTTP/1.1 webhook receiver on 127.0.0.1 (asyncio streams, keep-alive aware).

    Answers each POST with the next status from ``statuses`` (then 200) and records
    ``(headers, body)`` of every request.
    """

    def __init__(self, statuses: list[int] | None = None) -> None:
        self.statuses = list(statuses or [])
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.times: list[float] = []
        self._server: asyncio.base_events.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._arrived = asyncio.Event()

    @property
    def url(self) -> str:
        assert self._server is not None
        port = self._server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}/hooks"

    async def __aenter__(self) -> Receiver:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        for writer in list(self._writers):
            writer.close()
        await self._server.wait_closed()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")[1:]
                headers = {
                    k.strip().lower(): v.strip()
                    for k, _, v in (line.partition(":") for line in lines if line)
                }
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                self.requests.append((headers, body))
                self.times.append(time.monotonic())
                self._arrived.set()
                status = self.statuses.pop(0) if self.statuses else 200
                writer.write(f"HTTP/1.1 {status} X\r\ncontent-length: 0\r\n\r\n".encode("latin-1"))
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            self._writers.discard(writer)
            writer.close()

    def events(self) -> list[dict[str, Any]]:
        return [json.loads(body) for _, body in self.requests]

    async def wait_for(self, count: int, timeout: float = 3.0) -> None:
        with anyio.fail_after(timeout):
            while len(self.requests) < count:
                self._arrived.clear()
                await self._arrived.wait()


def verify(public_key: rsa.RSAPublicKey, body: bytes, signature: str) -> None:
    public_key.verify(base64.b64decode(signature), body, padding.PKCS1v15(), hashes.SHA256())
