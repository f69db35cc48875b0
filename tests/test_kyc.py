"""KYC (``bank.kyc``): the signed payload bytes, the wire (own host, no X-PARTNER-SIGN,
signature in the body), the answers, the errors, and the signer configuration."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

import httpx
import pytest
import respx
from cryptography.hazmat.primitives.asymmetric import rsa

from bank131_async import AsyncBank131
from bank131_async.errors import (
    ApiError,
    AuthenticationError,
    ConfigurationError,
    KycAlreadyExistsError,
    KycVerificationFailedError,
    RequestValidationError,
)
from bank131_async.models import (
    KycCheckResult,
    KycCheckV1,
    KycCheckV2,
    KycDocument,
    KycParticipant,
    KycStatus,
    KycVerification,
)
from bank131_async.resources import kyc
from bank131_async.resources.kyc import KycVersion, kyc_payload, kyc_payload_bytes
from tests.kyc_people import legacy
from tests.resource_wire import (
    KYC_URL,
    assert_not_sent,
    call_checked,
    call_once,
    check_request,
    ok,
    scripted,
)

pytestmark = pytest.mark.asyncio


class RecordingSigner:
    """Stands in for CryptoPro: records what it was asked to sign, returns a fixed text."""

    def __init__(self, signature: str = "MIIGsig==") -> None:
        self.signature = signature
        self.payloads: list[bytes] = []

    def __call__(self, payload: bytes) -> str:
        self.payloads.append(payload)
        return self.signature


PERSON = KycCheckV2(
    type="FL_RESIDENT",
    last_name="Иванов",
    first_name="Иван",
    patronymic="Иванович",
    birthday=date(1990, 5, 17),
    birthplace="Казань",
    citizenship="RU",
    inn="500100732259",
    phone_number="+7 900 123-45-67",
    email="ivan@example.com",
    documents=[
        KycDocument(
            type="PASSPORT_RF",
            series="4510",
            number="123456",
            issue_date=date(2010, 6, 1),
            issuer_code="770-001",
        )
    ],
    extra={"agent_contract_number": "AC-15", "agent_contract_date": "01.02.2024"},
)

#: The payload of PERSON: modelled fields in declaration order, ``None`` omitted, extra last.
PAYLOAD = {
    "type": "FL_RESIDENT",
    "last_name": "Иванов",
    "first_name": "Иван",
    "birthday": "17.05.1990",
    "birthplace": "Казань",
    "citizenship": "RU",
    "inn": "500100732259",
    "phone_number": "+7 900 123-45-67",
    "email": "ivan@example.com",
    "documents": [
        {
            "type": "PASSPORT_RF",
            "series": "4510",
            "number": "123456",
            "issue_date": "01.06.2010",
            "issuer_code": "770-001",
        }
    ],
    "patronymic": "Иванович",
    "agent_contract_number": "AC-15",
    "agent_contract_date": "01.02.2024",
}

#: What the signer must receive: keys sorted at every level, ", " and ": ", \\uXXXX, CRLF.
SIGNED_BYTES = (
    b'{"agent_contract_date": "01.02.2024", "agent_contract_number": "AC-15", '
    b'"birthday": "17.05.1990", "birthplace": "\\u041a\\u0430\\u0437\\u0430\\u043d\\u044c", '
    b'"citizenship": "RU", "documents": [{"issue_date": "01.06.2010", "issuer_code": '
    b'"770-001", "number": "123456", "series": "4510", "type": "PASSPORT_RF"}], '
    b'"email": "ivan@example.com", "first_name": "\\u0418\\u0432\\u0430\\u043d", '
    b'"inn": "500100732259", "last_name": "\\u0418\\u0432\\u0430\\u043d\\u043e\\u0432", '
    b'"patronymic": "\\u0418\\u0432\\u0430\\u043d\\u043e\\u0432\\u0438\\u0447", '
    b'"phone_number": "+7 900 123-45-67", "type": "FL_RESIDENT"}\r\n'
)

#: What goes on the wire: the payload compact in UTF-8, then the signature.
WIRE_BODY = (
    '{"type":"FL_RESIDENT","last_name":"Иванов","first_name":"Иван","birthday":"17.05.1990",'
    '"birthplace":"Казань","citizenship":"RU","inn":"500100732259",'
    '"phone_number":"+7 900 123-45-67","email":"ivan@example.com","documents":[{"type":'
    '"PASSPORT_RF","series":"4510","number":"123456","issue_date":"01.06.2010",'
    '"issuer_code":"770-001"}],"patronymic":"Иванович","agent_contract_number":"AC-15",'
    '"agent_contract_date":"01.02.2024","signature":"MIIGsig=="}'
).encode()

LEGACY = legacy()
LEGACY_WIRE = (
    '{"first_name":"Ivan","last_name":"Ivanov","birthday":"17.05.1990","birthplace":"Kazan",'
    '"inn":"500100732259","passport_number":"4510123456","issuer":"MVD","issuer_code":"770-001",'
    '"issuer_date":"01.06.2010","postcode":"420000","address":"Kazan, Lenina 1",'
    '"phone_number":"79001234567","email":"ivan@example.com","agent_contract_number":"AC-15",'
    '"agent_contract_date":"01.02.2024","identity_document":"Паспорт гражданина РФ",'
    '"citizenship":"РФ","beneficial_owners":"ВБ отсутствует","public_officials":"Нет",'
    '"migration_card":"-","right_to_stay_in_rf":"-","signature":"MIIGsig=="}'
).encode()

CHECK_ANSWER = ok(data={"id": "kyc-42"})


# --------------------------------------------------------------------------- payload bytes


def test_payload_bytes_are_the_documented_python_call() -> None:
    assert kyc_payload(PERSON) == PAYLOAD
    assert kyc_payload_bytes(PAYLOAD) == SIGNED_BYTES
    # The docs' example, literally.
    assert bytes(json.dumps(PAYLOAD, sort_keys=True) + "\r\n", encoding="utf-8") == SIGNED_BYTES


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ({}, b"{}\r\n"),
        (
            {"b": 1, "a": [3, {"z": None, "y": True}]},
            b'{"a": [3, {"y": true, "z": null}], "b": 1}\r\n',
        ),
        ({"name": "Ёж"}, b'{"name": "\\u0401\\u0436"}\r\n'),
    ],
    ids=["empty", "nested-sorted", "non-ascii-escaped"],
)
def test_payload_bytes_table(payload: dict[str, Any], expected: bytes) -> None:
    assert kyc_payload_bytes(payload) == expected


def test_payload_bytes_exclude_the_signature() -> None:
    with pytest.raises(RequestValidationError, match="excludes 'signature'"):
        kyc_payload_bytes({"a": 1, "signature": "x"})


def test_personal_data_is_not_in_repr() -> None:
    text = repr(PERSON) + repr(LEGACY)
    for secret in ("500100732259", "17.05.1990", "Казань", "123456", "ivan@example.com"):
        assert secret not in text


# --------------------------------------------------------------------------- endpoints


def test_endpoints_are_declared() -> None:
    declared = [
        (
            e.path,
            e.version,
            e.method,
            e.host,
            e.header_signature,
            e.read_only,
            e.sends_idempotency_key,
        )
        for e in kyc.ENDPOINTS
    ]
    assert declared == [
        ("check", "v2.0", "POST", "kyc", False, False, False),
        ("check", "v1.1", "POST", "kyc", False, False, False),
        ("check/{id}", "v2.0", "GET", "kyc", False, True, False),
        ("check/{id}", "v1.1", "GET", "kyc", False, True, False),
    ]
    assert all(e.ok_statuses == {"ok", "pending"} for e in kyc.ENDPOINTS)


# --------------------------------------------------------------------------- check


async def test_check_v2_wire(partner_key: rsa.RSAPrivateKey) -> None:
    signer = RecordingSigner()
    url = f"{KYC_URL}/api/v2.0/check"
    result = await call_checked(
        partner_key,
        "POST",
        url,
        CHECK_ANSWER,
        lambda b: b.kyc.check(PERSON),
        body=WIRE_BODY,
        signed=False,
        kyc_signer=signer,
    )
    assert signer.payloads == [SIGNED_BYTES]
    assert result == KycCheckResult(id="kyc-42", status=KycStatus.OK)
    assert result.raw == {"status": "ok", "data": {"id": "kyc-42"}}


async def test_check_v1_wire(partner_key: rsa.RSAPrivateKey) -> None:
    signer = RecordingSigner()
    url = f"{KYC_URL}/api/v1.1/check"
    result, request = await call_once(
        partner_key, "POST", url, CHECK_ANSWER, lambda b: b.kyc.check(LEGACY), kyc_signer=signer
    )
    sent = json.loads(request.content)
    del sent["signature"]
    assert signer.payloads == [kyc_payload_bytes(sent)]
    check_request(
        request, method="POST", url=url, body=LEGACY_WIRE, partner_key=partner_key, signed=False
    )
    assert result.id == "kyc-42"


async def test_check_with_a_mapping_an_async_per_call_signer_and_a_version(
    partner_key: rsa.RSAPrivateKey,
) -> None:
    seen: list[bytes] = []

    async def sign(payload: bytes) -> str:
        seen.append(payload)
        return "async-sig"

    configured = RecordingSigner("unused")
    url = f"{KYC_URL}/api/v1.1/check"
    payload = {"inn": "500100732259", "last_name": "Ivanov"}
    result, request = await call_once(
        partner_key,
        "POST",
        url,
        ok(status_detail="x", data={"id": 7}),
        lambda b: b.kyc.check(payload, version="v1.1", signer=sign),
        kyc_signer=configured,
    )
    assert seen == [b'{"inn": "500100732259", "last_name": "Ivanov"}\r\n']
    assert configured.payloads == []
    assert request.content == (
        b'{"inn":"500100732259","last_name":"Ivanov","signature":"async-sig"}'
    )
    assert result.id == "7"


async def test_with_options_keeps_the_kyc_signer(partner_key: rsa.RSAPrivateKey) -> None:
    signer = RecordingSigner()
    await call_once(
        partner_key,
        "POST",
        f"{KYC_URL}/api/v2.0/check",
        CHECK_ANSWER,
        lambda b: b.with_options(timeout=3.0).kyc.check(PERSON),
        kyc_signer=signer,
    )
    assert signer.payloads == [SIGNED_BYTES]


@pytest.mark.parametrize(
    ("environment", "host"),
    [("demo", "https://kyc-stage.bank131.ru"), ("production", "https://kyc.bank131.ru")],
)
async def test_kyc_host_follows_the_environment(
    environment: str, host: str, partner_key: rsa.RSAPrivateKey
) -> None:
    url = f"{host}/api/v2.0/check/kyc-42"
    _, request = await call_once(
        partner_key,
        "GET",
        url,
        ok(data={"id": "kyc-42"}),
        lambda b: b.kyc.status("kyc-42"),
        kyc_base_url=None,
        environment=environment,
    )
    assert str(request.url) == url


async def test_without_a_signer_nothing_is_sent(partner_key: rsa.RSAPrivateKey) -> None:
    await assert_not_sent(
        partner_key, lambda b: b.kyc.check(PERSON), "kyc_signer=", ConfigurationError
    )


@pytest.mark.parametrize(
    ("signature", "match"), [(b"bytes", "returned bytes"), ("  ", "no signature")]
)
async def test_a_signer_returning_no_text_is_a_configuration_error(
    signature: Any, match: str, partner_key: rsa.RSAPrivateKey
) -> None:
    await assert_not_sent(
        partner_key,
        lambda b: b.kyc.check(PERSON, signer=lambda _: signature),
        match,
        ConfigurationError,
    )


# --------------------------------------------------------------------------- status


@pytest.mark.parametrize("version", ["v2.0", "v1.1"])
async def test_status_wire_and_parse(version: KycVersion, partner_key: rsa.RSAPrivateKey) -> None:
    url = f"{KYC_URL}/api/{version}/check/kyc%2F42"
    answer = ok(data={"id": "kyc/42", "description": "valid", "participant": {"reference": "p-1"}})
    result = await call_checked(
        partner_key,
        "GET",
        url,
        answer,
        lambda b: b.kyc.status("kyc/42", version=version),
        body=b"",
        signed=False,
    )
    assert result == KycVerification(
        id="kyc/42",
        status=KycStatus.OK,
        description="valid",
        participant=KycParticipant(reference="p-1"),
    )
    assert result.is_verified
    assert not result.is_pending


async def test_pending_status(partner_key: rsa.RSAPrivateKey) -> None:
    answer = json.dumps({"status": "pending", "data": {"id": "kyc-42"}}).encode()
    result, _ = await call_once(
        partner_key,
        "GET",
        f"{KYC_URL}/api/v2.0/check/kyc-42",
        answer,
        lambda b: b.kyc.status("kyc-42"),
    )
    assert result == KycVerification(id="kyc-42", status=KycStatus.PENDING)
    assert result.is_pending


@pytest.mark.parametrize(
    ("http_status", "code", "cls"),
    [
        (200, "passport_validation_failure", KycVerificationFailedError),
        (200, "inn_validation_failure", KycVerificationFailedError),
        (200, "invalid_sign", AuthenticationError),
        (404, "request_not_found", ApiError),
    ],
)
async def test_status_errors_are_typed(
    http_status: int, code: str, cls: type[ApiError], partner_key: rsa.RSAPrivateKey
) -> None:
    body = {
        "status": "error",
        "data": {"id": "kyc-42"},
        "error": {"code": code, "description": "d"},
    }
    answer = httpx.Response(http_status, json=body)
    url = f"{KYC_URL}/api/v2.0/check/kyc-42"
    async with scripted(partner_key, "GET", url, answer) as (bank, _):
        with pytest.raises(cls) as caught:
            await bank.kyc.status("kyc-42")
    assert type(caught.value) is cls
    assert caught.value.code == code


async def test_duplicate_check_carries_the_earlier_id(partner_key: rsa.RSAPrivateKey) -> None:
    body = {
        "status": "error",
        "data": {"id": "kyc-41"},
        "error": {"code": "already_exists", "description": "duplicate"},
    }
    answer = httpx.Response(200, json=body)
    async with scripted(partner_key, "POST", f"{KYC_URL}/api/v2.0/check", answer) as (bank, _):
        with pytest.raises(KycAlreadyExistsError) as caught:
            await bank.kyc.check(PERSON, signer=RecordingSigner())
    assert caught.value.existing_id == "kyc-41"


# --------------------------------------------------------------------------- validation

Call = Callable[[AsyncBank131], Awaitable[Any]]


def _person(**changes: Any) -> KycCheckV2:
    import attrs

    return attrs.evolve(PERSON, **changes)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda b: b.kyc.check(_person(type="UL")), "FL_RESIDENT"),
        (lambda b: b.kyc.check(_person(birthday="1990-05-17")), "DD.MM.YYYY"),
        (lambda b: b.kyc.check(_person(birthday="31.02.1990")), "calendar date"),
        (lambda b: b.kyc.check(_person(birthday=date.today())), "18 years"),
        (lambda b: b.kyc.check(_person(citizenship="RUS")), "alpha-2"),
        (lambda b: b.kyc.check(_person(inn="123")), "6 to 14"),
        (lambda b: b.kyc.check(_person(first_name=" ")), "first_name"),
        (lambda b: b.kyc.check(_person(documents=[])), "at least one document"),
        (
            lambda b: b.kyc.check(_person(documents=[KycDocument(type="FOREIGN_PASSPORT")])),
            "PASSPORT_RF",
        ),
        (
            lambda b: b.kyc.check(
                _person(type="FL_NONRESIDENT", documents=[KycDocument(type="FOREIGN_PASSPORT")])
            ),
            "another document",
        ),
        (
            lambda b: b.kyc.check(
                _person(documents=[KycDocument(type="PASSPORT_RF", issue_date="2010-06-01")])
            ),
            r"documents\[0\].issue_date",
        ),
        (lambda b: b.kyc.check(_person(extra={"signature": "x"})), "signature"),
        (lambda b: b.kyc.check(PERSON, version="v1.1"), "not v1.1"),
        (lambda b: b.kyc.check({"a": 1}, version="v3"), "v2.0"),
        (lambda b: b.kyc.check({"signature": "x"}), "excludes 'signature'"),
        (lambda b: b.kyc.check("nope"), "KycCheckV2"),
        (
            lambda b: b.kyc.check(
                KycCheckV1(**{**_legacy_fields(), "passport_number": "4510 123456"})
            ),
            "without spaces",
        ),
        (lambda b: b.kyc.check(KycCheckV1(**{**_legacy_fields(), "inn": "5001"})), "inn"),
        (
            lambda b: b.kyc.check(KycCheckV1(**{**_legacy_fields(), "issuer_date": "2010"})),
            "issuer_date",
        ),
        (lambda b: b.kyc.status(""), "check_id"),
        (lambda b: b.kyc.status("x", version="v2"), "v2.0"),
    ],
)
async def test_validation_sends_nothing(
    call: Call, match: str, partner_key: rsa.RSAPrivateKey
) -> None:
    await assert_not_sent(partner_key, call, match, kyc_signer=RecordingSigner())


def _legacy_fields() -> dict[str, Any]:
    import attrs

    return {a.name: getattr(LEGACY, a.name) for a in attrs.fields(KycCheckV1)}


async def test_from_env_takes_a_kyc_signer(partner_key: rsa.RSAPrivateKey) -> None:
    from tests.helpers import private_pem

    signer = RecordingSigner()
    environ = {
        "BANK131_PROJECT": "test_project",
        "BANK131_PRIVATE_KEY": private_pem(partner_key).decode(),
    }
    async with AsyncBank131.from_env(
        environ=environ, kyc_base_url=KYC_URL, kyc_signer=signer
    ) as bank:
        with respx.mock() as router:
            router.post(f"{KYC_URL}/api/v2.0/check").mock(
                return_value=httpx.Response(200, content=CHECK_ANSWER)
            )
            await bank.kyc.check(PERSON)
    assert signer.payloads == [SIGNED_BYTES]
