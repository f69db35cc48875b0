"""Wire and parse tests for ``bank.fiscalization``: POST /api/v1/fiscalization."""

from __future__ import annotations

from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from bank131_async.models import (
    AmountDetails,
    BankCard,
    Customer,
    FiscalizationDetails,
    FiscalizationReceipt,
    FiscalizationService,
    PayerType,
    PayoutDetails,
    ProfessionalIncomeTaxpayer,
    SessionStatus,
)
from bank131_async.resources import fiscalization
from tests.resource_wire import assert_not_sent, call_checked, declared, ok

pytestmark = pytest.mark.asyncio

PATH = "/api/v1/fiscalization"
PRICE = AmountDetails(amount=5_000, currency="rub")
AMOUNT = AmountDetails(amount=10_000, currency="rub")


def _details(*services: FiscalizationService, inn: str = "123456789012") -> FiscalizationDetails:
    return FiscalizationDetails(
        professional_income_taxpayer=ProfessionalIncomeTaxpayer(
            tax_reference=inn,
            services=services,
            payer_type=PayerType.LEGAL,
            payer_tax_number="7700000000",
            payer_name="Ромашка",
        )
    )


DETAILS = _details(FiscalizationService(name="Дизайн", amount_details=PRICE, quantity=2))
W_DETAILS = (
    '{"professional_income_taxpayer":{"tax_reference":"123456789012","services":'
    '[{"name":"Дизайн","amount_details":{"amount":5000,"currency":"rub"},"quantity":2}],'
    '"payer_type":"legal","payer_tax_number":"7700000000","payer_name":"Ромашка"}}'
).encode()

ANSWER = ok(
    session={
        "id": "ps_3230",
        "status": "in_progress",
        "created_at": "2024-03-01T10:00:00.000000Z",
        "payments": [
            {
                "id": "po_1313",
                "status": "in_progress",
                "amount_details": {"amount": 10000, "currency": "rub"},
                "fiscalization_details": {
                    "professional_income_taxpayer": {
                        "tax_reference": "123456789012",
                        "services": [
                            {
                                "name": "Дизайн",
                                "amount_details": {"amount": 5000, "currency": "rub"},
                                "quantity": 2,
                            }
                        ],
                        "receipt": {"id": "20abcd1234", "link": "https://lknpd.nalog.ru/r/1"},
                    }
                },
            }
        ],
    }
)


def test_endpoints_are_declared() -> None:
    assert declared(fiscalization.ENDPOINTS, "path", "version", "read_only", "idempotent") == [
        ("fiscalization", "v1", False, False)
    ]


@pytest.mark.parametrize(
    ("kwargs", "body"),
    [
        pytest.param(
            {"fiscalization_details": DETAILS},
            b'{"session_id":"ps_3230","fiscalization_details":' + W_DETAILS + b"}",
            id="minimal",
        ),
        pytest.param(
            {
                "fiscalization_details": DETAILS,
                "payout_details": PayoutDetails.from_card(BankCard(number="4242424242424242")),
                "amount_details": AMOUNT,
                "customer": Customer(reference="user-1"),
                "metadata": "order-1",
            },
            b'{"session_id":"ps_3230","fiscalization_details":'
            + W_DETAILS
            + b',"payment_method":{"type":"card","card":{"type":"bank_card",'
            b'"bank_card":{"number":"4242424242424242"}}},'
            b'"amount_details":{"amount":10000,"currency":"rub"},'
            b'"customer":{"reference":"user-1"},"metadata":"order-1"}',
            id="full",
        ),
    ],
)
@pytest.mark.parametrize("version", ["v1", "v2"])
async def test_create_wire_and_parse(
    kwargs: dict[str, Any], body: bytes, version: str, partner_key: rsa.RSAPrivateKey
) -> None:
    session = await call_checked(
        partner_key,
        "POST",
        PATH,
        ANSWER,
        lambda b: b.fiscalization.create("ps_3230", **kwargs),
        body=body,
        api_version=version,
    )
    assert session.id == "ps_3230"
    assert session.status is SessionStatus.IN_PROGRESS
    (payout,) = session.payout_list
    assert payout.fiscalization_details is not None
    taxpayer = payout.fiscalization_details.professional_income_taxpayer
    assert taxpayer is not None
    assert taxpayer.receipt == FiscalizationReceipt(
        id="20abcd1234", link="https://lknpd.nalog.ru/r/1"
    )


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"fiscalization_details": DETAILS, "amount_details": PRICE}, "add up to 10000"),
        (
            {
                "fiscalization_details": _details(
                    FiscalizationService(name="x", amount_details=PRICE), inn="1234567890"
                )
            },
            "12 digits",
        ),
        ({"fiscalization_details": _details()}, "1 to 6 services"),
        (
            {
                "fiscalization_details": _details(
                    *[FiscalizationService(name=str(i), amount_details=PRICE) for i in range(7)]
                )
            },
            "1 to 6 services",
        ),
        ({"fiscalization_details": FiscalizationDetails()}, "professional_income_taxpayer"),
        (
            {
                "fiscalization_details": DETAILS,
                "amount_details": AmountDetails(amount=0, currency="rub"),
            },
            "positive",
        ),
        (
            {
                "fiscalization_details": DETAILS,
                "payout_details": PayoutDetails(card=None),
            },
            "payout_details.type",
        ),
    ],
)
async def test_validation_sends_nothing(
    kwargs: dict[str, Any], match: str, partner_key: rsa.RSAPrivateKey
) -> None:
    await assert_not_sent(partner_key, lambda b: b.fiscalization.create("ps_3230", **kwargs), match)


async def test_session_id_is_required(partner_key: rsa.RSAPrivateKey) -> None:
    await assert_not_sent(
        partner_key,
        lambda b: b.fiscalization.create("", fiscalization_details=DETAILS),
        "session_id",
    )
