"""Wire tests for every ``bank.sessions`` method: path, headers, exact bytes, signature, result."""

from __future__ import annotations

import json
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import attrs
import httpx
import pytest
import respx
from cryptography.hazmat.primitives.asymmetric import rsa

from bank131_async.errors import (
    ApiError,
    BankInternalError,
    IdempotencyConflictError,
    InvalidRequestError,
    RequestValidationError,
    ResponseDecodeError,
    SessionWrongStateError,
)
from bank131_async.models import (
    AcquiringPayment,
    AmountDetails,
    BankCard,
    CardDetails,
    ConfirmInformation,
    Contact,
    Customer,
    FiscalizationDetails,
    FiscalizationService,
    InternalTransfer,
    InternalTransferDescription,
    MultiPaymentItem,
    MultiPayoutItem,
    NextAction,
    OperationStatus,
    Participant,
    ParticipantDetails,
    PaymentDetails,
    PaymentDetailsType,
    PaymentOptions,
    Payout,
    PayoutDetails,
    PayoutDetailsType,
    ProfessionalIncomeTaxpayer,
    Session,
    SessionStatus,
    TransferDetails,
    TransferParticipant,
)
from bank131_async.resources.sessions import SessionsResource
from tests.helpers import BASE_URL, make_client, verify_signature

# --------------------------------------------------------------------------- request inputs

CARD = PayoutDetails.from_card(BankCard(number="4242424242424242"))
ACCOUNT = PayoutDetails.from_bank_account_ru(
    bik="044525974",
    account="40817810000000000001",
    full_name="Иванов Иван",
    description="Оплата по договору 15",
)
FPS = PayoutDetails.from_fps(phone="79001234567", bank_id="100000000004", description="Payout")
AMOUNT = AmountDetails(amount=10_000, currency="rub")
HALF = AmountDetails(amount=5_000, currency="rub")
RECIPIENT = ParticipantDetails(recipient=Participant(full_name="Ivan Ivanov"))
CUSTOMER = Customer(reference="user-1", contacts=(Contact(email="a@example.com"),))
FISCAL = FiscalizationDetails(
    professional_income_taxpayer=ProfessionalIncomeTaxpayer(
        tax_reference="123456789012",
        services=(FiscalizationService(name="Design", amount_details=HALF, quantity=2),),
    )
)
PAY_CARD = PaymentDetails.from_card(
    BankCard(
        number="4242424242424242", expiration_month="12", expiration_year="30", security_code="123"
    )
)
INTERNAL = PaymentDetails(
    type=PaymentDetailsType.INTERNAL_TRANSFER,
    internal_transfer=InternalTransfer(
        type="transfer_from_nominal_account",
        transfer_from_nominal_account=InternalTransferDescription(description="Escrow payout"),
    ),
)
CONFIRM_INFO = ConfirmInformation(
    transfer_details=TransferDetails(
        payout_details=PayoutDetails(
            type=PayoutDetailsType.CARD, card=CardDetails(brand="mir", last4="4940")
        ),
        customer=TransferParticipant(account_number="40702810000000000001", name="OOO R"),
        purpose="Payout; card:220024******4940",
        amount=AMOUNT,
    )
)

# Wire fragments of the inputs above (bytes are the contract; these keep the table readable).
W_CARD = b'{"type":"card","card":{"type":"bank_card","bank_card":{"number":"4242424242424242"}}}'
W_ACCOUNT = (
    '{"type":"bank_account","bank_account":{"system_type":"ru","ru":{"bik":"044525974",'
    '"account":"40817810000000000001","full_name":"Иванов Иван",'
    '"description":"Оплата по договору 15"}}}'
).encode()
W_FPS = (
    b'{"type":"bank_account","bank_account":{"system_type":"faster_payment_system",'
    b'"faster_payment_system":{"phone":"79001234567","bank_id":"100000000004",'
    b'"description":"Payout"}}}'
)
W_AMOUNT = b'{"amount":10000,"currency":"rub"}'
W_HALF = b'{"amount":5000,"currency":"rub"}'
W_RECIPIENT = b'{"recipient":{"full_name":"Ivan Ivanov"}}'
W_CUSTOMER = b'{"reference":"user-1","contacts":[{"email":"a@example.com"}]}'
W_FISCAL = (
    b'{"professional_income_taxpayer":{"tax_reference":"123456789012","services":'
    b'[{"name":"Design","amount_details":{"amount":5000,"currency":"rub"},"quantity":2}]}}'
)
W_PAY_CARD = (
    b'{"type":"card","card":{"type":"bank_card","bank_card":{"number":"4242424242424242",'
    b'"expiration_month":"12","expiration_year":"30","security_code":"123"}}}'
)
W_INTERNAL = (
    b'{"type":"internal_transfer","internal_transfer":{"type":"transfer_from_nominal_account",'
    b'"transfer_from_nominal_account":{"description":"Escrow payout"}}}'
)
W_INFO_CARD = b'{"type":"card","card":{"brand":"mir","last4":"4940"}}'
W_INFO_REST = (
    b'"customer":{"account_number":"40702810000000000001","name":"OOO R"},'
    b'"purpose":"Payout; card:220024******4940","amount":{"amount":10000,"currency":"rub"}'
)

