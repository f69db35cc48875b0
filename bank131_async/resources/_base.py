"""What every resource shares: the transport, the API version, the body builder, and the one
way a session answer becomes a :class:`~bank131_async.models.Session`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol, TypeVar

import httpx

from .._logging import logger
from .._transport import Endpoint, Transport, parse_result
from ..converter import dumps, envelope_session
from ..errors import (
    Bank131Error,
    IdempotencyConflictError,
    RequestValidationError,
    SessionWrongStateError,
)
from ..models.sessions import Session

__all__ = ["SESSION_STATUS", "Resource", "SessionSink", "Timeout", "require_id"]

T = TypeVar("T")
Timeout = float | httpx.Timeout | None

#: ``session/status``: how a session call whose repeat the bank says is done is reconciled.
SESSION_STATUS = Endpoint("session/status", read_only=True)


class SessionSink(Protocol):
    """Where session answers go besides the caller (the client's webhook hub, which then
    starts webhook-driven waits from what the client last saw)."""

    @property
    def active(self) -> bool: ...

    def publish(self, session: Session) -> bool: ...


def require_id(value: str, name: str = "session_id") -> str:
    if not isinstance(value, str) or not value.strip():
        raise RequestValidationError(f"{name} must be a non-empty string, got {value!r:.80}")
    return value


class Resource:
    """Base of the endpoint groups: thin methods over :meth:`Transport.request`."""

    __slots__ = ("_api_version", "_sessions_seen", "_transport")

    def __init__(
        self,
        transport: Transport,
        api_version: str = "v2",
        *,
        sessions_seen: SessionSink | None = None,
    ) -> None:
        self._transport = transport
        self._api_version = api_version
        self._sessions_seen = sessions_seen

    async def _request(
        self,
        endpoint: Endpoint,
        body: dict[str, Any] | list[Any],
        *,
        idempotency_key: str | None = None,
        timeout: Timeout = None,
        path_params: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        """Serialise ``body`` once (``None`` values dropped, keys spelled for the method's
        API version) and send it."""
        version = endpoint.version or self._api_version
        return await self._transport.request(
            endpoint,
            dumps(body, api_version=version, spelling=endpoint.spelling),
            version=version,
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
        timeout: Timeout = None,
        path_params: Mapping[str, str] | None = None,
        raw: bool = False,
    ) -> T:
        """Send and parse: the whole envelope into ``result``, or only ``envelope[key]``;
        ``raw=True`` keeps the whole envelope in the result's ``raw`` field."""
        data = await self._request(
            endpoint,
            body,
            idempotency_key=idempotency_key,
            timeout=timeout,
            path_params=path_params,
        )
        payload = data if key is None else data.get(key)
        return parse_result(
            payload, result, f"the response's {key or 'body'}", raw=data if raw else None
        )

    async def _session(
        self,
        endpoint: Endpoint,
        body: dict[str, Any],
        *,
        idempotency_key: str | None = None,
        timeout: Timeout = None,
    ) -> Session:
        """Send a call answered by ``{status, session, confirm_information?}`` and return the
        Session; every session answer of every resource goes through here (and so feeds the
        client's webhook-driven waits).

        When an earlier attempt of this call may have reached the bank (its answer was lost),
        the bank's answer to the repeat can be "that already happened": an idempotency
        conflict, or ``session_wrong_state`` from a bank that does not de-duplicate the
        method. For calls on a known session the truthful result is then the session's
        current state, read with ``session/status``. The same answers to a first attempt (or
        after attempts that certainly did not reach the bank) are the caller's mistake and
        surface as errors.
        """
        session_id = body.get("session_id")
        try:
            data = await self._request(
                endpoint, body, idempotency_key=idempotency_key, timeout=timeout
            )
        except (IdempotencyConflictError, SessionWrongStateError) as exc:
            if not exc.answers_a_repeat or session_id is None:
                raise
            logger.info(
                "%s: %s after an attempt that may have been processed (idempotency key %s); "
                "returning the session's status",
                endpoint.path,
                exc.code,
                exc.idempotency_key,
            )
            try:
                data = await self._request(
                    SESSION_STATUS, {"session_id": session_id}, timeout=timeout
                )
            except Bank131Error as unread:
                # The operation was processed; only reading its result failed. The caller
                # gets the error that says so, not the status call's (which may read "not
                # sent" and describes another request).
                raise exc from unread
        session = parse_result(envelope_session(data), Session, "the response's session")
        sink = self._sessions_seen
        if sink is not None and sink.active:
            sink.publish(session)
        return session
