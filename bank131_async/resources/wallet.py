"""``wallet/balance`` (API v1): the collateral ("guarantee payment") balance payouts draw on.

::

    wallets = await bank.wallet.balance()
    wallets[0].amount_details.amount     # minor units: 13100 is 131.00 RUB

Check it regularly: payouts fail with ``insufficient_wallet_balance`` when it runs out.
"""

from __future__ import annotations

from datetime import UTC, datetime

from .._transport import Endpoint
from ..models.balances import WalletDetails
from ._base import Resource, Timeout

__all__ = ["ENDPOINTS", "WalletResource"]

BALANCE = Endpoint("wallet/balance", read_only=True, version="v1")

#: Every endpoint this resource calls (the coverage test compares it with endpoints.md).
ENDPOINTS = (BALANCE,)


def _atom(moment: datetime) -> str:
    """``2020-05-29T07:01:37+00:00``: the format of the official SDK (naive means UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")


class WalletResource(Resource):
    """``bank.wallet``: collateral balances."""

    __slots__ = ()

    async def balance(
        self, *, request_datetime: datetime | None = None, timeout: Timeout = None
    ) -> tuple[WalletDetails, ...]:
        """``wallet/balance``: every wallet of the project with its balance.

        ``request_datetime`` defaults to now (the body then differs per call, as in the
        official SDK); pass a fixed value to make requests reproducible.
        """
        moment = request_datetime if request_datetime is not None else datetime.now(UTC)
        body = {"request_datetime": _atom(moment)}
        return await self._call(
            BALANCE, body, tuple[WalletDetails, ...], key="wallets", timeout=timeout
        )
