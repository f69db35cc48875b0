"""``subscription/cancel`` and ``subscription/restore`` (API v1).

Subscriptions are created by an incoming payment with
``PaymentOptions(subscription=Subscription(period=...))``; its id is in
``payment.subscription.id``::

    await bank.subscriptions.cancel("sub_123")
    await bank.subscriptions.restore("sub_123")

Both answer ``{"status": "ok"}`` only, so both return ``None`` (an error answer raises). Neither
is de-duplicated by the bank: no idempotency key is sent.
"""

from __future__ import annotations

from .._transport import Endpoint
from ._base import Resource, Timeout, require_id

__all__ = ["ENDPOINTS", "SubscriptionsResource"]

CANCEL = Endpoint("subscription/cancel", version="v1")
RESTORE = Endpoint("subscription/restore", version="v1")

#: Every endpoint this resource calls (the coverage test compares it with endpoints.md).
ENDPOINTS = (CANCEL, RESTORE)


class SubscriptionsResource(Resource):
    """``bank.subscriptions``: stop and resume a subscription's automatic charges."""

    __slots__ = ()

    async def cancel(self, subscription_id: str, *, timeout: Timeout = None) -> None:
        """``subscription/cancel``: stop the charges of a subscription."""
        body = {"subscription_id": require_id(subscription_id, "subscription_id")}
        await self._request(CANCEL, body, timeout=timeout)

    async def restore(self, subscription_id: str, *, timeout: Timeout = None) -> None:
        """``subscription/restore``: resume a cancelled subscription."""
        body = {"subscription_id": require_id(subscription_id, "subscription_id")}
        await self._request(RESTORE, body, timeout=timeout)
