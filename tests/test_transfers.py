"""Wire and parse tests for ``bank.transfers``: calculate, bpa and cash payout sessions."""

from __future__ import annotations

import base64
import json
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from bank131_async import AsyncBank131
from bank131_async.models import (
    AcquiringPayment,
    AmountDetails,
    CalculationAmounts,
    CalculationExchanges,
    CalculationRate,
    NextAction,
    OperationStatus,
    Participant,
    ParticipantDetails,
    PaymentDetails,
    Session,
    SessionStatus,
    TransferCalculation,
)
from bank131_async.resources import transfers
from tests.resource_wire import BASE_URL, assert_not_sent, call_checked, call_once, declared, ok

pytestmark = pytest.mark.asyncio

V1 = f"{BASE_URL}/api/v1"
RUB = AmountDetails(amount=1_000_000, currency="rub")
TRY = AmountDetails(amount=350_000, currency="try")

CALCULATION = ok(
    amounts={
        "source": {"amount": 1000000, "currency": "RUB"},
        "destination": {"amount": 350000, "currency": "TRY"},
        "transfer_fee": {"amount": 10000, "currency": "RUB"},
        "sms_fee": {"amount": 0, "currency": "RUB"},
        "payment": {"amount": 1010000, "currency": "RUB"},
    },
    exchanges={"source": "RUB", "destination": "TRY", "rate": {"fx_rate": 0.35, "quantity": 1}},
    quote_id="q-1",
)
EXPECTED_CALCULATION = TransferCalculation(
    amounts=CalculationAmounts(
        source=AmountDetails(amount=1000000, currency="RUB"),
        destination=AmountDetails(amount=350000, currency="TRY"),
        transfer_fee=AmountDetails(amount=10000, currency="RUB"),
        sms_fee=AmountDetails(amount=0, currency="RUB"),
        payment=AmountDetails(amount=1010000, currency="RUB"),
    ),
    exchanges=CalculationExchanges(
        source="RUB", destination="TRY", rate=CalculationRate(fx_rate="0.35", quantity=1)
    ),
)

MONEYSEND = {"receiver_country": "TUR", "operation": "transfer"}
SENDER = ParticipantDetails(
    sender=Participant(
        first_name="Ivan",
        last_name="Ivanov",
        citizenship_country_iso_3="RUS",
        country_iso3="RUS",
        city="Kazan",
    )
)
W_SENDER = (
    b'{"sender":{"first_name":"Ivan","last_name":"Ivanov","country_iso3":"RUS",'
    b'"city":"Kazan","citizenship_country_iso3":"RUS"}}'
)
SESSION_ANSWER = json.dumps(
    {
        "status": "ok",
        "session": {
            "id": "ps_9",
            "status": "in_progress",
            "next_action": "confirm",
            "acquiring_payments": [
                {
                    "id": "pm_9",
                    "status": "pending",
                    "payment_details": {"type": "moneysend", "moneysend": MONEYSEND},
                    "amount_details": {"amount": 1000000, "currency": "rub"},
                }
            ],
        },
    }
).encode()


def _expected_session() -> Session:
    return Session(
        id="ps_9",
        status=SessionStatus.IN_PROGRESS,
        next_action=NextAction.CONFIRM,
        payment_list=(
            AcquiringPayment(
                id="pm_9",
                status=OperationStatus.PENDING,
                payment_details=PaymentDetails(type="moneysend", moneysend=MONEYSEND),
                amount_details=RUB,
            ),
        ),
    )


def test_endpoints_are_declared() -> None:
    fields = ("path", "version", "read_only", "sends_idempotency_key")
    assert declared(transfers.ENDPOINTS, *fields) == [
        ("calculate", "v1", True, False),
        ("bpa/session/init/payment", "v1", False, False),
        ("cash/payout/session/init", "v1", False, False),
    ]


Call = Callable[[AsyncBank131], Awaitable[Any]]
CODE = "TCN-123456"
CODE_B64 = base64.b64encode(CODE.encode()).decode()

