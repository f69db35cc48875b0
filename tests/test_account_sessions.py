"""Wire and parse tests for ``bank.nominal`` (escrow) and ``bank.rko`` (settlement) sessions."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
import respx
from cryptography.hazmat.primitives.asymmetric import rsa

from bank131_async import AsyncBank131
from bank131_async.errors import IdempotencyConflictError
from bank131_async.models import (
    AmountDetails,
    CardDetails,
    ConfirmInformation,
    Customer,
    NextAction,
    OperationStatus,
    Participant,
    ParticipantDetails,
    Payout,
    PayoutDetails,
    PayoutDetailsType,
    Session,
    SessionStatus,
    TransferDetails,
    TransferParticipant,
)
from bank131_async.resources import account_sessions
from bank131_async.resources.account_sessions import _AccountSessionsResource
from tests.helpers import make_client
from tests.payouts import ACCOUNT_RU, ESCROW, MIR_CARD
from tests.resource_wire import BASE_URL, assert_not_sent, call_checked, call_once

pytestmark = pytest.mark.asyncio

AMOUNT = AmountDetails(amount=10_000, currency="rub")
BENEFICIARY = "500100732259"
ACCOUNT_PARTIES = ParticipantDetails(
    sender=Participant(account=ESCROW), recipient=Participant(beneficiary_id=BENEFICIARY)
)
CARD_PARTIES = ParticipantDetails(
    sender=Participant(full_name="OOO Romashka", beneficiary_id=BENEFICIARY),
    recipient=Participant(full_name="Ivan Ivanov"),
)

W_ACCOUNT = (
    b'{"type":"bank_account","bank_account":{"system_type":"ru","ru":{"bik":"044525974",'
    b'"account":"40817810000000000001","full_name":"Ivanov Ivan",'
    b'"description":"Payout under contract 15"}}}'
)
W_CARD = b'{"type":"card","card":{"type":"bank_card","bank_card":{"number":"2200000000004940"}}}'
W_AMOUNT = b'{"amount":10000,"currency":"rub"}'
W_ACCOUNT_PARTIES = (
    b'{"sender":{"account":"40702810000000000001"},"recipient":{"beneficiary_id":"500100732259"}}'
)
W_CARD_PARTIES = (
    b'{"sender":{"full_name":"OOO Romashka","beneficiary_id":"500100732259"},'
    b'"recipient":{"full_name":"Ivan Ivanov"}}'
)


def _internal(kind: str, text: str) -> bytes:
    return (
        b'{"type":"internal_transfer","internal_transfer":{"type":"'
        + kind.encode()
        + b'","'
        + kind.encode()
        + b'":{"description":"'
        + text.encode()
        + b'"}}}'
    )


#: A v1 answer at ready_to_confirm, with confirm_information beside the session.
ANSWER = json.dumps(
    {
        "status": "ok",
        "session": {
            "id": "ps_7",
            "status": "in_progress",
            "next_action": "confirm",
            "payments": [
                {
                    "id": "po_7",
                    "status": "pending",
                    "payment_method": {"type": "card", "card": {"brand": "mir", "last4": "4940"}},
                    "amount_details": {"amount": 10000, "currency": "rub"},
                }
            ],
        },
        "confirm_information": {
            "transfer_details": {
                "payment_method": {"type": "card", "card": {"brand": "mir", "last4": "4940"}},
                "customer": {"account_number": ESCROW, "name": "OOO Romashka"},
                "purpose": "Payout; card:220000******4940",
                "amount": {"amount": 10000, "currency": "rub"},
            }
        },
    }
).encode()
MIR = PayoutDetails(type=PayoutDetailsType.CARD, card=CardDetails(brand="mir", last4="4940"))
EXPECTED = Session(
    id="ps_7",
    status=SessionStatus.IN_PROGRESS,
    next_action=NextAction.CONFIRM,
    payout_list=(
        Payout(
            id="po_7", status=OperationStatus.PENDING, payout_details=MIR, amount_details=AMOUNT
        ),
    ),
    confirm_information=ConfirmInformation(
        transfer_details=TransferDetails(
            payout_details=MIR,
            customer=TransferParticipant(account_number=ESCROW, name="OOO Romashka"),
            purpose="Payout; card:220000******4940",
            amount=AMOUNT,
        )
    ),
)

Call = Callable[[_AccountSessionsResource, dict[str, Any]], Awaitable[Session]]


def _cases(kind: str) -> list[tuple[str, Call, Callable[[str], bytes]]]:
    """(method path, call, body for the internal-transfer type of the kind)."""
    return [
        ("create", lambda r, k: r.create(**k), lambda t: b"{}"),
        (
            "create",
            lambda r, k: r.create(
                payout_details=ACCOUNT_RU,
                amount_details=AMOUNT,
                participant_details=ACCOUNT_PARTIES,
                metadata={"order": 15},
                **k,
            ),
            lambda t: (
                b'{"payment_method":'
                + W_ACCOUNT
                + b',"amount_details":'
                + W_AMOUNT
                + b',"participant_details":'
                + W_ACCOUNT_PARTIES
                + b',"metadata":{"order":15}}'
            ),
        ),
        (
            "init/payout",
            lambda r, k: r.init_payout(
                payout_details=ACCOUNT_RU,
                amount_details=AMOUNT,
                participant_details=ACCOUNT_PARTIES,
                customer=Customer(reference="user-1"),
                **k,
            ),
            lambda t: (
                b'{"payment_method":'
                + W_ACCOUNT
                + b',"amount_details":'
                + W_AMOUNT
                + b',"participant_details":'
                + W_ACCOUNT_PARTIES
                + b',"customer":{"reference":"user-1"}}'
            ),
        ),
        (
            "start/payout",
            lambda r, k: r.start_payout("ps_7", amount_details=AMOUNT, **k),
            lambda t: b'{"session_id":"ps_7","amount_details":' + W_AMOUNT + b"}",
        ),
        (
            "multi/create",
            lambda r, k: r.multi_create(description="Escrow payout", **k),
            lambda t: b'{"payment_details":' + _internal(t, "Escrow payout") + b"}",
        ),
        (
            "multi/init/payment",
            lambda r, k: r.multi_init_payment(
                payout_details=MIR_CARD,
                amount_details=AMOUNT,
                participant_details=CARD_PARTIES,
                description="Payout under contract 15",
                customer=Customer(reference="user-1"),
                **k,
            ),
            lambda t: (
                b'{"payment_details":'
                + _internal(t, "Payout under contract 15")
                + b',"payment_method":'
                + W_CARD
                + b',"amount_details":'
                + W_AMOUNT
                + b',"participant_details":'
                + W_CARD_PARTIES
                + b',"customer":{"reference":"user-1"}}'
            ),
        ),
        (
            "multi/start/payment",
            lambda r, k: r.multi_start_payment(
                "ps_7", payout_details=MIR_CARD, participant_details=CARD_PARTIES, **k
            ),
            lambda t: (
                b'{"session_id":"ps_7","payment_method":'
                + W_CARD
                + b',"participant_details":'
                + W_CARD_PARTIES
                + b"}"
            ),
        ),
    ]


KINDS = {"nominal": "transfer_from_nominal_account", "rko": "transfer_from_bank_account"}
CASES = [
    pytest.param(kind, path, call, body(transfer), id=f"{kind}-{path}-{i}")
    for kind, transfer in KINDS.items()
    for i, (path, call, body) in enumerate(_cases(kind))
]


def _resource(bank: AsyncBank131, kind: str) -> _AccountSessionsResource:
    return bank.nominal if kind == "nominal" else bank.rko


def test_endpoints_are_declared() -> None:
    paths = [
        (e.path, e.version, e.read_only, e.sends_idempotency_key)
        for e in account_sessions.ENDPOINTS
    ]
    expected = [
        (f"session/{m}/{kind}", "v1", False, True)
        for kind in ("nominal", "rko")
        for m in (
            "create",
            "init/payout",
            "start/payout",
            "multi/create",
            "multi/init/payment",
            "multi/start/payment",
        )
    ]
    assert paths == expected


@pytest.mark.parametrize("key", ["order-15", None], ids=["own-key", "generated-key"])
@pytest.mark.parametrize(("kind", "path", "call", "body"), CASES)
async def test_wire_and_parse(
    kind: str, path: str, call: Call, body: bytes, key: str | None, partner_key: rsa.RSAPrivateKey
) -> None:
    url = f"{BASE_URL}/api/v1/session/{path}/{kind}"
    kwargs = {} if key is None else {"idempotency_key": key}
    session = await call_checked(
        partner_key,
        "POST",
        url,
        ANSWER,
        lambda b: call(_resource(b, kind), kwargs),
        body=body,
        idempotency_key=key if key is not None else True,
    )
    assert session == EXPECTED


async def test_v1_paths_and_keys_even_when_the_client_uses_v2(
    partner_key: rsa.RSAPrivateKey,
) -> None:
    url = f"{BASE_URL}/api/v1/session/init/payout/rko"
    _, request = await call_once(
        partner_key,
        "POST",
        url,
        ANSWER,
        lambda b: b.rko.init_payout(
            payout_details=ACCOUNT_RU,
            amount_details=AMOUNT,
            participant_details=ParticipantDetails(sender=Participant(account=ESCROW)),
        ),
        api_version="v2",
    )
    assert b'"payment_method":' in request.content
    assert b"payout_details" not in request.content


def test_every_method_has_a_wire_case() -> None:
    public = {
        n
        for n in dir(_AccountSessionsResource)
        if not n.startswith("_") and callable(getattr(_AccountSessionsResource, n))
    }
    assert public == {
        "create", "init_payout", "start_payout", "multi_create", "multi_init_payment",
        "multi_start_payment",
    }  # fmt: skip
    assert {path for path, _, _ in _cases("nominal")} == {
        e.path.removeprefix("session/").removesuffix("/nominal")
        for e in account_sessions.ENDPOINTS
        if e.path.endswith("/nominal")
    }


# --------------------------------------------------------------------------- validation

NO_SENDER = ParticipantDetails(recipient=Participant(beneficiary_id=BENEFICIARY))


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (
            lambda b: b.nominal.init_payout(
                payout_details=ACCOUNT_RU, amount_details=AMOUNT, participant_details=NO_SENDER
            ),
            "sender.account",
        ),
        (
            lambda b: b.rko.init_payout(
                payout_details=ACCOUNT_RU,
                amount_details=AMOUNT,
                participant_details=ParticipantDetails(sender=Participant(account="4070281")),
            ),
            "20 digits",
        ),
        (
            lambda b: b.nominal.init_payout(
                payout_details=ACCOUNT_RU,
                amount_details=AMOUNT,
                participant_details=ParticipantDetails(sender=Participant(account=ESCROW)),
            ),
            "beneficiary",
        ),
        (
            lambda b: b.nominal.init_payout(
                payout_details=ACCOUNT_RU,
                amount_details=AMOUNT,
                participant_details=ParticipantDetails(
                    sender=Participant(account=ESCROW),
                    recipient=Participant(beneficiary_id="12345"),
                ),
            ),
            "beneficiary_id",
        ),
        (
            lambda b: b.rko.init_payout(
                payout_details=ACCOUNT_RU,
                amount_details=AmountDetails(amount=0, currency="rub"),
                participant_details=ACCOUNT_PARTIES,
            ),
            "positive",
        ),
        (
            lambda b: b.rko.multi_init_payment(
                payout_details=ACCOUNT_RU,
                amount_details=AMOUNT,
                participant_details=CARD_PARTIES,
                description="x",
            ),
            "cards",
        ),
        (
            lambda b: b.rko.multi_init_payment(
                payout_details=MIR_CARD,
                amount_details=AMOUNT,
                participant_details=ParticipantDetails(sender=Participant(full_name="OOO")),
                description="x",
            ),
            "recipient's name",
        ),
        (
            lambda b: b.rko.multi_init_payment(
                payout_details=MIR_CARD,
                amount_details=AMOUNT,
                participant_details=CARD_PARTIES,
                description=" ",
            ),
            "description",
        ),
        (
            lambda b: b.nominal.multi_init_payment(
                payout_details=MIR_CARD,
                amount_details=AMOUNT,
                participant_details=ParticipantDetails(
                    recipient=Participant(full_name="Ivan Ivanov")
                ),
                description="x",
            ),
            "beneficiary",
        ),
        (lambda b: b.nominal.start_payout(""), "session_id"),
        (lambda b: b.rko.multi_start_payment(" "), "session_id"),
    ],
)
async def test_validation_sends_nothing(
    call: Callable[[AsyncBank131], Awaitable[Any]], match: str, partner_key: rsa.RSAPrivateKey
) -> None:
    await assert_not_sent(partner_key, call, match)


async def test_a_conflict_on_a_retry_returns_the_session_state(
    partner_key: rsa.RSAPrivateKey,
) -> None:
    conflict = {
        "status": "error",
        "error": {"code": "idempotency_key_already_exists", "description": "processed"},
    }
    url = f"{BASE_URL}/api/v1/session/start/payout/nominal"
    async with make_client(partner_key, max_retries=2) as bank:
        with respx.mock() as router:
            start = router.post(url).mock(
                side_effect=[httpx.ReadTimeout("lost"), httpx.Response(409, json=conflict)]
            )
            status = router.post(f"{BASE_URL}/api/v2/session/status").mock(
                return_value=httpx.Response(200, content=ANSWER)
            )
            session = await bank.nominal.start_payout("ps_7", idempotency_key="k-1")
    assert start.call_count == 2
    assert {c.request.headers["X-PARTNER-IDEMPOTENCY-KEY"] for c in start.calls} == {"k-1"}
    assert status.call_count == 1
    assert session == EXPECTED


async def test_a_conflict_on_the_first_attempt_surfaces(partner_key: rsa.RSAPrivateKey) -> None:
    conflict = {"status": "error", "error": {"code": "idempotency_key_already_exists"}}
    async with make_client(partner_key) as bank:
        with respx.mock() as router:
            router.post(f"{BASE_URL}/api/v1/session/start/payout/rko").mock(
                return_value=httpx.Response(409, json=conflict)
            )
            with pytest.raises(IdempotencyConflictError):
                await bank.rko.start_payout("ps_7", idempotency_key="reused")
