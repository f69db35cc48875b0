"""Webhook parsing: verified over the raw bytes, typed per ``type``, tolerant, never a crash."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from bank131_async import AsyncBank131, InvalidSignatureError, ResponseDecodeError
from bank131_async.errors import ConfigurationError, WebhookDecodeError
from bank131_async.models import (
    ActionRequired,
    CustomerInteractionType,
    NextAction,
    NominalTopup,
    OperationStatus,
    PaymentFinished,
    PaymentRefunded,
    ReadyToCapture,
    ReadyToConfirm,
    SessionStatus,
    UnknownWebhook,
)
from bank131_async.signing import SignatureVerifier
from bank131_async.testing import sign_webhook, webhook_payload
from bank131_async.webhooks import parse_webhook, read_capped, webhook_digest

# The examples of webhooks.md (abridged there; completed with documented fields).
READY_TO_CONFIRM_V1 = {
    "type": "ready_to_confirm",
    "session": {
        "id": "ps_3230",
        "status": "in_progress",
        "created_at": "2020-05-29T07:01:37.499907Z",
        "updated_at": "2020-05-29T07:01:38.120000Z",
        "next_action": "confirm",
        "payments": [
            {
                "id": "po_2025",
                "status": "pending",
                "payment_method": {
                    "type": "card",
                    "card": {
                        "last4": "4940",
                        "brand": "mir",
                        "bin": "220024",
                        "country_iso3": "RUS",
                    },
                },
                "participant_details": {"recipient": {"full_name": "Ivanov Ivan Ivanovich"}},
                "amount_details": {"amount": 800000, "currency": "rub"},
                "metadata": "good",
            }
        ],
    },
}

CONFIRM_INFORMATION = {
    "transfer_details": {
        "payout_details": {"type": "bank_account", "bank_account": {"system_type": "ru"}},
        "recipient": {"account_number": "40702810000000000001", "name": "OOO Romashka"},
        "purpose": "payout",
        "amount": {"amount": 10000, "currency": "rub"},
    },
    "account_details": {"sender": {"account_number": "40702810900000000002", "inn": "7701234567"}},
}

ACTION_REQUIRED_V2 = {
    "type": "action_required",
    "session": {
        "id": "ps_77",
        "status": "in_progress",
        "payment_list": [
            {
                "id": "pm_77",
                "status": "pending",
                "amount_details": {"amount": 1000, "currency": "rub"},
                "amounts": {"fee": {"merchant_fee": {"amount": 10, "currency": "rub"}}},
                "customer_interaction": {
                    "type": "redirect",
                    "redirect": {
                        "url": "https://bank131.ru?foo=bar",
                        "base_url": "https://bank131.ru",
                        "method": "GET",
                        "qs": {"foo": "bar"},
                    },
                },
            }
        ],
    },
}

PAYMENT_REFUNDED_V1 = {
    "type": "payment_refunded",
    "session": {
        "id": "ps_9",
        "status": "accepted",
        "acquiring_payments": [
            {
                "id": "pm_9",
                "status": "succeeded",
                "refunds": [
                    {
                        "id": "rf_1",
                        "status": "accepted",
                        "created_at": "2020-06-01T10:00:00Z",
                        "amount_details": {"amount": 500, "currency": "rub"},
                        "is_chargeback": False,
                    }
                ],
            }
        ],
    },
}


@pytest.fixture(scope="module")
def verifier(bank_key: rsa.RSAPrivateKey) -> SignatureVerifier:
    return SignatureVerifier(bank_key.public_key())


def signed(data: Any, key: rsa.RSAPrivateKey) -> tuple[bytes, str]:
    return sign_webhook(data, key)


def test_ready_to_confirm_v1_spelling(
    bank_key: rsa.RSAPrivateKey, verifier: SignatureVerifier
) -> None:
    body, sig = signed(READY_TO_CONFIRM_V1, bank_key)
    event = parse_webhook(body, sig, verifier)
    assert isinstance(event, ReadyToConfirm)
    assert event.type == "ready_to_confirm"
    assert event.session.id == "ps_3230"
    assert event.session.next_action is NextAction.CONFIRM
    (payout,) = event.session.payout_list
    assert payout.status is OperationStatus.PENDING
    assert payout.payout_details is not None
    assert payout.payout_details.type == "card"
    assert event.confirm_information is None
    assert event.raw == READY_TO_CONFIRM_V1
    assert event.digest == webhook_digest(body)


def test_ready_to_confirm_carries_confirm_information(
    bank_key: rsa.RSAPrivateKey, verifier: SignatureVerifier
) -> None:
    data = {**READY_TO_CONFIRM_V1, "confirm_information": CONFIRM_INFORMATION}
    event = parse_webhook(*signed(data, bank_key), verifier)
    assert isinstance(event, ReadyToConfirm)
    info = event.confirm_information
    assert info is not None
    assert info.transfer_details is not None
    assert info.transfer_details.purpose == "payout"
    assert info.account_details is not None
    assert info.account_details.sender is not None
    assert info.account_details.sender.inn == "7701234567"
    # also on the session, so sessions.confirm(..., confirm_information=...) can take either
    assert event.session.confirm_information == info


def test_action_required_v2_spelling(
    bank_key: rsa.RSAPrivateKey, verifier: SignatureVerifier
) -> None:
    event = parse_webhook(*signed(ACTION_REQUIRED_V2, bank_key), verifier)
    assert isinstance(event, ActionRequired)
    (payment,) = event.session.payment_list
    interaction = payment.customer_interaction
    assert interaction is not None
    assert interaction.type is CustomerInteractionType.REDIRECT
    assert interaction.redirect is not None
    assert interaction.redirect.qs == {"foo": "bar"}


@pytest.mark.parametrize(
    ("kind", "cls"),
    [
        ("ready_to_confirm", ReadyToConfirm),
        ("ready_to_capture", ReadyToCapture),
        ("action_required", ActionRequired),
        ("payment_finished", PaymentFinished),
        ("payment_refunded", PaymentRefunded),
    ],
)
@pytest.mark.parametrize("version", [1, 2])
def test_every_session_type_both_spellings(
    kind: str, cls: type, version: int, bank_key: rsa.RSAPrivateKey, verifier: SignatureVerifier
) -> None:
    data = webhook_payload(kind, session_id="ps_42", api_version=version)
    event = parse_webhook(*signed(data, bank_key), verifier)
    assert type(event) is cls
    assert event.session is not None
    assert event.session.id == "ps_42"
    assert len(event.session.payout_list) == 1


def test_payment_finished_and_refunded(
    bank_key: rsa.RSAPrivateKey, verifier: SignatureVerifier
) -> None:
    data = webhook_payload("payment_finished", session_id="ps_5")
    data["session"]["payout_list"][0]["transaction_info"] = {"rrn": "123", "auth_code": "A1"}
    finished = parse_webhook(*signed(data, bank_key), verifier)
    assert isinstance(finished, PaymentFinished)
    assert finished.session.status is SessionStatus.ACCEPTED
    assert finished.session.is_finished

    refunded = parse_webhook(*signed(PAYMENT_REFUNDED_V1, bank_key), verifier)
    assert isinstance(refunded, PaymentRefunded)
    (refund,) = refunded.session.payment_list[0].refunds
    assert refund.status == "accepted"
    assert refund.amount_details is not None


def test_extra_fields_are_tolerated_and_kept(
    bank_key: rsa.RSAPrivateKey, verifier: SignatureVerifier
) -> None:
    data = webhook_payload("payment_finished", new_top_level={"x": 1})
    data["session"]["brand_new_field"] = [1, 2]
    event = parse_webhook(*signed(data, bank_key), verifier)
    assert isinstance(event, PaymentFinished)
    assert event.raw["new_top_level"] == {"x": 1}


def test_nominal_topup_needs_no_session(
    bank_key: rsa.RSAPrivateKey, verifier: SignatureVerifier
) -> None:
    data = {"type": "nominal_topup", "amount_details": {"amount": 1, "currency": "rub"}}
    event = parse_webhook(*signed(data, bank_key), verifier)
    assert isinstance(event, NominalTopup)
    assert event.session is None
    assert event.raw["amount_details"] == {"amount": 1, "currency": "rub"}


def test_nominal_topup_with_a_broken_session_is_still_parsed(
    bank_key: rsa.RSAPrivateKey, verifier: SignatureVerifier
) -> None:
    event = parse_webhook(
        *signed({"type": "nominal_topup", "session": {"x": 1}}, bank_key), verifier
    )
    assert isinstance(event, NominalTopup)
    assert event.session is None


def test_unknown_type_falls_back_with_raw(
    bank_key: rsa.RSAPrivateKey, verifier: SignatureVerifier
) -> None:
    data = {"type": "chargeback_opened", "whatever": {"deep": [1]}}
    body, sig = signed(data, bank_key)
    event = parse_webhook(body, sig, verifier)
    assert isinstance(event, UnknownWebhook)
    assert event.type == "chargeback_opened"
    assert event.raw == data
    assert event.session is None


def test_unknown_type_keeps_a_session_shaped_session(
    bank_key: rsa.RSAPrivateKey, verifier: SignatureVerifier
) -> None:
    data = webhook_payload("session_expired", session_id="ps_8")
    event = parse_webhook(*signed(data, bank_key), verifier)
    assert isinstance(event, UnknownWebhook)
    assert event.session is not None
    assert event.session.id == "ps_8"


def test_str_body_is_accepted(bank_key: rsa.RSAPrivateKey, verifier: SignatureVerifier) -> None:
    data = webhook_payload("payment_finished", session_id="ps_ü")
    body, sig = signed(data, bank_key)
    event = parse_webhook(body.decode("utf-8"), sig, verifier)
    assert isinstance(event, PaymentFinished)
    assert event.session.id == "ps_ü"


# --------------------------------------------------------------------------- signatures


@pytest.mark.parametrize("signature", [None, "", "not base64!!", "QUJD"])
def test_missing_or_malformed_signature(
    signature: str | None, bank_key: rsa.RSAPrivateKey, verifier: SignatureVerifier
) -> None:
    body, _ = signed(READY_TO_CONFIRM_V1, bank_key)
    with pytest.raises(InvalidSignatureError):
        parse_webhook(body, signature, verifier)


def test_tampered_body_is_rejected_before_parsing(
    bank_key: rsa.RSAPrivateKey, verifier: SignatureVerifier
) -> None:
    body, sig = signed(webhook_payload("payment_finished"), bank_key)
    with pytest.raises(InvalidSignatureError):
        parse_webhook(body.replace(b"10000", b"99999"), sig, verifier)
    # even a body that would not parse fails on the signature first
    with pytest.raises(InvalidSignatureError):
        parse_webhook(b"{not json", sig, verifier)


def test_signature_of_another_key_is_rejected(
    partner_key: rsa.RSAPrivateKey, verifier: SignatureVerifier
) -> None:
    body, sig = signed(webhook_payload("payment_finished"), partner_key)
    with pytest.raises(InvalidSignatureError):
        parse_webhook(body, sig, verifier)


def test_key_rotation_accepts_old_and_new_keys(
    bank_key: rsa.RSAPrivateKey, partner_key: rsa.RSAPrivateKey
) -> None:
    # the bank rotates from bank_key to "partner_key" (any second key): both verify meanwhile
    both = SignatureVerifier([bank_key.public_key(), partner_key.public_key()])
    for key in (bank_key, partner_key):
        event = parse_webhook(*signed(webhook_payload("payment_finished"), key), both)
        assert isinstance(event, PaymentFinished)


# --------------------------------------------------------------------------- bad bodies


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"{not json", "not JSON"),
        (b"\xff\xfe", "not JSON"),
        (b"[1, 2]", "not a JSON object"),
        (b'{"session": {}}', "no 'type'"),
        (b'{"type": 5}', "no 'type'"),
        (
            b'{"type": "payment_finished"}',
            r"expected a JSON object for Session, got None @ \$\.session",
        ),
        (
            b'{"type": "payment_finished", "session": {"status": "accepted"}}',
            r"required field missing @ \$\.session\.id",
        ),
        (
            b'{"type": "payment_finished", "session": {"id": "ps_1", "status": 7}}',
            "could not parse",
        ),
        (
            b'{"type": "ready_to_confirm", "session": {"id": "ps_1", "status": "in_progress"},'
            b' "confirm_information": {"exchanges": 5}}',
            "could not parse",
        ),
    ],
)
def test_bad_bodies_raise_a_typed_error(
    body: bytes, message: str, bank_key: rsa.RSAPrivateKey, verifier: SignatureVerifier
) -> None:
    with pytest.raises(WebhookDecodeError, match=message) as info:
        parse_webhook(*signed(body, bank_key), verifier)
    assert isinstance(info.value, ResponseDecodeError)


def test_decode_error_excerpt_is_redacted(
    bank_key: rsa.RSAPrivateKey, verifier: SignatureVerifier
) -> None:
    body = json.dumps({"type": "payment_finished", "card": "4242424242424242"}).encode()
    with pytest.raises(WebhookDecodeError) as info:
        parse_webhook(*signed(body, bank_key), verifier)
    assert "4242424242424242" not in info.value.body_excerpt
    assert "424242" in info.value.body_excerpt


# --------------------------------------------------------------------------- client attribute


@pytest.mark.asyncio
async def test_client_parse_uses_bank_public_key(
    partner_key: rsa.RSAPrivateKey, bank_key: rsa.RSAPrivateKey
) -> None:
    async with AsyncBank131(
        project="p", private_key=partner_key, bank_public_key=bank_key.public_key()
    ) as bank:
        event = bank.webhooks.parse(*signed(READY_TO_CONFIRM_V1, bank_key))
        assert isinstance(event, ReadyToConfirm)
        view = bank.with_options(timeout=3)
        assert view.webhooks.hub is bank.webhooks.hub
        assert isinstance(
            view.webhooks.parse(*signed(READY_TO_CONFIRM_V1, bank_key)), ReadyToConfirm
        )


@pytest.mark.asyncio
async def test_client_without_bank_key_says_what_to_configure(
    partner_key: rsa.RSAPrivateKey, bank_key: rsa.RSAPrivateKey
) -> None:
    async with AsyncBank131(project="p", private_key=partner_key) as bank:
        with pytest.raises(ConfigurationError, match="bank_public_key"):
            bank.webhooks.parse(*signed(READY_TO_CONFIRM_V1, bank_key))


# --------------------------------------------------------------------------- hostile input


async def _chunks(counter: list[int], size: int, count: int) -> AsyncIterator[bytes]:
    for _ in range(count):
        counter[0] += 1
        yield b"x" * size


@pytest.mark.asyncio
async def test_read_capped_stops_reading_at_the_limit() -> None:
    consumed = [0]
    body = await read_capped(_chunks(consumed, 64, 10_000), declared=None, limit=100)
    assert body is None
    assert consumed[0] == 2  # the rest of the stream is never read


@pytest.mark.asyncio
async def test_read_capped_trusts_a_declared_length_over_the_limit() -> None:
    consumed = [0]
    assert await read_capped(_chunks(consumed, 1, 1), declared="101", limit=100) is None
    assert consumed[0] == 0
    assert await read_capped(_chunks(consumed, 10, 10), declared="100", limit=100) == b"x" * 100


@pytest.mark.parametrize("depth", [65, 1_000, 100_000])
def test_deeply_nested_json_is_a_decode_error(
    depth: int, bank_key: rsa.RSAPrivateKey, verifier: SignatureVerifier
) -> None:
    """Defect: 100,000 levels escaped as RecursionError."""
    body = b'{"type":"payment_finished","session":' + b"[" * depth + b"]" * depth + b"}"
    with pytest.raises(WebhookDecodeError, match="nested deeper"):
        parse_webhook(*signed(body, bank_key), verifier)


@pytest.mark.parametrize(
    "body",
    [None, [1, 2], 10**12, 3.5, {"type": "x"}, "\ud800 lone surrogate"],
    ids=["none", "list", "int", "float", "dict", "surrogate"],
)
def test_a_body_of_the_wrong_type_is_a_signature_error(
    body: Any, bank_key: rsa.RSAPrivateKey, verifier: SignatureVerifier
) -> None:
    """Defect: None/list bodies raised TypeError, an int body allocated that many bytes, a
    lone surrogate raised UnicodeEncodeError."""
    _, signature = signed(READY_TO_CONFIRM_V1, bank_key)
    with pytest.raises(InvalidSignatureError, match="raw body bytes"):
        parse_webhook(body, signature, verifier)


@pytest.mark.parametrize(
    "signature",
    [12345, ["a", "b"], b"", "", "not base64 at all!", "QUJD" * 1000, "ab\udc80cd"],
    ids=["int", "list", "empty-bytes", "empty", "not-base64", "huge", "surrogate"],
)
def test_a_bad_signature_of_any_type_is_a_signature_error(
    signature: Any, bank_key: rsa.RSAPrivateKey, verifier: SignatureVerifier
) -> None:
    body, _ = signed(READY_TO_CONFIRM_V1, bank_key)
    with pytest.raises(InvalidSignatureError):
        parse_webhook(body, signature, verifier)


def test_reprs_of_half_built_signers_do_not_raise() -> None:
    from bank131_async.signing import RequestSigner

    signer = RequestSigner.__new__(RequestSigner)
    verifier = SignatureVerifier.__new__(SignatureVerifier)
    assert repr(signer) == "RequestSigner(<no key>)"
    assert repr(verifier) == "SignatureVerifier(<0 RSA public key(s)>)"
