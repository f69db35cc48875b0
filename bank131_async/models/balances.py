"""Balances and statements: the collateral wallet (``wallet/balance``), settlement / escrow
account balances (``report/account_balance``) and one-day statements
(``report/account_statement``).

Money is in minor units (kopecks), as everywhere in the API. The bank documents the account
balance's ``current_balance`` once as a string and once as a number: both parse (digit strings
are accepted by the converter's int rule).

``AccountBalance`` and ``AccountStatement`` carry the whole decoded response envelope in
``raw`` (not a constructor argument, not compared, not serialised): the statement's envelope
differs between documentation revisions, and ``raw`` keeps whatever the bank sent reachable.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from enum import StrEnum
from typing import Any

from attrs import frozen

from ._fields import raw_field
from .common import AmountDetails

__all__ = [
    "AccountBalance",
    "AccountStatement",
    "BalanceDetails",
    "Contragent",
    "CounterParty",
    "StatementTransaction",
    "StatementTransactionType",
    "TotalBalance",
    "TotalTurnover",
    "WalletDetails",
]


class StatementTransactionType(StrEnum):
    """Direction of a statement line (the bank spells debit ``debet``)."""

    CREDIT = "credit"
    DEBET = "debet"


@frozen(kw_only=True)
class WalletDetails:
    """One collateral wallet: ``amount_details.amount`` is the balance in minor units."""

    id: str
    amount_details: AmountDetails


@frozen(kw_only=True)
class BalanceDetails:
    """An account's balance in minor units."""

    current_balance: int | None = None


@frozen(kw_only=True)
class AccountBalance:
    """The answer of ``report/account_balance`` (``account_currency`` is upper case, ``RUB``)."""

    account_number: str | None = None
    account_currency: str | None = None
    balance: BalanceDetails | None = None
    raw: Mapping[str, Any] = raw_field()

    @property
    def current_balance(self) -> int | None:
        """``balance.current_balance`` in minor units, or ``None`` if the bank left it out."""
        return self.balance.current_balance if self.balance is not None else None


@frozen(kw_only=True)
class TotalTurnover:
    """A statement's total debit and credit turnover, in minor units."""

    debet: int | None = None
    credit: int | None = None


@frozen(kw_only=True)
class TotalBalance:
    """A statement's opening and closing balance, in minor units."""

    opening: int | None = None
    closing: int | None = None


@frozen(kw_only=True)
class CounterParty:
    """The other side of a statement line."""

    name: str | None = None
    account_number: str | None = None
    bank_code: str | None = None
    inn: str | None = None
    kpp: str | None = None


@frozen(kw_only=True)
class Contragent:
    """A counterparty as described in the objects reference (``bank_bik`` spelling)."""

    account_number: str | None = None
    bank_bik: str | None = None
    name: str | None = None
    inn: str | None = None
    kpp: str | None = None
    bank_name: str | None = None


@frozen(kw_only=True)
class StatementTransaction:
    """One statement line; ``session_id`` links it to a payment session when there is one."""

    amount: int | None = None
    base_amount: int | None = None
    currency: str | None = None
    payment_date: str | None = None
    bank_system_id: str | None = None
    transaction_id: str | None = None
    session_id: str | None = None
    purpose: str | None = None
    counter_party: CounterParty | None = None
    type: StatementTransactionType | str | None = None


@frozen(kw_only=True)
class AccountStatement:
    """A one-day account statement (``date_from == date_to``).

    Newer documentation nests it as ``{"method": {"name": "account_statement",
    "account_statement": {...}}}``, older revisions put ``account_statement`` at the top level;
    the SDK reads either.
    """

    date_from: date | None = None
    date_to: date | None = None
    account_number: str | None = None
    total_turnover: TotalTurnover | None = None
    total_balance: TotalBalance | None = None
    transactions: tuple[StatementTransaction, ...] = ()
    raw: Mapping[str, Any] = raw_field()
