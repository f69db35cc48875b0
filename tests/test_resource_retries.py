"""Which resource calls the transport repeats, per endpoint: a read-only call is retried after a
failure, a mutating call the bank does not de-duplicate is never repeated once it may have
reached the bank (a second push is a second SMS, a second check a second request), whatever
``max_retries`` allows. None of them sends an idempotency key."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, NamedTuple

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from bank131_async import AsyncBank131
from bank131_async.errors import (
    ApiError,
    RequestTimeoutError,
    TransportConnectionError,
    TransportError,
)
from bank131_async.models import (
    AmountDetails,
    CalculationAmounts,
    KycStatus,
    KycVerification,
    NotificationList,
    Participant,
    ParticipantDetails,
    TransferCalculation,
    WalletDetails,
)
from tests.kyc_people import person
from tests.resource_wire import KYC_URL, Script, ok, scripted

pytestmark = pytest.mark.asyncio

Call = Callable[[AsyncBank131], Awaitable[Any]]

V1 = "/api/v1"
RUB = AmountDetails(amount=1_000_000, currency="rub")
SENDER = ParticipantDetails(sender=Participant(first_name="Ivan", last_name="Ivanov"))
DELIVERED = [NotificationList(tax_reference="500100732259", message_id_list=("msg-1",))]
WALLETS = ok(wallets=[{"id": "131", "amount_details": {"amount": 13100, "currency": "rub"}}])
RUB_SOURCE = AmountDetails(amount=1_000_000, currency="RUB")
CALCULATION = ok(amounts={"source": {"amount": 1000000, "currency": "RUB"}})


def _sign(payload: bytes) -> str:
    return "MIIGsig=="


class Case(NamedTuple):
    method: str
    target: str
    #: What the route does, attempt by attempt.
    script: Script
    call: Call
    #: The error the caller gets (not repeated), or the result (retried).
    outcome: Any


NOT_REPEATED = [
    pytest.param(
        Case(
            "POST",
            f"{V1}/sberpay/push",
            httpx.ReadError("connection reset"),
            lambda b: b.sberpay.push("ps_1", phone="79876543210"),
            TransportError,
        ),
        id="sberpay-push-dropped",
    ),
    pytest.param(
        Case(
            "POST",
            f"{V1}/npd/notifications/update",
            httpx.ReadError("reset"),
            lambda b: b.self_employed.notifications_update(DELIVERED),
            TransportConnectionError,
        ),
        id="npd-update-reset",
    ),
    pytest.param(
        Case(
            "POST",
            f"{KYC_URL}/api/v2.0/check",
            httpx.RemoteProtocolError("dropped"),
            lambda b: b.kyc.check(person(), signer=_sign),
            TransportConnectionError,
        ),
        id="kyc-check-dropped",
    ),
    pytest.param(
        Case(
            "POST",
            f"{V1}/subscription/restore",
            httpx.Response(503, content=b'{"status":"error","error":{"code":"internal_error"}}'),
            lambda b: b.subscriptions.restore("sub_x"),
            ApiError,
        ),
        id="subscription-restore-503",
    ),
    pytest.param(
        Case(
            "POST",
            f"{V1}/bpa/session/init/payment",
            httpx.ReadTimeout("slow"),
            lambda b: b.transfers.bpa_init_payment(
                moneysend={"receiver_country": "TUR", "operation": "transfer"},
                amount_details=RUB,
                participant_details=SENDER,
            ),
            RequestTimeoutError,
        ),
        id="bpa-init-payment-timeout",
    ),
]


@pytest.mark.parametrize("case", NOT_REPEATED)
async def test_a_maybe_sent_mutation_is_not_repeated(
    case: Case, partner_key: rsa.RSAPrivateKey
) -> None:
    method, target, failure, call, error = case
    async with scripted(partner_key, method, target, failure, max_retries=3) as (bank, route):
        with pytest.raises(error) as caught:
            await call(bank)
    assert route.call_count == 1
    assert caught.value.maybe_processed is True
    assert "X-PARTNER-IDEMPOTENCY-KEY" not in route.calls.last.request.headers


RETRIED = [
    pytest.param(
        Case(
            "POST",
            f"{V1}/wallet/balance",
            [httpx.Response(503, content=b"{}"), httpx.Response(200, content=WALLETS)],
            lambda b: b.wallet.balance(request_datetime=datetime(2024, 1, 1, tzinfo=UTC)),
            (WalletDetails(id="131", amount_details=AmountDetails(amount=13100, currency="rub")),),
        ),
        id="wallet-balance-503",
    ),
    pytest.param(
        Case(
            "GET",
            f"{KYC_URL}/api/v2.0/check/kyc-42",
            [
                httpx.Response(500, json={"status": "error"}),
                httpx.Response(200, content=ok(data={"id": "kyc-42"})),
            ],
            lambda b: b.kyc.status("kyc-42"),
            KycVerification(id="kyc-42", status=KycStatus.OK),
        ),
        id="kyc-status-500",
    ),
    pytest.param(
        Case(
            "POST",
            f"{V1}/calculate",
            [httpx.ReadTimeout("slow"), httpx.Response(200, content=CALCULATION)],
            lambda b: b.transfers.calculate(source=RUB, destination_currency="try"),
            TransferCalculation(amounts=CalculationAmounts(source=RUB_SOURCE)),
        ),
        id="transfers-calculate-timeout",
    ),
]


@pytest.mark.parametrize("case", RETRIED)
async def test_a_read_only_call_is_retried(case: Case, partner_key: rsa.RSAPrivateKey) -> None:
    method, target, script, call, expected = case
    async with scripted(partner_key, method, target, script, max_retries=2) as (bank, route):
        result = await call(bank)
    assert route.call_count == 2
    assert result == expected
    assert "X-PARTNER-IDEMPOTENCY-KEY" not in route.calls.last.request.headers