CASES: list[Any] = [
    pytest.param(
        "calculate",
        lambda b: b.transfers.calculate(source=RUB, destination_currency="try"),
        b'{"amounts":{"source":{"amount":1000000,"currency":"rub"},'
        b'"destination":{"currency":"try"}}}',
        CALCULATION,
        EXPECTED_CALCULATION,
        id="calculate-source",
    ),
    pytest.param(
        "calculate",
        lambda b: b.transfers.calculate(source_currency="rub", destination=TRY),
        b'{"amounts":{"source":{"currency":"rub"},'
        b'"destination":{"amount":350000,"currency":"try"}}}',
        CALCULATION,
        EXPECTED_CALCULATION,
        id="calculate-destination",
    ),
    pytest.param(
        "bpa/session/init/payment",
        lambda b: b.transfers.bpa_init_payment(
            moneysend=MONEYSEND, amount_details=RUB, participant_details=SENDER, metadata="t-1"
        ),
        b'{"payment_details":{"type":"moneysend","moneysend":'
        b'{"receiver_country":"TUR","operation":"transfer"}},'
        b'"amount_details":{"amount":1000000,"currency":"rub"},"participant_details":'
        + W_SENDER
        + b',"metadata":"t-1"}',
        SESSION_ANSWER,
        None,
        id="bpa-init-payment",
    ),
    pytest.param(
        "cash/payout/session/init",
        lambda b: b.transfers.cash_payout_init(
            tcn_code=CODE, moneysend=MONEYSEND, amount_details=RUB
        ),
        b'{"tcn_code_encoded":"'
        + CODE_B64.encode()
        + b'","payment_method":{"type":"moneysend","moneysend":'
        b'{"receiver_country":"TUR","operation":"transfer"}},'
        b'"amount_details":{"amount":1000000,"currency":"rub"}}',
        SESSION_ANSWER,
        None,
        id="cash-payout-init",
    ),
    pytest.param(
        "cash/payout/session/init",
        lambda b: b.transfers.cash_payout_init(
            tcn_code_encoded=CODE_B64,
            moneysend={},
            amount_details=RUB,
            participant_details=SENDER,
        ),
        b'{"tcn_code_encoded":"'
        + CODE_B64.encode()
        + b'","payment_method":{"type":"moneysend","moneysend":{}},'
        b'"amount_details":{"amount":1000000,"currency":"rub"},"participant_details":'
        + W_SENDER
        + b"}",
        SESSION_ANSWER,
        None,
        id="cash-payout-init-encoded",
    ),
]


@pytest.mark.parametrize(("path", "call", "body", "answer", "expected"), CASES)
async def test_wire_and_parse(
    path: str,
    call: Call,
    body: bytes,
    answer: bytes,
    expected: Any,
    partner_key: rsa.RSAPrivateKey,
) -> None:
    result = await call_checked(partner_key, "POST", f"{V1}/{path}", answer, call, body=body)
    assert result == (expected if expected is not None else _expected_session())


@pytest.mark.parametrize(
    ("answer", "exchanges"),
    [
        pytest.param(CALCULATION, EXPECTED_CALCULATION.exchanges, id="currencies-and-rate"),
        pytest.param(
            ok(exchanges={"source": {"amount": 100, "currency": "rub"}, "rate": {}}),
            CalculationExchanges(
                source=AmountDetails(amount=100, currency="rub"), rate=CalculationRate()
            ),
            id="exchanges-as-amounts",
        ),
    ],
)
async def test_calculation_exchanges_and_the_raw_answer(
    answer: bytes, exchanges: CalculationExchanges, partner_key: rsa.RSAPrivateKey
) -> None:
    result, _ = await call_once(
        partner_key,
        "POST",
        f"{V1}/calculate",
        answer,
        lambda b: b.transfers.calculate(source=RUB, destination_currency="try"),
    )
    assert result.exchanges == exchanges
    assert result.raw == json.loads(answer)  # quote_id and every other field kept


# --------------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (
            lambda b: b.transfers.calculate(source_currency="rub", destination_currency="try"),
            "exactly one",
        ),
        (lambda b: b.transfers.calculate(source=RUB, destination=TRY), "exactly one"),
        (lambda b: b.transfers.calculate(source=RUB), "destination_currency"),
        (
            lambda b: b.transfers.calculate(
                source=RUB, source_currency="eur", destination_currency="try"
            ),
            "contradicts",
        ),
        (
            lambda b: b.transfers.calculate(
                source=AmountDetails(amount=0, currency="rub"), destination_currency="try"
            ),
            "positive",
        ),
        (
            lambda b: b.transfers.bpa_init_payment(
                moneysend=MONEYSEND, amount_details=RUB, participant_details=ParticipantDetails()
            ),
            "sender",
        ),
        (
            lambda b: b.transfers.bpa_init_payment(
                moneysend="x", amount_details=RUB, participant_details=SENDER
            ),
            "mapping",
        ),
        (
            lambda b: b.transfers.cash_payout_init(moneysend=MONEYSEND, amount_details=RUB),
            "exactly one of tcn_code",
        ),
        (
            lambda b: b.transfers.cash_payout_init(
                tcn_code=CODE, tcn_code_encoded=CODE_B64, moneysend=MONEYSEND, amount_details=RUB
            ),
            "exactly one of tcn_code",
        ),
        (
            lambda b: b.transfers.cash_payout_init(
                tcn_code_encoded="not base64!", moneysend=MONEYSEND, amount_details=RUB
            ),
            "base64",
        ),
        (
            lambda b: b.transfers.cash_payout_init(
                tcn_code=CODE,
                moneysend=MONEYSEND,
                amount_details=AmountDetails(amount=0, currency="rub"),
            ),
            "positive",
        ),
    ],
)
async def test_validation_sends_nothing(
    call: Call, match: str, partner_key: rsa.RSAPrivateKey
) -> None:
    await assert_not_sent(partner_key, call, match)
