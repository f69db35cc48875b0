"""Redaction: what may reach a log line, an exception or a repr (table tests)."""

from __future__ import annotations

import pytest

from bank131_async._logging import excerpt, redact, shape

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