# --------------------------------------------------------------------------- responses

#: The session every mocked call answers with, in both spellings, and what it must parse into.
ANSWER_V2: dict[str, Any] = {
    "id": "ps_1",
    "status": "in_progress",
    "created_at": "2024-01-02T03:04:05.123456Z",
    "next_action": "confirm",
    "payout_list": [
        {
            "id": "po_1",
            "status": "pending",
            "payout_details": {"type": "card", "card": {"brand": "visa", "last4": "4242"}},
            "amount_details": {"amount": 10000, "currency": "rub"},
            "unknown_field": {"x": 1},
        }
    ],
    "payment_list": [
        {
            "id": "pm_1",
            "status": "in_progress",
            "amount_details": {"amount": 10000, "currency": "rub"},
        }
    ],
    "unknown_field": [1, 2],
}
ANSWER_V1: dict[str, Any] = {
    "id": "ps_1",
    "status": "in_progress",
    "created_at": "2024-01-02T03:04:05.123456Z",
    "next_action": "confirm",
    "payments": [
        {
            "id": "po_1",
            "status": "pending",
            "payment_method": {"type": "card", "card": {"brand": "visa", "last4": "4242"}},
            "amount_details": {"amount": 10000, "currency": "rub"},
        }
    ],
    "acquiring_payments": [
        {
            "id": "pm_1",
            "status": "in_progress",
            "amount_details": {"amount": 10000, "currency": "rub"},
        }
    ],
}
EXPECTED = Session(
    id="ps_1",
    status=SessionStatus.IN_PROGRESS,
    created_at=datetime(2024, 1, 2, 3, 4, 5, 123456, tzinfo=UTC),
    next_action=NextAction.CONFIRM,
    payout_list=(
        Payout(
            id="po_1",
            status=OperationStatus.PENDING,
            payout_details=PayoutDetails(
                type=PayoutDetailsType.CARD, card=CardDetails(brand="visa", last4="4242")
            ),
            amount_details=AMOUNT,
        ),
    ),
    payment_list=(
        AcquiringPayment(id="pm_1", status=OperationStatus.IN_PROGRESS, amount_details=AMOUNT),
    ),
)
#: ``confirm_information`` beside the session in the envelope (v2 / v1 spelling).
ENVELOPE_INFO_V2 = {
    "transfer_details": {
        "payout_details": {"type": "card", "card": {"brand": "mir", "last4": "4940"}},
        "purpose": "p",
    }
}
ENVELOPE_INFO_V1 = {
    "transfer_details": {
        "payment_method": {"type": "card", "card": {"brand": "mir", "last4": "4940"}},
        "purpose": "p",
    }
}
EXPECTED_INFO = ConfirmInformation(
    transfer_details=TransferDetails(
        payout_details=PayoutDetails(
            type=PayoutDetailsType.CARD, card=CardDetails(brand="mir", last4="4940")
        ),
        purpose="p",
    )
)

# --------------------------------------------------------------------------- the table

Call = Callable[[SessionsResource, dict[str, Any]], Awaitable[Session]]


@attrs.frozen
class Case:
    id: str
    path: str
    call: Call
    v2: bytes
    #: The v1 body, when it differs from v2.
    v1: bytes | None = None
    mutating: bool = True
    #: The path ignores api_version (session/multi/init exists in v2 only).
    v2_only: bool = False
    envelope_info: bool = False


