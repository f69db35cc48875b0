"""HTTP metadata of a call's answer: ``bank.with_raw_response(...)``.

Every method returns the parsed result (a ``Session``, a model); when you also need the HTTP
status, the headers, a request id or how many attempts the call took, wrap the call::

    response = await bank.with_raw_response(bank.sessions.status("ps_1"))
    response.http_status, response.headers["content-type"], response.attempts
    session = response.parsed

It works for every method, concurrently (the answer is captured per task, not per client).
A call that sends several requests (``wait_for_*``, a reconciled repeat) reports the last one.
"""

from __future__ import annotations

from collections.abc import Awaitable, Mapping
from contextvars import ContextVar
from typing import Generic, TypeVar

import attrs

from .errors import RequestValidationError

__all__ = ["RawResponse", "ResponseInfo", "capture_answer", "capturing_answers", "record_answer"]

T = TypeVar("T")

#: Headers a bank or a proxy in front of it may use for a request id (the bank documents none).
REQUEST_ID_HEADERS = ("x-request-id", "x-correlation-id", "request-id")


@attrs.frozen(kw_only=True)
class ResponseInfo:
    """The final HTTP answer of a call."""

    http_status: int
    headers: Mapping[str, str] = attrs.field(repr=False)
    method: str
    path: str
    #: How many times the request was sent (retries included).
    attempts: int
    #: The ``X-PARTNER-IDEMPOTENCY-KEY`` the call carried (generated or yours), if any.
    idempotency_key: str | None

    @property
    def request_id(self) -> str | None:
        """A request id header, when the bank or a proxy sends one."""
        for name in REQUEST_ID_HEADERS:
            value = self.headers.get(name)
            if value:
                return value
        return None


@attrs.frozen(kw_only=True)
class RawResponse(Generic[T]):
    """A parsed result and the HTTP answer it came from."""

    parsed: T
    info: ResponseInfo

    @property
    def http_status(self) -> int:
        """The HTTP status of the answer."""
        return self.info.http_status

    @property
    def headers(self) -> Mapping[str, str]:
        """The answer's headers."""
        return self.info.headers

    @property
    def request_id(self) -> str | None:
        """A request id header, when the bank or a proxy sends one."""
        return self.info.request_id

    @property
    def attempts(self) -> int:
        """How many times the request was sent (retries included)."""
        return self.info.attempts

    @property
    def idempotency_key(self) -> str | None:
        """The ``X-PARTNER-IDEMPOTENCY-KEY`` the call carried, if any."""
        return self.info.idempotency_key


_ANSWERS: ContextVar[list[ResponseInfo] | None] = ContextVar("bank131_answers", default=None)


def capturing_answers() -> bool:
    """Whether this task is inside :func:`capture_answer` (so an answer is worth recording)."""
    return _ANSWERS.get() is not None


def record_answer(info: ResponseInfo) -> None:
    """Called by the transport for every call's final answer; kept only inside a capture."""
    answers = _ANSWERS.get()
    if answers is not None:
        answers.append(info)


async def capture_answer(call: Awaitable[T]) -> RawResponse[T]:
    """Await ``call`` and return its result with the last HTTP answer it received."""
    answers: list[ResponseInfo] = []
    token = _ANSWERS.set(answers)
    try:
        parsed = await call
    finally:
        _ANSWERS.reset(token)
    if not answers:
        raise RequestValidationError(
            "with_raw_response: the awaited call sent no request to the bank; pass a call of "
            "the client, e.g. bank.with_raw_response(bank.sessions.status(session_id))"
        )
    return RawResponse(parsed=parsed, info=answers[-1])
