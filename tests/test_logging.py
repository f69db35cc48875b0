"""Redaction: what may reach a log line, an exception or a repr (table tests)."""

from __future__ import annotations

import pytest

from bank131_async._logging import excerpt, redact, setup_from_env, shape

SIGNATURE = "dGhpcyBpcyBub3QgYSByZWFsIHNpZ25hdHVyZQ" * 9 + "=="


@pytest.mark.parametrize(
    ("text", "secret", "kept"),
    [
        ("card 4242424242424242 declined", "4242424242424242", "424242******4242"),
        ("card 4242 4242 4242 4242 declined", "4242 4242 4242 4242", "424242******4242"),
        ("card 4242-4242-4242-4242 declined", "4242-4242-4242-4242", "424242******4242"),
        ("pan 2200 7001 2345 6789 012", "2200 7001 2345 6789 012", "220070*********9012"),
        ('{"security_code": "123"}', '"123"', '"security_code": "***"'),
        ('{"cvc": 987}', "987", '"cvc": "***"'),
        ("{'cvv2': '4321'}", "4321", "'cvv2': \"***\""),
        ("wrong CVC 123 for card", "123", "CVC ***"),
        ("security code: 0456", "0456", "security code: ***"),
        ('{"expiration_month": "12", "expiration_year": "30"}', '"30"', '"expiration_year"'),
        ('{"passport_number": "4510 123456"}', "123456", '"passport_number": "***"'),
        ('{"series": "4510", "number": "123456"}', "4510", '"series": "***"'),
        ("passport 4510 123456 not found", "123456", "passport ***"),
        ("Passport number: 4510123456", "4510123456", "Passport number: ***"),
        ('{"birthday": "1990-01-02"}', "1990-01-02", '"birthday": "***"'),
        (f"X-PARTNER-SIGN: {SIGNATURE}", SIGNATURE[:40], "X-PARTNER-SIGN: ***"),
        (f'{{"signature": "{SIGNATURE}"}}', SIGNATURE[:40], '"signature": "***"'),
        (
            "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADAN\n-----END PRIVATE KEY-----",
            "MIIEvQIBADAN",
            "<private key redacted>",
        ),
    ],
)
def test_secrets_are_masked(text: str, secret: str, kept: str) -> None:
    masked = redact(text)
    assert secret not in masked
    assert kept in masked


@pytest.mark.parametrize(
    "text",
    [
        "amount 10000 rub",
        "inn 7701234567 kpp 770101001",
        "account 40702810000000000001",  # 20 digits: an account number, not a card
        "phone +7 916 123-45-67",
        "session ps_3230 at 2020-05-29T07:01:37.499907Z",
        "bik 044525974",
    ],
)
def test_ordinary_data_is_left_alone(text: str) -> None:
    assert redact(text) == text


def test_an_excerpt_never_leaves_a_cut_card_number_unmasked() -> None:
    # The scan window ends inside the card number: its first 12 digits must not survive.
    prefix = "x" * (4 * 50 - 12)
    text = prefix + "4242424242424242" + " tail" * 100
    result = excerpt(text, 50)
    assert "424242424242" not in result
    assert len(result) <= 50


def test_an_excerpt_of_bytes_tolerates_invalid_utf8() -> None:
    assert excerpt(b"\xff\xfe card 4242424242424242", 100).endswith("424242******4242")


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("1984-07-19", "'NNNN-NN-NN'"),
        ("4242 4242 4242 4242", "'NNNN NNNN NNNN NNNN'"),
        ("45 10 abc", "'NN NN aaa'"),
        ("Паспорт 4510", "'aaaaaaa NNNN'"),
        (12345, "a int"),
        ("9" * 100, "a string of 100 characters"),
    ],
)
def test_shape_describes_a_value_without_revealing_it(value: object, shown: str) -> None:
    assert shape(value) == shown


SCRIPT = """
import asyncio, httpx
from cryptography.hazmat.primitives.asymmetric import rsa
from bank131_async import AsyncBank131
from tests.payouts import card_payout

OK = b'{"status":"ok","session":{"id":"ps_9","status":"in_progress"}}'
signatures = []

def answer(request):
    signatures.append(request.headers["X-PARTNER-SIGN"])
    return httpx.Response(200, content=OK)

async def main():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    async with AsyncBank131(project="p", private_key=key, base_url="https://bank.test",
                            transport=httpx.MockTransport(answer)) as bank:
        await bank.sessions.init_payout(idempotency_key="order-1", **card_payout())
        await bank.sessions.status("ps_9")
    print("SIGNATURES", *signatures)

asyncio.run(main())
"""


@pytest.mark.parametrize(("value", "debug"), [("debug", True), ("info", False), ("", False)])
def test_bank131_log_turns_on_logging_without_leaking(value: str, debug: bool) -> None:
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = {**os.environ, "BANK131_LOG": value}
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        env=env,
        cwd=Path(__file__).parents[1],
    )
    signatures = result.stdout.split()[1:]
    assert len(signatures) == 2
    log = result.stderr
    if not debug:
        assert log == ""
        return
    assert "DEBUG bank131_async: POST session/init/payout -> 200 in" in log
    assert "(attempt 1, idempotency key order-1, session -)" in log
    assert "POST session/status -> 200" in log
    assert "session ps_9)" in log
    for secret in ("4242424242424242", *signatures):
        assert secret not in log


def test_setup_from_env_ignores_unknown_values() -> None:
    assert setup_from_env({"BANK131_LOG": "verbose"}) is False
    assert setup_from_env({}) is False