CASES = [
    Case("create-empty", "session/create", lambda s, k: s.create(**k), b"{}"),
    Case(
        "create-payout",
        "session/create",
        lambda s, k: s.create(
            payout_details=CARD,
            amount_details=AMOUNT,
            participant_details=RECIPIENT,
            metadata="order-1",
            **k,
        ),
        b'{"payout_details":'
        + W_CARD
        + b',"amount_details":'
        + W_AMOUNT
        + b',"participant_details":'
        + W_RECIPIENT
        + b',"metadata":"order-1"}',
        b'{"payment_method":'
        + W_CARD
        + b',"amount_details":'
        + W_AMOUNT
        + b',"participant_details":'
        + W_RECIPIENT
        + b',"metadata":"order-1"}',
    ),
    Case(
        "create-payment",
        "session/create",
        lambda s, k: s.create(
            payment_details=PAY_CARD,
            amount_details=AMOUNT,
            customer=CUSTOMER,
            payment_options=PaymentOptions(return_url="https://shop.example/r"),
            **k,
        ),
        b'{"payment_details":'
        + W_PAY_CARD
        + b',"amount_details":'
        + W_AMOUNT
        + b',"customer":'
        + W_CUSTOMER
        + b',"payment_options":{"return_url":"https://shop.example/r"}}',
    ),
    Case(
        "init-payout",
        "session/init/payout",
        lambda s, k: s.init_payout(
            payout_details=CARD,
            amount_details=AMOUNT,
            participant_details=RECIPIENT,
            customer=Customer(reference="user-1"),
            metadata={"order": 1, "note": "Заказ"},
            **k,
        ),
        b'{"payout_details":'
        + W_CARD
        + b',"amount_details":'
        + W_AMOUNT
        + b',"participant_details":'
        + W_RECIPIENT
        + b',"customer":{"reference":"user-1"},'
        + '"metadata":{"order":1,"note":"Заказ"}}'.encode(),
        b'{"payment_method":'
        + W_CARD
        + b',"amount_details":'
        + W_AMOUNT
        + b',"participant_details":'
        + W_RECIPIENT
        + b',"customer":{"reference":"user-1"},'
        + '"metadata":{"order":1,"note":"Заказ"}}'.encode(),
    ),
    Case(
        "init-payout-fiscalization",
        "session/init/payout/fiscalization",
        lambda s, k: s.init_payout_with_fiscalization(
            payout_details=ACCOUNT, amount_details=AMOUNT, fiscalization_details=FISCAL, **k
        ),
        b'{"payout_details":'
        + W_ACCOUNT
        + b',"amount_details":'
        + W_AMOUNT
        + b',"fiscalization_details":'
        + W_FISCAL
        + b"}",
        b'{"payment_method":'
        + W_ACCOUNT
        + b',"amount_details":'
        + W_AMOUNT
        + b',"fiscalization_details":'
        + W_FISCAL
        + b"}",
    ),
    Case(
        "start-payout",
        "session/start/payout",
        lambda s, k: s.start_payout("ps_1", payout_details=FPS, amount_details=AMOUNT, **k),
        b'{"session_id":"ps_1","payout_details":' + W_FPS + b',"amount_details":' + W_AMOUNT + b"}",
        b'{"session_id":"ps_1","payment_method":' + W_FPS + b',"amount_details":' + W_AMOUNT + b"}",
    ),
    Case(
        "start-payout-bare",
        "session/start/payout",
        lambda s, k: s.start_payout("ps_1", **k),
        b'{"session_id":"ps_1"}',
    ),
    Case(
        "start-payout-fiscalization",
        "session/start/payout/fiscalization",
        lambda s, k: s.start_payout_with_fiscalization("ps_1", fiscalization_details=FISCAL, **k),
        b'{"session_id":"ps_1","fiscalization_details":' + W_FISCAL + b"}",
    ),
    Case(
        "start-payout-fiscalization-full",
        "session/start/payout/fiscalization",
        lambda s, k: s.start_payout_with_fiscalization(
            "ps_1",
            fiscalization_details=FISCAL,
            payout_details=CARD,
            amount_details=AMOUNT,
            participant_details=RECIPIENT,
            **k,
        ),
        b'{"session_id":"ps_1","payout_details":'
        + W_CARD
        + b',"amount_details":'
        + W_AMOUNT
        + b',"participant_details":'
        + W_RECIPIENT
        + b',"fiscalization_details":'
        + W_FISCAL
        + b"}",
        b'{"session_id":"ps_1","payment_method":'
        + W_CARD
        + b',"amount_details":'
        + W_AMOUNT
        + b',"participant_details":'
        + W_RECIPIENT
        + b',"fiscalization_details":'
        + W_FISCAL
        + b"}",
    ),
    Case(
        "init-payment",
        "session/init/payment",
        lambda s, k: s.init_payment(
            payment_details=PAY_CARD,
            amount_details=AMOUNT,
            customer=CUSTOMER,
            payment_options=PaymentOptions(return_url="https://shop.example/r", recurrent=True),
            metadata="m",
            payment_metadata={"device_session_id": "d1"},
            **k,
        ),
        b'{"payment_details":'
        + W_PAY_CARD
        + b',"amount_details":'
        + W_AMOUNT
        + b',"customer":'
        + W_CUSTOMER
        + b',"payment_options":{"return_url":"https://shop.example/r",'
        + b'"recurrent":true},"metadata":"m","payment_metadata":{"device_session_id":"d1"}}',
    ),
    Case(
        "start-payment",
        "session/start/payment",
        lambda s, k: s.start_payment(
            "ps_1", payment_details=PaymentDetails.from_fps(), amount_details=AMOUNT, **k
        ),
        b'{"session_id":"ps_1","payment_details":{"type":"faster_payment_system",'
        + b'"faster_payment_system":{}},"amount_details":'
        + W_AMOUNT
        + b"}",
    ),
    Case(
        "multi-init",
        "session/multi/init",
        lambda s, k: s.multi_init(
            payment_list=[
                MultiPaymentItem(payment_details=INTERNAL, amount_details=AMOUNT, customer=CUSTOMER)
            ],
            payout_list=[
                MultiPayoutItem(
                    payout_details=CARD, amount_details=AMOUNT, participant_details=RECIPIENT
                )
            ],
            **k,
        ),
        b'{"payment_list":[{"payment_details":'
        + W_INTERNAL
        + b',"amount_details":'
        + W_AMOUNT
        + b',"customer":'
        + W_CUSTOMER
        + b'}],"payout_list":[{"payout_details":'
        + W_CARD
        + b',"amount_details":'
        + W_AMOUNT
        + b',"participant_details":'
        + W_RECIPIENT
        + b"}]}",
        v2_only=True,
    ),
    Case(
        "confirm", "session/confirm", lambda s, k: s.confirm("ps_1", **k), b'{"session_id":"ps_1"}'
    ),
    Case(
        "confirm-information",
        "session/confirm",
        lambda s, k: s.confirm("ps_1", confirm_information=CONFIRM_INFO, **k),
        b'{"session_id":"ps_1","confirm_information":{"transfer_details":{"payout_details":'
        + W_INFO_CARD
        + b","
        + W_INFO_REST
        + b"}}}",
        b'{"session_id":"ps_1","confirm_information":{"transfer_details":{"payment_method":'
        + W_INFO_CARD
        + b","
        + W_INFO_REST
        + b"}}}",
        envelope_info=True,
    ),
    Case("cancel", "session/cancel", lambda s, k: s.cancel("ps_1", **k), b'{"session_id":"ps_1"}'),
    Case(
        "cancel-information",
        "session/cancel",
        lambda s, k: s.cancel("ps_1", confirm_information=CONFIRM_INFO, **k),
        b'{"session_id":"ps_1","confirm_information":{"transfer_details":{"payout_details":'
        + W_INFO_CARD
        + b","
        + W_INFO_REST
        + b"}}}",
        b'{"session_id":"ps_1","confirm_information":{"transfer_details":{"payment_method":'
        + W_INFO_CARD
        + b","
        + W_INFO_REST
        + b"}}}",
    ),
    Case(
        "capture", "session/capture", lambda s, k: s.capture("ps_1", **k), b'{"session_id":"ps_1"}'
    ),
    Case(
        "capture-amount",
        "session/capture",
        lambda s, k: s.capture("ps_1", amount_details=HALF, **k),
        b'{"session_id":"ps_1","amount_details":' + W_HALF + b"}",
    ),
    Case("refund", "session/refund", lambda s, k: s.refund("ps_1", **k), b'{"session_id":"ps_1"}'),
    Case(
        "refund-amount",
        "session/refund",
        lambda s, k: s.refund("ps_1", amount_details=HALF, metadata="partial", **k),
        b'{"session_id":"ps_1","amount_details":' + W_HALF + b',"metadata":"partial"}',
    ),
    Case(
        "chargeback",
        "session/chargeback",
        lambda s, k: s.chargeback("ps_1", **k),
        b'{"session_id":"ps_1"}',
    ),
    Case(
        "status",
        "session/status",
        lambda s, k: s.status("ps_1"),
        b'{"session_id":"ps_1"}',
        mutating=False,
    ),
]

