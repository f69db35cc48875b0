"""``sberpay/push`` (API v1): (re)send the SberPay push to the payer of a SberPay payment.

::

    await bank.sberpay.push("ps_123", phone="79876543210")

The purpose is inferred (the method is in the official SDK, without a documentation page): a
SberPay payment is ``PaymentDetails(type="internet_banking", internet_banking=
InternetBanking(type="sber_pay", ...))``. Not de-duplicated by the bank: no idempotency key is
sent and a request that may have arrived is not repeated (a second push is a second SMS).
"""

from __future__ import annotations

from .._transport import Endpoint
from .._validation import check_phone
from ._base import Resource, Timeout, require_id

__all__ = ["ENDPOINTS", "SberPayResource"]

PUSH = Endpoint("sberpay/push", version="v1")

#: Every endpoint this resource calls (the coverage test compares it with endpoints.md).
ENDPOINTS = (PUSH,)


class SberPayResource(Resource):
    """``bank.sberpay``: the SberPay push notification."""

    __slots__ = ()

    async def push(self, session_id: str, *, phone: str, timeout: Timeout = None) -> None:
        """``sberpay/push``: send the push for the session's SberPay payment to ``phone``
        (digits only, with the country or trunk prefix: ``79876543210``)."""
        check_phone(phone)
        body = {"phone": phone, "session_id": require_id(session_id)}
        await self._request(PUSH, body, timeout=timeout)
