"""``bank131_async.testing``: what users test their own webhook handlers with."""

from __future__ import annotations

import json

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from bank131_async import AsyncBank131, InvalidSignatureError
from bank131_async.models import (
    ConfirmInformation,
    PaymentFinished,
    ReadyToConfirm,
    Session,
    TransferDetails,
    UnknownWebhook,
)
from bank131_async.signing import SignatureVerifier, load_public_key
from bank131_async.testing import (
    WebhookSigner,
    bank131_bank_key,  # noqa: F401  (imported fixtures, as users do)
    bank131_webhook_signer,  # noqa: F401
    generate_key,
    private_key_pem,
    public_key_pem,
    sign_webhook,
    webhook_body,
    webhook_payload,
)
from bank131_async.webhooks import parse_webhook


def test_sign_webhook_over_a_mapping_verifies(bank_key: rsa.RSAPrivateKey) -> None:
    body, signature = sign_webhook(webhook_payload("payment_finished"), bank_key)
    SignatureVerifier(bank_key.public_key()).verify(body, signature)
    assert json.loads(body)["type"] == "payment_finished"


def test_sign_webhook_takes_pem_and_bytes(bank_key: rsa.RSAPrivateKey) -> None:
    body, signature = sign_webhook(b'{"type":"x"}', private_key_pem(bank_key))
    assert body == b'{"type":"x"}'
    SignatureVerifier(public_key_pem(bank_key)).verify(body, signature)
    assert sign_webhook('{"type":"x"}', bank_key) == (body, signature)  # deterministic


def test_typed_event_round_trips(bank_key: rsa.RSAPrivateKey) -> None:
    verifier = SignatureVerifier(bank_key.public_key())
    original = parse_webhook(
        *sign_webhook(webhook_payload("ready_to_confirm", session_id="ps_1"), bank_key), verifier
    )
    assert parse_webhook(*sign_webhook(original, bank_key), verifier) == original


def test_hand_built_event_is_sent_like_the_bank_does(bank_key: rsa.RSAPrivateKey) -> None:
    verifier = SignatureVerifier(bank_key.public_key())
    info = ConfirmInformation(transfer_details=TransferDetails(purpose="rent"))
    session = Session(
        id="ps_9", status="in_progress", next_action="confirm", confirm_information=info
    )
    built = ReadyToConfirm(session=session, confirm_information=info)
    data = json.loads(webhook_body(built))
    assert data["confirm_information"] == {"transfer_details": {"purpose": "rent"}}
    assert "confirm_information" not in data["session"]  # beside the session, as on the wire
    parsed = parse_webhook(*sign_webhook(built, bank_key), verifier)
    assert isinstance(parsed, ReadyToConfirm)
    assert parsed.confirm_information == info


def test_webhook_payload_defaults_per_type() -> None:
    ready = webhook_payload("ready_to_confirm", session_id="ps_5")["session"]
    assert (ready["status"], ready["next_action"], ready["payout_list"][0]["status"]) == (
        "in_progress",
        "confirm",
        "pending",
    )
    finished = webhook_payload("payment_finished", payout=False, api_version=1)["session"]
    assert finished["status"] == "accepted"
    assert finished["acquiring_payments"][0]["status"] == "succeeded"
    assert "next_action" not in finished


def test_throwaway_keys() -> None:
    key = generate_key()
    assert key.key_size == 2048
    assert (
        load_public_key(public_key_pem(key)).public_numbers() == key.public_key().public_numbers()
    )


def test_fixture_signer(bank131_webhook_signer: WebhookSigner) -> None:  # noqa: F811
    body, headers = bank131_webhook_signer.headers({"type": "something_new"})
    event = parse_webhook(body, headers["X-PARTNER-SIGN"], bank131_webhook_signer.verifier)
    assert isinstance(event, UnknownWebhook)
    assert "throwaway" in repr(bank131_webhook_signer)


@pytest.mark.asyncio
async def test_client_trusts_the_signer(
    bank131_webhook_signer: WebhookSigner,  # noqa: F811
    partner_key: rsa.RSAPrivateKey,
) -> None:
    signer = bank131_webhook_signer
    async with AsyncBank131(
        project="p", private_key=partner_key, bank_public_key=signer.public_key_pem
    ) as bank:
        event = bank.webhooks.parse(*signer.sign(webhook_payload("payment_finished")))
        assert isinstance(event, PaymentFinished)
        with pytest.raises(InvalidSignatureError):
            bank.webhooks.parse(*WebhookSigner(generate_key()).sign({"type": "x"}))