CASE_PARAMS = [pytest.param(c, id=c.id) for c in CASES]


def _answer(case: Case, version: str) -> bytes:
    v1 = version == "v1" and not case.v2_only
    envelope: dict[str, Any] = {"status": "ok", "session": ANSWER_V1 if v1 else ANSWER_V2}
    if case.envelope_info:
        envelope["confirm_information"] = ENVELOPE_INFO_V1 if v1 else ENVELOPE_INFO_V2
    return json.dumps(envelope, ensure_ascii=False).encode()


def _check_request(
    request: httpx.Request,
    *,
    path: str,
    body: bytes,
    partner_key: rsa.RSAPrivateKey,
    mutating: bool,
    key: str | None,
    submerchant: str | None = None,
) -> None:
    assert request.method == "POST"
    assert str(request.url) == f"{BASE_URL}{path}"
    assert request.url.path == path
    assert request.url.query == b""
    assert request.content == body
    headers = request.headers
    assert headers["Content-Type"] == "application/json"
    assert headers["X-PARTNER-PROJECT"] == "test_project"
    if submerchant is None:
        assert "X-PARTNER-SUBMERCHANT" not in headers
    else:
        assert headers["X-PARTNER-SUBMERCHANT"] == submerchant
    # The signature covers exactly the bytes that were sent.
    verify_signature(partner_key.public_key(), request.content, headers["X-PARTNER-SIGN"])
    if not mutating:
        assert "X-PARTNER-IDEMPOTENCY-KEY" not in headers
    elif key is not None:
        assert headers["X-PARTNER-IDEMPOTENCY-KEY"] == key
    else:
        generated = uuid.UUID(headers["X-PARTNER-IDEMPOTENCY-KEY"])
        assert generated.version == 4
        assert str(generated) == headers["X-PARTNER-IDEMPOTENCY-KEY"]


