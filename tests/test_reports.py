"""Wire and parse tests for ``bank.reports``: report/account_balance, report/account_statement."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from bank131_async.errors import ResponseDecodeError
from bank131_async.models import (
    AccountBalance,
    AccountStatement,
    BalanceDetails,
    CounterParty,
    StatementTransaction,
    StatementTransactionType,
    TotalBalance,
    TotalTurnover,
)
from bank131_async.resources import reports
from tests.resource_wire import assert_not_sent, call_checked, call_once, declared, ok

pytestmark = pytest.mark.asyncio

ACCOUNT = "40702810400000000333"


def test_endpoints_are_declared() -> None:
    assert declared(reports.ENDPOINTS, "path", "version", "read_only", "method") == [
        ("report/account_balance", "v1", True, "POST"),
        ("report/account_statement", "v1", True, "POST"),
    ]


# --------------------------------------------------------------------------- account_balance


@pytest.mark.parametrize("current", [20900, "20900"], ids=["number", "string"])
async def test_account_balance_wire_and_parse(current: Any, partner_key: rsa.RSAPrivateKey) -> None:
    answer = ok(
        account_number=ACCOUNT,
        account_currency="RUB",
        balance={"current_balance": current},
    )
    result = await call_checked(
        partner_key,
        "POST",
        "/api/v1/report/account_balance",
        answer,
        lambda b: b.reports.account_balance(ACCOUNT),
        body=b'{"account_number":"40702810400000000333"}',
    )
    assert result == AccountBalance(
        account_number=ACCOUNT,
        account_currency="RUB",
        balance=BalanceDetails(current_balance=20900),
    )
    assert result.current_balance == 20900
    assert result.raw["balance"] == {"current_balance": current}


@pytest.mark.parametrize(
    ("account", "match"),
    [
        ("40817810400000000333", "must start with one of 40702"),
        ("4070281040000000033", "20 digits"),
        ("4070281040000000033a", "digits"),
    ],
)
async def test_account_balance_validation_sends_nothing(
    account: str, match: str, partner_key: rsa.RSAPrivateKey
) -> None:
    await assert_not_sent(partner_key, lambda b: b.reports.account_balance(account), match)


# --------------------------------------------------------------------------- account_statement

STATEMENT: dict[str, Any] = {
    "date_from": "2023-06-01",
    "date_to": "2023-06-01",
    "account_number": ACCOUNT,
    "total_turnover": {"debet": 150000, "credit": 1000000},
    "total_balance": {"opening": 500000, "closing": 1350000},
    "transactions": [
        {
            "amount": 1000000,
            "currency": "RUB",
            "payment_date": "2023-06-01",
            "bank_system_id": "1234567",
            "purpose": "Пополнение номинального счета",
            "counter_party": {
                "inn": "7700000000",
                "kpp": "770001001",
                "name": "Ромашка",
                "account_number": "40702810000000000001",
                "bank_code": "044525974",
            },
            "type": "credit",
        },
        {
            "amount": 150000,
            "base_amount": 150000,
            "currency": "RUB",
            "payment_date": "2023-06-01",
            "bank_system_id": 7654321,
            "transaction_id": "tr_1",
            "session_id": "ps_3230",
            "purpose": "Выплата по договору 15",
            "counter_party": {
                "name": "Иванов Иван",
                "account_number": "40817810000000000002",
                "bank_code": "049205131",
            },
            "type": "debet",
            "future_field": True,
        },
    ],
}
EXPECTED = AccountStatement(
    date_from=date(2023, 6, 1),
    date_to=date(2023, 6, 1),
    account_number=ACCOUNT,
    total_turnover=TotalTurnover(debet=150000, credit=1000000),
    total_balance=TotalBalance(opening=500000, closing=1350000),
    transactions=(
        StatementTransaction(
            amount=1000000,
            currency="RUB",
            payment_date="2023-06-01",
            bank_system_id="1234567",
            purpose="Пополнение номинального счета",
            counter_party=CounterParty(
                inn="7700000000",
                kpp="770001001",
                name="Ромашка",
                account_number="40702810000000000001",
                bank_code="044525974",
            ),
            type=StatementTransactionType.CREDIT,
        ),
        StatementTransaction(
            amount=150000,
            base_amount=150000,
            currency="RUB",
            payment_date="2023-06-01",
            bank_system_id="7654321",
            transaction_id="tr_1",
            session_id="ps_3230",
            purpose="Выплата по договору 15",
            counter_party=CounterParty(
                name="Иванов Иван",
                account_number="40817810000000000002",
                bank_code="049205131",
            ),
            type=StatementTransactionType.DEBET,
        ),
    ),
)
STATEMENT_BODY = (
    b'{"date_from":"2023-06-01","date_to":"2023-06-01","account_number":"40702810400000000333"}'
)


@pytest.mark.parametrize(
    "envelope",
    [
        pytest.param(
            {"method": {"name": "account_statement", "account_statement": STATEMENT}},
            id="nested-under-method",
        ),
        pytest.param({"name": "account_statement", "account_statement": STATEMENT}, id="top-level"),
    ],
)
@pytest.mark.parametrize(
    "dates",
    [
        {"date_from": date(2023, 6, 1)},
        {"date_from": "2023-06-01", "date_to": date(2023, 6, 1)},
    ],
    ids=["date", "str-and-date"],
)
async def test_account_statement_wire_and_parse(
    envelope: dict[str, Any], dates: dict[str, Any], partner_key: rsa.RSAPrivateKey
) -> None:
    result = await call_checked(
        partner_key,
        "POST",
        "/api/v1/report/account_statement",
        ok(**envelope),
        lambda b: b.reports.account_statement(ACCOUNT, **dates),
        body=STATEMENT_BODY,
    )
    assert result == EXPECTED
    assert result.raw == {"status": "ok", **envelope}


async def test_account_statement_missing_is_a_decode_error(
    partner_key: rsa.RSAPrivateKey,
) -> None:
    with pytest.raises(ResponseDecodeError):
        await call_once(
            partner_key,
            "POST",
            "/api/v1/report/account_statement",
            ok(method={"name": "account_statement"}),
            lambda b: b.reports.account_statement(ACCOUNT, date_from="2023-06-01"),
        )


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"date_from": "2023-06-01", "date_to": "2023-06-02"}, "one day"),
        ({"date_from": "01.06.2023"}, "YYYY-MM-DD"),
        ({"date_from": "2023-02-30"}, "YYYY-MM-DD"),
        ({"date_from": "2023-06-01", "account": "123"}, "20 digits"),
    ],
)
async def test_account_statement_validation_sends_nothing(
    kwargs: dict[str, Any], match: str, partner_key: rsa.RSAPrivateKey
) -> None:
    account = kwargs.pop("account", ACCOUNT)
    await assert_not_sent(
        partner_key, lambda b: b.reports.account_statement(account, **kwargs), match
    )


async def test_a_datetime_is_not_a_date(partner_key: rsa.RSAPrivateKey) -> None:
    from datetime import datetime

    await assert_not_sent(
        partner_key,
        lambda b: b.reports.account_statement(ACCOUNT, date_from=datetime(2023, 6, 1)),
        "not a datetime",
    )
