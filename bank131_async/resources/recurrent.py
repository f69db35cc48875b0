"""``recurrent/status`` and ``recurrent/disable``: saved-card (recurrent) tokens (API v1).

::

    info = await bank.recurrent.status("a1b2c3...")
    if info.is_active:
        info = await bank.recurrent.disable("a1b2c3...")   # info.is_active is now False

``disable`` is not de-duplicated by the bank (no idempotency key is sent); repeating it after a
lost answer is harmless in effect, but the SDK does not do it for you: call ``status``.
"""

from __future__ import annotations

from .._transport import Endpoint
from ..models.sessions import RecurrentTokenInfo
from ..models.tokens import RecurrentToken
from ._base import Resource, Timeout, require_id

__all__ = ["ENDPOINTS", "RecurrentResource"]

STATUS = Endpoint("recurrent/status", read_only=True, version="v1")
DISABLE = Endpoint("recurrent/disable", version="v1")

#: Every endpoint this resource calls (the coverage test compares it with endpoints.md).
ENDPOINTS = (STATUS, DISABLE)


class RecurrentResource(Resource):
    """``bank.recurrent``: the state of a recurrent token, and switching it off."""

    __slots__ = ()

    async def status(self, token: str, *, timeout: Timeout = None) -> RecurrentTokenInfo:
        """``recurrent/status``: ``created_at``, ``finished_at`` (informational) and
        ``is_active`` of a recurrent token."""
        body = {"recurrent": RecurrentToken(token=require_id(token, "token"))}
        return await self._call(STATUS, body, RecurrentTokenInfo, key="recurrent", timeout=timeout)

    async def disable(self, token: str, *, timeout: Timeout = None) -> RecurrentTokenInfo:
        """``recurrent/disable``: no more charges with this token; returns it inactive."""
        body = {"recurrent": RecurrentToken(token=require_id(token, "token"))}
        return await self._call(DISABLE, body, RecurrentTokenInfo, key="recurrent", timeout=timeout)