@pytest.mark.asyncio
@pytest.mark.parametrize("key", ["order-42-payout", None], ids=["own-key", "generated-key"])
@pytest.mark.parametrize("version", ["v2", "v1"])
@pytest.mark.parametrize("case", CASE_PARAMS)
async def test_wire(
    case: Case, version: str, key: str | None, partner_key: rsa.RSAPrivateKey
) -> None:
    path_version = "v2" if case.v2_only else version
    path = f"/api/{path_version}/{case.path}"
    body = case.v2 if version == "v2" or case.v1 is None else case.v1
    kwargs: dict[str, Any] = {"idempotency_key": key} if key is not None else {}
    async with make_client(partner_key, api_version=version) as bank:
        with respx.mock(base_url=BASE_URL) as router:
            route = router.post(path).mock(
                return_value=httpx.Response(200, content=_answer(case, version))
            )
            session = await case.call(bank.sessions, kwargs)
    assert route.call_count == 1
    _check_request(
        route.calls.last.request,
        path=path,
        body=body,
        partner_key=partner_key,
        mutating=case.mutating,
        key=key,
    )
    expected = (
        attrs.evolve(EXPECTED, confirm_information=EXPECTED_INFO)
        if case.envelope_info
        else EXPECTED
    )
    assert session == expected


def test_every_session_method_has_a_wire_case() -> None:
    public = {
        name
        for name in dir(SessionsResource)
        if not name.startswith("_") and callable(getattr(SessionsResource, name))
    }
    covered = {
        "create", "init_payout", "init_payout_with_fiscalization", "start_payout",
        "start_payout_with_fiscalization", "init_payment", "start_payment", "multi_init",
        "confirm", "cancel", "capture", "refund", "chargeback", "status",
    }  # fmt: skip
    polling = {"wait_for_next_action", "wait_for_finished"}
    assert public == covered | polling
    assert {c.path for c in CASES} == {
        "session/create", "session/init/payout", "session/init/payout/fiscalization",
        "session/start/payout", "session/start/payout/fiscalization", "session/init/payment",
        "session/start/payment", "session/multi/init", "session/confirm", "session/cancel",
        "session/capture", "session/refund", "session/chargeback", "session/status",
    }  # fmt: skip


