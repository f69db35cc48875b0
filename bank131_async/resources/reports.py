"""``report/account_balance`` and ``report/account_statement`` (API v1): the settlement (RKO)
and escrow (nominal) account balance and one-day statements.

::

    balance = await bank.reports.account_balance("40702810400000000333")
    balance.current_balance                      # minor units
    statement = await bank.reports.account_statement("40702810400000000333",
                                                     date_from=date(2023, 6, 1))
    for line in statement.transactions:
        print(line.type, line.amount, line.counter_party.name, line.purpose)

Both are read-only (repeated freely after timeouts) and sent as ``POST`` (the newest
documentation; older pages showed ``GET`` with a JSON body). Both results keep the decoded
envelope in ``.raw``: the statement envelope differs between documentation revisions (nested
under ``method`` or at the top level -- both are read), and the balance is documented once as a
string and once as a number.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from .._transport import Endpoint, parse_result
from .._validation import check_account_number, check_iso_date
from ..errors import RequestValidationError
from ..models.balances import AccountBalance, AccountStatement
from ._base import Resource, Timeout

__all__ = ["BALANCE_ACCOUNT_PREFIXES", "ENDPOINTS", "ReportsResource"]

ACCOUNT_BALANCE = Endpoint("report/account_balance", read_only=True, version="v1")
ACCOUNT_STATEMENT = Endpoint("report/account_statement", read_only=True, version="v1")

#: Every endpoint this resource calls (the coverage test compares it with endpoints.md).
ENDPOINTS = (ACCOUNT_BALANCE, ACCOUNT_STATEMENT)

#: Account kinds ``report/account_balance`` accepts (settlement, escrow, sole proprietors).
BALANCE_ACCOUNT_PREFIXES = ("40702", "40703", "40802", "40807", "40701")


class ReportsResource(Resource):
    """``bank.reports``: account balance and statement."""

    __slots__ = ()

    async def account_balance(
        self, account_number: str, *, timeout: Timeout = None
    ) -> AccountBalance:
        """``report/account_balance``: the current balance of your settlement or escrow
        account (20 digits starting with 40702, 40703, 40802, 40807 or 40701)."""
        check_account_number(account_number, prefixes=BALANCE_ACCOUNT_PREFIXES)
        data = await self._request(
            ACCOUNT_BALANCE, {"account_number": account_number}, timeout=timeout
        )
        return parse_result(data, AccountBalance, "the account balance", raw=data)

    async def account_statement(
        self,
        account_number: str,
        *,
        date_from: date | str,
        date_to: date | str | None = None,
        timeout: Timeout = None,
    ) -> AccountStatement:
        """``report/account_statement``: the statement of one day (``date_to`` defaults to
        ``date_from``; the bank requires them to be equal)."""
        check_account_number(account_number)
        start = check_iso_date(date_from, "date_from")
        end = check_iso_date(date_to, "date_to") if date_to is not None else start
        if start != end:
            raise RequestValidationError(
                f"a statement covers one day: date_from ({start}) must equal date_to ({end}); "
                "request each day separately"
            )
        body = {"date_from": start, "date_to": end, "account_number": account_number}
        data = await self._request(ACCOUNT_STATEMENT, body, timeout=timeout)
        return parse_result(_statement(data), AccountStatement, "the account statement", raw=data)


def _statement(data: dict[str, Any]) -> Any:
    """``method.account_statement`` (newest docs) or ``account_statement`` (older ones); a
    missing statement is a decode error, not an empty statement."""
    method = data.get("method")
    holder = method if isinstance(method, dict) and "account_statement" in method else data
    return holder.get("account_statement")
