"""No secret reaches a log line, a repr, an exception or a traceback.

A hostile bank echoes every request (body and signature) into its error descriptions and
garbage answers; flows run with every logger at DEBUG; then logs, reprs, exception texts,
pickles and formatted tracebacks are scanned for the planted secrets: the private key, card
numbers (plain and grouped), CVC, expiry, passport data and the X-PARTNER-SIGN value.
"""

from __future__ import annotations

import json
import logging
import pickle
import re
import traceback
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from bank131_async import AsyncBank131, Bank131Error, RetryPolicy
from bank131_async.models import (
    AmountDetails,
    BankCard,
    Customer,
    Participant,
    ParticipantDetails,
    PaymentDetails,
    PayoutDetails,
)
from bank131_async.signing import SignatureVerifier
from tests.helpers import private_pem
from tests.kyc_people import person

PAN = "4111111111111111"
GROUPED_PAN = "5555 5555 5555 4444"
CVC = "739"
EXPIRY_YEAR = "2031"
PASSPORT_SERIES = "4510"
PASSPORT_NUMBER = "654321"
BIRTHDAY = "1984-07-19"


class EchoingBank:
    """Answers every request according to ``mode``, echoing what it was sent."""

    def __init__(self) -> None:
        self.mode = "error"
        self.signatures: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        signature = request.headers.get("X-PARTNER-SIGN", "")
        if signature:
            self.signatures.append(signature)
        echo = f"{request.content.decode()} X-PARTNER-SIGN: {signature}"
        if self.mode == "timeout":
            raise httpx.ReadTimeout("timed out", request=request)
        if self.mode == "garbage":
            return httpx.Response(200, content=b"<html>" + echo.encode())
        if self.mode == "server_error":
            return httpx.Response(502, content=echo.encode())
        body = {"status": "error", "error": {"code": "invalid_request", "description": echo}}
        return httpx.Response(400, json=body)


@pytest.fixture
def everything_at_debug() -> Iterator[list[logging.LogRecord]]:
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    handler = Keep(level=logging.DEBUG)
    root = logging.getLogger()
    levels = {name: logging.getLogger(name).level for name in logging.root.manager.loggerDict}
    old_root = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    for name in levels:
        logging.getLogger(name).setLevel(logging.DEBUG)
    try:
        yield records
    finally:
        root.removeHandler(handler)
        root.setLevel(old_root)
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)


def _secrets(key: rsa.RSAPrivateKey, signatures: list[str]) -> list[re.Pattern[str]]:
    pem_lines = private_pem(key).decode().splitlines()[1:-1]
    plain = [PAN, GROUPED_PAN, GROUPED_PAN.replace(" ", ""), *pem_lines[2:5]]
    plain += [s[10:60] for s in signatures]
    words = [CVC, EXPIRY_YEAR, PASSPORT_SERIES, PASSPORT_NUMBER, BIRTHDAY]
    return [re.compile(re.escape(s)) for s in plain] + [
        re.compile(rf"(?<![\w-]){re.escape(w)}(?![\w-])") for w in words
    ]


def _surfaces(error: BaseException) -> list[str]:
    return [
        str(error),
        repr(error),
        repr(error.args),
        repr(vars(error)),
        "".join(traceback.format_exception(error)),
        pickle.dumps(error).decode("latin-1"),
    ]


@pytest.mark.asyncio
async def test_no_secret_reaches_logs_reprs_errors_or_tracebacks(
    partner_key: rsa.RSAPrivateKey,
    bank_key: rsa.RSAPrivateKey,
    everything_at_debug: list[logging.LogRecord],
) -> None:
    bank = EchoingBank()

    async def kyc_signer(payload: bytes) -> str:
        return "c2lnbmVk"

    client = AsyncBank131(
        project="p1",
        private_key=private_pem(partner_key).decode(),  # a PEM string, as from an env var
        bank_public_key=bank_key.public_key(),
        base_url="https://bank.test",
        kyc_base_url="https://kyc.test",
        transport=httpx.MockTransport(bank),
        retry_policy=RetryPolicy(max_retries=1, initial_backoff=0.001, max_backoff=0.001),
        kyc_signer=kyc_signer,
    )
    card = BankCard(
        number=PAN, expiration_month="07", expiration_year=EXPIRY_YEAR, security_code=CVC
    )
    kyc = person(series=PASSPORT_SERIES, number=PASSPORT_NUMBER, birthday=BIRTHDAY)
    errors: list[BaseException] = []
    texts: list[str] = [repr(client), repr(client.config), repr(client.signer), repr(card)]
    texts += [repr(kyc), repr(PaymentDetails.from_card(card))]

    async with client:
        for mode in ("error", "garbage", "server_error", "timeout"):
            bank.mode = mode
            calls: list[Any] = [
                lambda: client.sessions.init_payment(
                    payment_details=PaymentDetails.from_card(card),
                    amount_details=AmountDetails(amount=1000, currency="rub"),
                    customer=Customer(reference="user-1"),
                    metadata={"note": f"card {GROUPED_PAN}"},
                ),
                lambda: client.sessions.init_payout(
                    payout_details=PayoutDetails.from_card(BankCard(number=PAN)),
                    amount_details=AmountDetails(amount=1000, currency="rub"),
                    participant_details=ParticipantDetails(
                        recipient=Participant(full_name="Ivan Ivanov")
                    ),
                ),
                lambda: client.kyc.check(kyc),
            ]
            for call in calls:
                with pytest.raises(Bank131Error) as info:
                    await call()
                errors.append(info.value)
        # a card number the SDK refuses before sending
        for number in (GROUPED_PAN, PAN + "0000"):
            try:
                PayoutDetails.from_card(BankCard(number=number))
                await client.sessions.init_payout(
                    payout_details=PayoutDetails.from_card(BankCard(number=number)),
                    amount_details=AmountDetails(amount=1000, currency="rub"),
                )
            except Exception as exc:
                errors.append(exc)
        # a webhook that echoes card data and does not parse
        webhook = json.dumps({"type": "payment_finished", "card": PAN, "cvc": CVC}).encode()
        try:
            client.webhooks.parse(webhook, _sign(bank_key, webhook))
        except Bank131Error as exc:
            errors.append(exc)

    # a key that does not load: the error must not echo it
    broken = private_pem(partner_key).decode().replace("\n", "")[:-40]
    try:
        AsyncBank131(project="p", private_key=broken)
    except Bank131Error as exc:
        errors.append(exc)

    assert bank.signatures, "the echoing bank saw no signature"
    assert len(errors) >= 14
    logging_text = [r.getMessage() for r in everything_at_debug]
    logging_text += [
        "".join(traceback.format_exception(*r.exc_info)) for r in everything_at_debug if r.exc_info
    ]
    assert logging_text, "nothing was logged at DEBUG"
    surfaces = texts + logging_text + [s for e in errors for s in _surfaces(e)]
    for pattern in _secrets(partner_key, bank.signatures):
        for surface in surfaces:
            match = pattern.search(surface)
            assert match is None, f"{pattern.pattern!r} leaked in: {surface[:2000]}"


def _sign(key: rsa.RSAPrivateKey, body: bytes) -> str:
    from bank131_async.signing import RequestSigner

    signature = RequestSigner(key).sign(body)
    SignatureVerifier(key.public_key()).verify(body, signature)
    return signature