@pytest.mark.asyncio
@pytest.mark.parametrize("case", CASE_PARAMS)
async def test_submerchant_header_when_configured(
    case: Case, partner_key: rsa.RSAPrivateKey
) -> None:
    path = f"/api/v2/{case.path}"
    async with make_client(partner_key, submerchant="sub-7") as bank:
        with respx.mock(base_url=BASE_URL) as router:
            route = router.post(path).mock(
                return_value=httpx.Response(200, content=_answer(case, "v2"))
            )
            await case.call(bank.sessions, {})
    _check_request(
        route.calls.last.request,
        path=path,
        body=case.v2,
        partner_key=partner_key,
        mutating=case.mutating,
        key=None,
        submerchant="sub-7",
    )


@pytest.mark.asyncio
async def test_with_options_switches_version_and_submerchant(
    partner_key: rsa.RSAPrivateKey,
) -> None:
    async with make_client(partner_key) as bank:
        view = bank.with_options(api_version="v1", submerchant="sub-9")
        with respx.mock(base_url=BASE_URL) as router:
            route = router.post("/api/v1/session/init/payout").mock(
                return_value=httpx.Response(200, content=_answer(CASES[3], "v1"))
            )
            session = await view.sessions.init_payout(
                payout_details=CARD, amount_details=AMOUNT, participant_details=RECIPIENT
            )
    request = route.calls.last.request
    assert request.headers["X-PARTNER-SUBMERCHANT"] == "sub-9"
    assert b'"payment_method":' in request.content
    assert b"payout_details" not in request.content
    assert session == EXPECTED


@pytest.mark.asyncio
async def test_generated_keys_differ_per_call(partner_key: rsa.RSAPrivateKey) -> None:
    async with make_client(partner_key) as bank:
        with respx.mock(base_url=BASE_URL) as router:
            route = router.post("/api/v2/session/confirm").mock(
                return_value=httpx.Response(200, content=_answer(CASES[0], "v2"))
            )
            await bank.sessions.confirm("ps_1")
            await bank.sessions.confirm("ps_1")
    keys = {call.request.headers["X-PARTNER-IDEMPOTENCY-KEY"] for call in route.calls}
    assert len(keys) == 2


# --------------------------------------------------------------------------- error answers


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("status", "error", "cls"),
    [
        (
            400,
            {"code": "session_wrong_state", "description": "wrong state"},
            SessionWrongStateError,
        ),
        (
            200,
            {"code": "session_wrong_state", "description": "wrong state"},
            SessionWrongStateError,
        ),
        (422, {"code": "invalid_request", "description": "bad"}, InvalidRequestError),
        (400, {"code": "never_seen_before", "description": "?"}, ApiError),
        (500, {"code": "internal_error", "description": "later"}, BankInternalError),
    ],
)
async def test_error_envelope_raises_typed_error(
    status: int, error: dict[str, str], cls: type[ApiError], partner_key: rsa.RSAPrivateKey
) -> None:
    body = json.dumps({"status": "error", "error": error}).encode()
    async with make_client(partner_key) as bank:
        with respx.mock(base_url=BASE_URL) as router:
            router.post("/api/v2/session/confirm").mock(
                return_value=httpx.Response(status, content=body)
            )
            with pytest.raises(cls) as info:
                await bank.sessions.confirm("ps_1", idempotency_key="k-1")
    assert type(info.value) is cls
    assert info.value.code == error["code"]
    assert info.value.description == error["description"]
    assert info.value.http_status == status
    assert info.value.idempotency_key == "k-1"
    assert info.value.attempts == 1


@pytest.mark.asyncio
async def test_idempotency_conflict_on_first_attempt_surfaces(
    partner_key: rsa.RSAPrivateKey,
) -> None:
    body = json.dumps(
        {"status": "error", "error": {"code": "idempotency_key_already_exists"}}
    ).encode()
    async with make_client(partner_key) as bank:
        with respx.mock(base_url=BASE_URL) as router:
            route = router.post("/api/v2/session/init/payout").mock(
                return_value=httpx.Response(400, content=body)
            )
            with pytest.raises(IdempotencyConflictError) as info:
                await bank.sessions.init_payout(
                    payout_details=CARD,
                    amount_details=AMOUNT,
                    participant_details=RECIPIENT,
                    idempotency_key="order-1",
                )
    assert info.value.idempotency_key == "order-1"
    assert route.call_count == 1


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "body",
    [
        b'{"status":"ok"}',
        b'{"status":"ok","session":null}',
        b'{"status":"ok","session":[]}',
        b'{"status":"ok","session":{"id":"ps_1"}}',
        b'{"status":"ok","session":{"id":"ps_1","status":"accepted","created_at":"never"}}',
        b'{"status":"ok","session":{"id":"ps_1","status":"accepted","payout_list":'
        b'[{"id":"po","status":"succeeded","amount_details":{"amount":1.5,"currency":"rub"}}]}}',
    ],
)
async def test_unparseable_session_is_a_decode_error(
    body: bytes, partner_key: rsa.RSAPrivateKey
) -> None:
    async with make_client(partner_key) as bank:
        with respx.mock(base_url=BASE_URL) as router:
            router.post("/api/v2/session/status").mock(
                return_value=httpx.Response(200, content=body)
            )
            with pytest.raises(ResponseDecodeError):
                await bank.sessions.status("ps_1")


