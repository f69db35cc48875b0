"""Wire tests for ``bank.subscriptions``: subscription/cancel, subscription/restore."""

from __future__ import annotations

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from bank131_async.errors import ApiError
from bank131_async.resources import subscriptions
from tests.resource_wire import assert_not_sent, call_checked, declared, ok, scripted

pytestmark = pytest.mark.asyncio


def test_endpoints_are_declared() -> None:
    fields = ("path", "version", "read_only", "idempotent")
    assert declared(subscriptions.ENDPOINTS, *fields) == [
        ("subscription/cancel", "v1", False, False),
        ("subscription/restore", "v1", False, False),
    ]


@pytest.mark.parametrize("method", ["cancel", "restore"])
async def test_wire(method: str, partner_key: rsa.RSAPrivateKey) -> None:
    path = f"/api/v1/subscription/{method}"
    result = await call_checked(
        partner_key,
        "POST",
        path,
        ok(),
        lambda b: getattr(b.subscriptions, method)("sub_1a2b3c"),
        body=b'{"subscription_id":"sub_1a2b3c"}',
    )
    assert result is None


@pytest.mark.parametrize("method", ["cancel", "restore"])
async def test_empty_id_sends_nothing(method: str, partner_key: rsa.RSAPrivateKey) -> None:
    await assert_not_sent(
        partner_key, lambda b: getattr(b.subscriptions, method)(""), "subscription_id"
    )


async def test_error_answer_raises(partner_key: rsa.RSAPrivateKey) -> None:
    body = b'{"status":"error","error":{"code":"invalid_request","description":"unknown"}}'
    answer = httpx.Response(400, content=body)
    async with scripted(partner_key, "POST", "/api/v1/subscription/cancel", answer) as (bank, _):
        with pytest.raises(ApiError) as info:
            await bank.subscriptions.cancel("sub_x")
    assert info.value.code == "invalid_request"
    assert info.value.idempotency_key is None
