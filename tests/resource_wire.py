"""Wire-test helpers for the resources beyond sessions: one mocked call, request checks, and
"nothing was sent" checks for validation errors."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import httpx
import pytest
import respx
from cryptography.hazmat.primitives.asymmetric import rsa

from bank131_async import AsyncBank131
from bank131_async.errors import RequestValidationError
from tests.helpers import BASE_URL, make_client, verify_signature

__all__ = ["assert_not_sent", "call_once", "check_request", "ok"]

T = TypeVar("T")


def ok(**payload: Any) -> bytes:
    """A ``{"status": "ok", ...}`` response body."""
    return json.dumps({"status": "ok", **payload}, ensure_ascii=False).encode()


async def call_once(
    partner_key: rsa.RSAPrivateKey,
    method: str,
    path: str,
    answer: bytes,
    call: Callable[[AsyncBank131], Awaitable[T]],
    **client_options: Any,
) -> tuple[T, httpx.Request]:
    """Run ``call`` against a respx route answering ``answer``; the result and the request."""
    async with make_client(partner_key, **client_options) as bank:
        with respx.mock(base_url=BASE_URL) as router:
            route = router.route(method=method, path=path).mock(
                return_value=httpx.Response(200, content=answer)
            )
            result = await call(bank)
    assert route.call_count == 1
    return result, route.calls.last.request


def check_request(
    request: httpx.Request,
    *,
    method: str,
    path: str,
    body: bytes,
    partner_key: rsa.RSAPrivateKey,
) -> None:
    """Path (version included) and host, verb, exact bytes, headers, and a signature that
    verifies over exactly those bytes. None of these methods sends an idempotency key."""
    assert request.method == method
    assert str(request.url) == f"{BASE_URL}{path}"
    assert request.content == body
    headers = request.headers
    assert headers["Content-Type"] == "application/json"
    assert headers["X-PARTNER-PROJECT"] == "test_project"
    assert "X-PARTNER-SUBMERCHANT" not in headers
    assert "X-PARTNER-IDEMPOTENCY-KEY" not in headers
    verify_signature(partner_key.public_key(), request.content, headers["X-PARTNER-SIGN"])


async def assert_not_sent(
    partner_key: rsa.RSAPrivateKey,
    call: Callable[[AsyncBank131], Awaitable[Any]],
    match: str,
    error: type[Exception] = RequestValidationError,
) -> None:
    """``call`` raises ``error`` (message matching ``match``) and no request leaves."""
    async with make_client(partner_key) as bank:
        with respx.mock(base_url=BASE_URL, assert_all_called=False) as router:
            router.route().mock(return_value=httpx.Response(200, content=ok()))
            with pytest.raises(error, match=match):
                await call(bank)
    assert router.calls.call_count == 0
