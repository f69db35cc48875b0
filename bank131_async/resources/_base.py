"""What every resource shares: the transport, the API version and the body builder."""

from __future__ import annotations

from typing import Any

import httpx

from .._transport import Endpoint, Transport
from ..converter import dumps
from ..errors import RequestValidationError

__all__ = ["Resource", "require_id"]


def require_id(value: str, name: str = "session_id") -> str:
    if not isinstance(value, str) or not value.strip():
        raise RequestValidationError(f"{name} must be a non-empty string, got {value!r}")
    return value


class Resource:
    """Base of the endpoint groups: thin methods over :meth:`Transport.request`."""

    __slots__ = ("_api_version", "_transport")

    def __init__(self, transport: Transport, api_version: str = "v2") -> None:
        self._transport = transport
        self._api_version = api_version

    async def _request(
        self,
        endpoint: Endpoint,
        body: dict[str, Any],
        *,
        idempotency_key: str | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> dict[str, Any]:
        """Serialise ``body`` once (``None`` values dropped) and send it."""
        return await self._transport.request(
            endpoint,
            dumps(body),
            version=self._api_version,
            idempotency_key=idempotency_key,
            timeout=timeout,
        )
