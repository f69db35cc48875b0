"""Table tests for the identifier checks in ``bank131_async._validation`` (accounts, dates,
phones, tax references)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest

from bank131_async._validation import (
    check_account_number,
    check_iso_date,
    check_phone,
    check_tax_reference,
)
from bank131_async.errors import RequestValidationError
from tests.helpers import assert_validates

PREFIXES = ("40702", "40701")


@pytest.mark.parametrize(
    ("value", "prefixes", "error"),
    [
        ("40702810400000000333", (), None),
        ("40702810400000000333", PREFIXES, None),
        ("40701810400000000333", PREFIXES, None),
        ("40817810400000000333", (), None),
        ("40817810400000000333", PREFIXES, "must start with one of 40702, 40701"),
        ("4070281040000000033", (), "20 digits"),
        ("407028104000000003333", (), "20 digits"),
        ("4070281040000000033Ⅸ", (), "digits"),
        ("４０７０２８１０４０００００００３３３", (), "digits"),
        (None, (), "required"),
    ],
)
def test_check_account_number(value: Any, prefixes: tuple[str, ...], error: str | None) -> None:
    if error is None:
        check_account_number(value, prefixes=prefixes)
    else:
        with pytest.raises(RequestValidationError, match=error):
            check_account_number(value, prefixes=prefixes)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (date(2023, 6, 1), "2023-06-01"),
        ("2023-06-01", "2023-06-01"),
        ("2024-02-29", "2024-02-29"),
        ("2023-02-29", None),
        ("2023-6-1", None),
        ("20230601", None),
        ("01.06.2023", None),
        (datetime(2023, 6, 1), None),
        (20230601, None),
        (None, None),
    ],
)
def test_check_iso_date(value: Any, expected: str | None) -> None:
    if expected is not None:
        assert check_iso_date(value, "d") == expected
    else:
        with pytest.raises(RequestValidationError, match=r"^d must"):
            check_iso_date(value, "d")


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("79876543210", True),
        ("89876543210", True),
        ("9876543210", True),
        ("987654321", False),
        ("+79876543210", False),
        ("7 987 654 32 10", False),
        ("7987654321012345", False),
        (None, False),
    ],
)
def test_check_phone(value: Any, ok: bool) -> None:
    assert_validates(lambda: check_phone(value), ok, "phone")


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("123456789012", True),
        ("1234567890", False),
        ("12345678901a", False),
        ("", False),
        (None, False),
    ],
)
def test_check_tax_reference(value: Any, ok: bool) -> None:
    assert_validates(lambda: check_tax_reference(value), ok, "tax_reference")
