"""Wire tests for ``bank.sberpay``: sberpay/push."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from bank131_async.resources import sberpay
from tests.resource_wire import assert_not_sent, call_checked, declared, ok

pytestmark = pytest.mark.asyncio


def test_endpoints_are_declared() -> None:
    assert declared(sberpay.ENDPOINTS, "path", "version", "read_only", "idempotent") == [
        ("sberpay/push", "v1", False, False)
    ]


async def test_push_wire(partner_key: rsa.RSAPrivateKey) -> None:
    # The official SDK's example body.
    result: object = await call_checked(
        partner_key,
        "POST",
        "/api/v1/sberpay/push",
        ok(),
        lambda b: b.sberpay.push("ps_123", phone="89876543210"),
        body=b'{"phone":"89876543210","session_id":"ps_123"}',
    )
    assert result is None


@pytest.mark.parametrize(
    ("session_id", "phone", "match"),
    [
        ("ps_1", "+79876543210", "digits"),
        ("ps_1", "987654", "10-15 digits"),
        ("", "79876543210", "session_id"),
    ],
)
async def test_validation_sends_nothing(
    session_id: str, phone: str, match: str, partner_key: rsa.RSAPrivateKey
) -> None:
    await assert_not_sent(partner_key, lambda b: b.sberpay.push(session_id, phone=phone), match)
