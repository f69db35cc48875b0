"""Wire and parse tests for ``bank.fps``: fps/banks (GET, body ``[]``), fps/customer_verification
(v1 ``payment_method`` / v2 ``payout_details``)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from bank131_async.models import (
    BankAccountType,
    FpsBank,
    OperationStatus,
    Participant,
    ParticipantDetails,
    PayoutDetailsType,
    SessionStatus,
)
from bank131_async.resources import fps
from tests.resource_wire import assert_not_sent, call_checked, call_once, ok

pytestmark = pytest.mark.asyncio

VERSIONS = pytest.mark.parametrize("version", ["v1", "v2"])


def test_endpoints_are_declared() -> None:
    banks, verification = fps.ENDPOINTS
    assert (banks.path, banks.method, banks.read_only, banks.version) == (
        "fps/banks",
        "GET",
        True,
        None,
    )
    assert (verification.path, verification.method, verification.version) == (
        "fps/customer_verification",
        "POST",
        None,
    )
    assert not verification.read_only
    assert not verification.sends_idempotency_key


@VERSIONS
async def test_banks_wire_and_parse(version: str, partner_key: rsa.RSAPrivateKey) -> None:
    answer = ok(
        banks=[
            {"id": "100000000069", "eng_name": "Bank 131", "ru_name": "Банк 131"},
            {"id": "100000000111", "eng_name": "Sberbank", "ru_name": "Сбербанк", "x": 1},
        ]
    )
    # What the official SDK sends: an empty PHP request object is the two bytes "[]", signed.
    result = await call_checked(
        partner_key,
        "GET",
        f"/api/{version}/fps/banks",
        answer,
        lambda b: b.fps.banks(),
        body=b"[]",
        api_version=version,
    )
    assert result == (
        FpsBank(id="100000000069", eng_name="Bank 131", ru_name="Банк 131"),
        FpsBank(id="100000000111", eng_name="Sberbank", ru_name="Сбербанк"),
    )


RECIPIENT = ParticipantDetails(
    recipient=Participant(first_name="Иван", last_name="Иванов", middle_name="Иванович")
)
W_RECIPIENT = '{"recipient":{"first_name":"Иван","last_name":"Иванов","middle_name":"Иванович"}}'
W_METHOD = (
    '{"type":"bank_account","bank_account":{"system_type":"faster_payment_system_verification",'
    '"faster_payment_system_verification":{"phone":"79001234567","bank_id":"100000000111"}}}'
)


def _answer(version: str, status: str) -> bytes:
    key = "payment_method" if version == "v1" else "payout_details"
    payouts = "payments" if version == "v1" else "payout_list"
    return ok(
        session={
            "id": "ps_3230",
            "status": status,
            "created_at": "2024-03-01T10:00:00.000000Z",
            payouts: [
                {
                    "id": "po_1313",
                    "status": "succeeded" if status == "accepted" else "in_progress",
                    key: json.loads(W_METHOD),
                    "amount_details": {"amount": 0, "currency": "rub"},
                    "participant_details": json.loads(W_RECIPIENT),
                }
            ],
        }
    )


@VERSIONS
@pytest.mark.parametrize("session_id", [None, "ps_3230"], ids=["no-session", "session"])
async def test_customer_verification_wire_and_parse(
    version: str, session_id: str | None, partner_key: rsa.RSAPrivateKey
) -> None:
    path = f"/api/{version}/fps/customer_verification"
    kwargs: dict[str, Any] = {} if session_id is None else {"session_id": session_id}
    key = "payment_method" if version == "v1" else "payout_details"
    prefix = "" if session_id is None else f'"session_id":"{session_id}",'
    body = f'{{{prefix}"{key}":{W_METHOD},"participant_details":{W_RECIPIENT}}}'.encode()
    session = await call_checked(
        partner_key,
        "POST",
        path,
        _answer(version, "accepted"),
        lambda b: b.fps.customer_verification(
            phone="79001234567",
            bank_id="100000000111",
            participant_details=RECIPIENT,
            **kwargs,
        ),
        body=body,
        api_version=version,
    )
    assert session.id == "ps_3230"
    assert session.status is SessionStatus.ACCEPTED
    (payout,) = session.payout_list
    assert payout.status is OperationStatus.SUCCEEDED
    assert payout.payout_details is not None
    assert payout.payout_details.type is PayoutDetailsType.BANK_ACCOUNT
    account = payout.payout_details.bank_account
    assert account is not None
    assert account.system_type is BankAccountType.FASTER_PAYMENT_SYSTEM_VERIFICATION


async def test_with_options_switches_fps_version(partner_key: rsa.RSAPrivateKey) -> None:
    _, request = await call_once(
        partner_key,
        "GET",
        "/api/v1/fps/banks",
        ok(banks=[]),
        lambda b: b.with_options(api_version="v1").fps.banks(),
    )
    assert request.url.path == "/api/v1/fps/banks"


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"phone": "+7 900 123-45-67"}, "phone must be a string of digits"),
        ({"bank_id": ""}, "bank_id"),
        ({"participant_details": ParticipantDetails()}, "recipient"),
        ({"session_id": ""}, "session_id"),
    ],
)
async def test_customer_verification_validation_sends_nothing(
    kwargs: dict[str, Any], match: str, partner_key: rsa.RSAPrivateKey
) -> None:
    args: dict[str, Any] = {
        "phone": "79001234567",
        "bank_id": "100000000111",
        "participant_details": RECIPIENT,
        **kwargs,
    }
    await assert_not_sent(partner_key, lambda b: b.fps.customer_verification(**args), match)
