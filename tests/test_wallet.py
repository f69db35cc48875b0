"""Wire and parse tests for ``bank.wallet``: wallet/balance."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from bank131_async.models import AmountDetails, WalletDetails
from bank131_async.resources import wallet
from tests.resource_wire import call_checked, call_once, declared, ok

pytestmark = pytest.mark.asyncio

ANSWER = ok(wallets=[{"id": "131", "amount_details": {"amount": 13100, "currency": "rub"}}])


def test_endpoints_are_declared() -> None:
    assert declared(wallet.ENDPOINTS, "path", "version", "read_only") == [
        ("wallet/balance", "v1", True)
    ]


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2020, 5, 29, 7, 1, 37, 499907, tzinfo=UTC),
        datetime(2020, 5, 29, 10, 1, 37, tzinfo=timezone(timedelta(hours=3))),
        datetime(2020, 5, 29, 7, 1, 37),
    ],
    ids=["utc", "msk", "naive-is-utc"],
)
async def test_balance_wire_and_parse(moment: datetime, partner_key: rsa.RSAPrivateKey) -> None:
    result = await call_checked(
        partner_key,
        "POST",
        "/api/v1/wallet/balance",
        ANSWER,
        lambda b: b.wallet.balance(request_datetime=moment),
        body=b'{"request_datetime":"2020-05-29T07:01:37+00:00"}',
    )
    assert result == (
        WalletDetails(id="131", amount_details=AmountDetails(amount=13100, currency="rub")),
    )


async def test_balance_defaults_to_now(partner_key: rsa.RSAPrivateKey) -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    _, request = await call_once(
        partner_key, "POST", "/api/v1/wallet/balance", ANSWER, lambda b: b.wallet.balance()
    )
    sent = datetime.fromisoformat(json.loads(request.content)["request_datetime"])
    assert before <= sent <= datetime.now(UTC)
