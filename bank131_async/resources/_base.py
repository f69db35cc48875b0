"""What every resource shares: the transport, the API version and the body builder."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

import httpx

from .._transport import Endpoint, Transport, parse_result
from ..converter import dumps
from ..errors import RequestValidationError

__all__ = ["Resource", "require_id"]

T = TypeVar("T")


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
        body: dict[str, Any] | list[Any],
        *,
        idempotency_key: str | None = None,
        timeout: float | httpx.Timeout | None = None,
        path_params: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        """Serialise ``body`` once (``None`` values dropped) and send it."""
        return await self._transport.request(
            endpoint,
            dumps(body),
            version=self._api_version,
            idempotency_key=idempotency_key,
            timeout=timeout,
            path_params=path_params,
        )

    async def _call(
        self,
        endpoint: Endpoint,
        body: dict[str, Any] | list[Any],
        result: type[T],
        *,
        key: str | None = None,
        idempotency_key: str | None = None,
        timeout: float | httpx.Timeout | None = None,
        path_params: Mapping[str, str] | None = None,
    ) -> T:
        """Send and parse: the whole envelope into ``result``, or only ``envelope[key]``."""
        data = await self._request(
            endpoint,
            body,
            idempotency_key=idempotency_key,
            timeout=timeout,
            path_params=path_params,
        )
        payload = data if key is None else data.get(key)
        return parse_result(payload, result, f"the response's {key or 'body'}")
