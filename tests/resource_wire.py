"""Wire-test helpers for the resources beyond sessions: a client with one scripted route, one
mocked call, the request checks, and "nothing was sent" checks for validation errors."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import httpx
import pytest
import respx
from cryptography.hazmat.primitives.asymmetric import rsa

from bank131_async import AsyncBank131
from bank131_async.errors import RequestValidationError
from tests.helpers import BASE_URL, make_client, verify_signature

__all__ = [
    "BASE_URL",
    "KYC_URL",
    "assert_not_sent",
    "call_checked",
    "call_once",
    "check_request",
    "declared",
    "ok",
    "scripted",
]

KYC_URL = "https://kyc.test"

T = TypeVar("T")

#: What a scripted route answers: a 200 with these bytes, a response, an exception to raise,
#: or a sequence of responses and exceptions, one per attempt.
Script = bytes | httpx.Response | Exception | Sequence[httpx.Response | Exception]


def ok(**payload: Any) -> bytes:
    """A ``{"status": "ok", ...}`` response body."""
    return json.dumps({"status": "ok", **payload}, ensure_ascii=False).encode()


def _url(target: str) -> str:
    """A full URL as given, or a path on the main API host."""
    return target if target.startswith(("http://", "https://")) else f"{BASE_URL}{target}"


def _client(partner_key: rsa.RSAPrivateKey, options: dict[str, Any]) -> AsyncBank131:
    options.setdefault("kyc_base_url", KYC_URL)
    return make_client(partner_key, **options)


def declared(endpoints: Sequence[Any], *fields: str) -> list[tuple[Any, ...]]:
    """The named fields of each endpoint of a resource module's ``ENDPOINTS``, in order."""
    return [tuple(getattr(endpoint, name) for name in fields) for endpoint in endpoints]


@asynccontextmanager
async def scripted(
    partner_key: rsa.RSAPrivateKey,
    method: str,
    target: str,
    script: Script,
    **client_options: Any,
) -> AsyncIterator[tuple[AsyncBank131, respx.Route]]:
    """A test client and the one respx route (a path on the API host, or a full URL) that
    answers it as ``script`` says; the route keeps the calls for the test to count."""
    if isinstance(script, bytes):
        script = httpx.Response(200, content=script)
    async with _client(partner_key, client_options) as bank:
        with respx.mock() as router:
            route = router.route(method=method, url=_url(target))
            if isinstance(script, httpx.Response):
                route.mock(return_value=script)
            else:
                route.mock(side_effect=script if isinstance(script, Exception) else list(script))
            yield bank, route


async def call_once(
    partner_key: rsa.RSAPrivateKey,
    method: str,
    target: str,
    answer: bytes,
    call: Callable[[AsyncBank131], Awaitable[T]],
    **client_options: Any,
) -> tuple[T, httpx.Request]:
    """Run ``call`` against a respx route (a path on the API host, or a full URL) answering
    ``answer``; return the result and the request."""
    async with scripted(partner_key, method, target, answer, **client_options) as (bank, route):
        result = await call(bank)
    assert route.call_count == 1
    return result, route.calls.last.request


async def call_checked(
    partner_key: rsa.RSAPrivateKey,
    method: str,
    target: str,
    answer: bytes,
    call: Callable[[AsyncBank131], Awaitable[T]],
    *,
    body: bytes,
    idempotency_key: str | bool = False,
    signed: bool = True,
    **client_options: Any,
) -> T:
    """:func:`call_once`, then :func:`check_request` on its request (same verb and target):
    the wire test of most resource methods. Returns the result."""
    result, request = await call_once(partner_key, method, target, answer, call, **client_options)
    check_request(
        request,
        method=method,
        url=_url(target),
        body=body,
        partner_key=partner_key,
        idempotency_key=idempotency_key,
        signed=signed,
    )
    return result


def check_request(
    request: httpx.Request,
    *,
    method: str,
    body: bytes,
    partner_key: rsa.RSAPrivateKey,
    path: str | None = None,
    url: str | None = None,
    idempotency_key: str | bool = False,
    signed: bool = True,
) -> None:
    """Host, version and path (``path`` on the API host, or a full ``url``), verb, exact
    bytes and headers. ``signed``: an ``X-PARTNER-SIGN`` that verifies over exactly those
    bytes (else: no such header). ``idempotency_key``: ``False`` none, ``True`` a generated
    uuid4, a string that key."""
    target = url if url is not None else path
    assert target is not None, "check_request needs path= or url="
    assert request.method == method
    assert str(request.url) == _url(target)
    assert request.content == body
    headers = request.headers
    assert headers["Content-Type"] == "application/json"
    assert headers["X-PARTNER-PROJECT"] == "test_project"
    assert "X-PARTNER-SUBMERCHANT" not in headers
    if signed:
        verify_signature(partner_key.public_key(), request.content, headers["X-PARTNER-SIGN"])
    else:
        assert "X-PARTNER-SIGN" not in headers
    if idempotency_key is False:
        assert "X-PARTNER-IDEMPOTENCY-KEY" not in headers
    elif idempotency_key is True:
        assert uuid.UUID(headers["X-PARTNER-IDEMPOTENCY-KEY"]).version == 4
    else:
        assert headers["X-PARTNER-IDEMPOTENCY-KEY"] == idempotency_key


async def assert_not_sent(
    partner_key: rsa.RSAPrivateKey,
    call: Callable[[AsyncBank131], Awaitable[Any]],
    match: str,
    error: type[Exception] = RequestValidationError,
    **client_options: Any,
) -> None:
    """``call`` raises ``error`` (message matching ``match``) and no request leaves."""
    async with _client(partner_key, client_options) as bank:
        with respx.mock(assert_all_called=False) as router:
            router.route().mock(return_value=httpx.Response(200, content=ok()))
            with pytest.raises(error, match=match):
                await call(bank)
    assert router.calls.call_count == 0
