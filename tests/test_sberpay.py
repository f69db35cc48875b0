"""Wire tests for ``bank.sberpay``: sberpay/push."""

from __future__ import annotations

import httpx
import pytest
import respx
from cryptography.hazmat.primitives.asymmetric import rsa

from bank131_async.errors import TransportError
from bank131_async.resources import sberpay
from tests.helpers import BASE_URL, make_client
from tests.resource_wire import assert_not_sent, call_once, check_request, ok

pytestmark = pytest.mark.asyncio


def test_endpoints_are_declared() -> None:
    (push,) = sberpay.ENDPOINTS
    assert (push.path, push.version, push.read_only, push.idempotent) == (
        "sberpay/push",
        "v1",
        False,
        False,
    )


async def test_push_wire(partner_key: rsa.RSAPrivateKey) -> None:
    # The official SDK's example body.
    result, request = await call_once(
        partner_key,
        "POST",
        "/api/v1/sberpay/push",
        ok(),
        lambda b: b.sberpay.push("ps_123", phone="89876543210"),
    )
    check_request(
        request,
        method="POST",
        path="/api/v1/sberpay/push",
        body=b'{"phone":"89876543210","session_id":"ps_123"}',
        partner_key=partner_key,
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


async def test_push_after_a_dropped_connection_is_not_repeated(
    partner_key: rsa.RSAPrivateKey,
) -> None:
    """A second push would be a second SMS: a maybe-sent push surfaces instead of a retry."""
    async with make_client(partner_key, max_retries=3) as bank:
        with respx.mock(base_url=BASE_URL) as router:
            route = router.post("/api/v1/sberpay/push").mock(
                side_effect=httpx.ReadError("connection reset")
            )
            with pytest.raises(TransportError) as info:
                await bank.sberpay.push("ps_1", phone="79876543210")
    assert route.call_count == 1
    assert info.value.request_sent is True