# --------------------------------------------------------------------------- nothing is sent

_NO_NAME = ParticipantDetails(recipient=Participant(reference="r"))
_SEVEN = FiscalizationDetails(
    professional_income_taxpayer=ProfessionalIncomeTaxpayer(
        tax_reference="123456789012",
        services=tuple(
            FiscalizationService(
                name=f"s{i}", amount_details=AmountDetails(amount=1, currency="rub")
            )
            for i in range(7)
        ),
    )
)
_ZERO = AmountDetails(amount=0, currency="rub")

INVALID: list[Any] = [
    pytest.param(
        lambda s: s.init_payout(payout_details=CARD, amount_details=AMOUNT),
        "recipient's name",
        id="card-payout-without-participants",
    ),
    pytest.param(
        lambda s: s.init_payout(
            payout_details=CARD, amount_details=AMOUNT, participant_details=_NO_NAME
        ),
        "recipient's name",
        id="card-payout-without-recipient-name",
    ),
    pytest.param(
        lambda s: s.start_payout("ps_1", payout_details=CARD, amount_details=AMOUNT),
        "recipient's name",
        id="start-card-payout-without-recipient",
    ),
    pytest.param(
        lambda s: s.init_payout(
            payout_details=ACCOUNT, amount_details=_ZERO, participant_details=RECIPIENT
        ),
        "positive",
        id="zero-amount",
    ),
    pytest.param(lambda s: s.capture("ps_1", amount_details=_ZERO), "positive", id="zero-capture"),
    pytest.param(lambda s: s.refund("ps_1", amount_details=_ZERO), "positive", id="zero-refund"),
    pytest.param(
        lambda s: s.init_payment(payment_details=PAY_CARD, amount_details=_ZERO, customer=CUSTOMER),
        "positive",
        id="zero-payment",
    ),
    pytest.param(
        lambda s: s.create(amount_details=AmountDetails(amount=5, currency="")),
        "currency",
        id="empty-currency",
    ),
    pytest.param(
        lambda s: s.init_payout_with_fiscalization(
            payout_details=ACCOUNT, amount_details=HALF, fiscalization_details=FISCAL
        ),
        "add up to 10000",
        id="fiscalization-sum-mismatch",
    ),
    pytest.param(
        lambda s: s.init_payout_with_fiscalization(
            payout_details=ACCOUNT,
            amount_details=AmountDetails(amount=7, currency="rub"),
            fiscalization_details=_SEVEN,
        ),
        "1 to 6 services",
        id="seven-services",
    ),
    pytest.param(
        lambda s: s.start_payout_with_fiscalization(
            "ps_1", fiscalization_details=FiscalizationDetails(), amount_details=AMOUNT
        ),
        "professional_income_taxpayer",
        id="fiscalization-without-taxpayer",
    ),
    pytest.param(
        lambda s: s.init_payout(
            payout_details=ACCOUNT,
            amount_details=AMOUNT,
            fiscalization_details=_SEVEN,
        ),
        "1 to 6 services",
        id="init-payout-seven-services",
    ),
    pytest.param(
        lambda s: s.multi_init(payment_list=[], payout_list=[]),
        "at least one",
        id="multi-empty",
    ),
    pytest.param(
        lambda s: s.multi_init(
            payment_list=[
                MultiPaymentItem(payment_details=INTERNAL, amount_details=AMOUNT, customer=CUSTOMER)
            ],
            payout_list=[],
        ),
        "at least one",
        id="multi-empty-payouts",
    ),
    pytest.param(
        lambda s: s.multi_init(
            payment_list=[],
            payout_list=[
                MultiPayoutItem(
                    payout_details=CARD, amount_details=AMOUNT, participant_details=RECIPIENT
                )
            ],
        ),
        "at least one",
        id="multi-empty-payments",
    ),
    pytest.param(
        lambda s: s.multi_init(
            payment_list=[
                MultiPaymentItem(payment_details=INTERNAL, amount_details=AMOUNT, customer=CUSTOMER)
            ],
            payout_list=[MultiPayoutItem(payout_details=CARD, amount_details=AMOUNT)],
        ),
        "recipient's name",
        id="multi-card-payout-without-recipient",
    ),
    pytest.param(
        lambda s: s.init_payout(payout_details=PayoutDetails(), amount_details=AMOUNT),
        "type is missing",
        id="payout-details-without-type",
    ),
    pytest.param(
        lambda s: s.init_payment(
            payment_details=PaymentDetails(), amount_details=AMOUNT, customer=CUSTOMER
        ),
        "type is missing",
        id="payment-details-without-type",
    ),
]

_ID_CALLS: dict[str, Callable[[SessionsResource, Any], Awaitable[Session]]] = {
    "status": lambda s, i: s.status(i),
    "confirm": lambda s, i: s.confirm(i),
    "cancel": lambda s, i: s.cancel(i),
    "capture": lambda s, i: s.capture(i),
    "refund": lambda s, i: s.refund(i),
    "chargeback": lambda s, i: s.chargeback(i),
    "start-payout": lambda s, i: s.start_payout(i),
    "start-payout-fiscal": lambda s, i: s.start_payout_with_fiscalization(
        i, fiscalization_details=FISCAL
    ),
    "start-payment": lambda s, i: s.start_payment(i),
    "wait-next-action": lambda s, i: s.wait_for_next_action(i, "confirm", timeout=1),
    "wait-finished": lambda s, i: s.wait_for_finished(i, timeout=1),
}
_BAD_IDS: dict[str, Any] = {"empty": "", "blank": "   ", "none": None, "int": 5}


def _with_id(
    fn: Callable[[SessionsResource, Any], Awaitable[Session]], value: Any
) -> Callable[[SessionsResource], Awaitable[Session]]:
    return lambda s: fn(s, value)


INVALID += [
    pytest.param(_with_id(fn, value), "session_id must be a non-empty string", id=f"{name}-{label}")
    for name, fn in _ID_CALLS.items()
    for label, value in _BAD_IDS.items()
]


@pytest.mark.asyncio
@pytest.mark.parametrize(("call", "message"), INVALID)
async def test_invalid_requests_send_nothing(
    call: Callable[[SessionsResource], Awaitable[Session]],
    message: str,
    partner_key: rsa.RSAPrivateKey,
) -> None:
    async with make_client(partner_key) as bank:
        with respx.mock(base_url=BASE_URL, assert_all_called=False) as router:
            catch_all = router.route().mock(return_value=httpx.Response(500))
            with pytest.raises(RequestValidationError, match=message):
                await call(bank.sessions)
    assert not catch_all.called
    assert router.calls.call_count == 0


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("client_timeout", "call_timeout", "expected"),
    [
        (None, None, {"connect": 10.0, "read": 30.0, "write": 30.0, "pool": 10.0}),
        (7.0, None, {"connect": 7.0, "read": 7.0, "write": 7.0, "pool": 7.0}),
        (None, 2.5, {"connect": 2.5, "read": 2.5, "write": 2.5, "pool": 2.5}),
        (
            7.0,
            httpx.Timeout(9.0, connect=1.0),
            {"connect": 1.0, "read": 9.0, "write": 9.0, "pool": 9.0},
        ),
    ],
)
async def test_timeouts_reach_the_request(
    client_timeout: float | None,
    call_timeout: float | httpx.Timeout | None,
    expected: dict[str, float],
    partner_key: rsa.RSAPrivateKey,
) -> None:
    options: dict[str, Any] = {"timeout": client_timeout} if client_timeout else {}
    async with make_client(partner_key, **options) as bank:
        with respx.mock(base_url=BASE_URL) as router:
            route = router.post("/api/v2/session/cancel").mock(
                return_value=httpx.Response(200, content=_answer(CASES[0], "v2"))
            )
            await bank.sessions.cancel("ps_1", timeout=call_timeout)
    assert route.calls.last.request.extensions["timeout"] == expected
