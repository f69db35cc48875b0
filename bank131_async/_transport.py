"""The one request pipeline: sign the exact bytes, send, classify, retry what is safe, decode.

Every Bank 131 call is a POST, so whether a call is read-only is declared on its
:class:`Endpoint`, next to its path, not inferred from the HTTP verb.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import time
import uuid
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any, TypeVar
from urllib.parse import quote

import anyio
import attrs
import httpx

from ._fast_transport import FastSender
from ._json import JsonDepthError, loads
from ._logging import excerpt, logger
from ._retry import Outcome, RetryPolicy, answer_may_follow_processing, parse_retry_after
from ._signing_pool import SigningPool
from ._version import __version__
from .converter import StructureError, structure
from .errors import (
    ApiError,
    ClientClosedError,
    ConfigurationError,
    RateLimitError,
    RequestTimeoutError,
    ResponseDecodeError,
    TransportConnectionError,
    TransportError,
    error_from_response,
    processed_note,
)
from .response import ResponseInfo, capturing_answers, record_answer
from .signing import RequestSigner

__all__ = ["Endpoint", "Transport", "parse_result"]

T = TypeVar("T")

USER_AGENT = f"bank131-async/{__version__}"
_EXCERPT = 500
#: Signatures of read-only bodies kept for re-use (a polled session/status body repeats).
_SIGNATURE_CACHE = 4096


@attrs.frozen
class Endpoint:
    """One bank method.

    ``path`` is relative to ``/api/<version>/`` and may hold ``{name}`` placeholders filled
    (URL-quoted) from ``path_params``; ``version`` fixes the version for methods that exist in
    one version only (``None``: the caller passes it). ``read_only`` calls may always be
    repeated; ``idempotent`` means the bank de-duplicates this method by
    ``X-PARTNER-IDEMPOTENCY-KEY``, so a mutating call may be repeated with the same key. Both
    default to ``False``, the safe value: a new mutating endpoint whose flags were forgotten is
    never replayed after a request that may have reached the bank.
    ``spelling`` names a table of :data:`~bank131_async.converter.SPELLINGS` for methods that
    spell request keys their own way. ``host`` picks the base URL (``"api"`` or ``"kyc"``); ``header_signature=False`` is for
    KYC, whose signature travels inside the body; ``ok_statuses`` are the envelope statuses
    that mean success (KYC adds ``"pending"``).
    """

    path: str
    read_only: bool = False
    idempotent: bool = False
    version: str | None = None
    method: str = "POST"
    host: str = "api"
    header_signature: bool = True
    ok_statuses: frozenset[str] = frozenset({"ok"})
    spelling: str | None = None

    @property
    def sends_idempotency_key(self) -> bool:
        return not self.read_only and self.idempotent


@attrs.frozen(kw_only=True)
class _Attempt:
    """What one send produced: an HTTP answer, or the httpx error that stood in for it."""

    response: httpx.Response | None = None
    exc: httpx.HTTPError | None = None
    outcome: Outcome = Outcome.ANSWERED


_SESSION_ID = re.compile(rb'"session_id"\s*:\s*"([^"]{1,100})"')


def _log_attempt(
    endpoint: Endpoint, result: _Attempt, started: float, attempt: int, key: str | None, body: bytes
) -> None:
    """One line per attempt: DEBUG for an answer, INFO for a failure (the retry loop may still
    succeed; a final failure is raised). Method, path, status, duration, attempt, idempotency
    key and session id -- never the body, a signature or card data."""
    failed = result.exc is not None
    level = logging.INFO if failed else logging.DEBUG
    if not logger.isEnabledFor(level):
        return
    found = _SESSION_ID.search(body)
    session = found.group(1).decode("utf-8", "replace") if found else "-"
    if result.exc is not None:
        what = _describe(result.exc)
    else:
        assert result.response is not None
        what = str(result.response.status_code)
    logger.log(
        level,
        "%s %s -> %s in %.1f ms (attempt %d, idempotency key %s, session %s)",
        endpoint.method,
        endpoint.path,
        what,
        (time.perf_counter() - started) * 1000,
        attempt,
        key or "-",
        session,
    )


def _classify(exc: httpx.HTTPError) -> tuple[Outcome, type[TransportError], str]:
    # ConnectError/ConnectTimeout/PoolTimeout happen before a byte of the request left this
    # process; everything later (write, read, a peer that hangs up) may have been processed.
    if isinstance(exc, httpx.ConnectTimeout):
        return Outcome.NOT_SENT, RequestTimeoutError, "timed out connecting to the bank"
    if isinstance(exc, httpx.PoolTimeout):
        return Outcome.NOT_SENT, RequestTimeoutError, "timed out waiting for a free connection"
    if isinstance(exc, httpx.ConnectError):
        return Outcome.NOT_SENT, TransportConnectionError, "could not connect to the bank"
    if isinstance(exc, httpx.TimeoutException):
        return Outcome.MAYBE_SENT, RequestTimeoutError, "timed out waiting for the bank's answer"
    return Outcome.MAYBE_SENT, TransportConnectionError, "the connection failed before the answer"


def _describe(exc: BaseException) -> str:
    """The exception's type and text, with the operating system's reason from its causes
    ("Connection refused", "Name or service not known"), redacted."""
    text = str(exc).strip()
    reason = _os_reason(exc)
    if reason and reason.lower() not in text.lower():
        text = f"{text} ({reason})" if text else reason
    name = type(exc).__name__
    return excerpt(f"{name}: {text}", 300) if text else name


def _os_reason(exc: BaseException) -> str:
    seen = 0
    cause: BaseException | None = exc
    while cause is not None and seen < 10:
        if isinstance(cause, OSError):
            if isinstance(cause.errno, int) and cause.errno > 0:
                return os.strerror(cause.errno)  # asyncio's own text hides it
            if cause.strerror:
                return str(cause.strerror)
        cause = cause.__cause__ or cause.__context__
        seen += 1
    return ""


class Transport:
    """Owns nothing but references: the pooled client, the signer and the request settings."""

    __slots__ = (
        "_fast",
        "_headers",
        "_hosts",
        "_http",
        "_limiter",
        "_max_in_flight",
        "_policy",
        "_signatures",
        "_signer",
        "_signing",
        "_timeout",
        "home_loop",
        "used",
    )

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        base_url: str,
        kyc_base_url: str | None = None,
        project: str,
        signer: RequestSigner,
        submerchant: str | None,
        timeout: httpx.Timeout,
        policy: RetryPolicy,
        limiter: anyio.Semaphore,
        max_in_flight: int | None = None,
        signing: SigningPool | None = None,
        fast: FastSender | None = None,
    ) -> None:
        self._http = http
        #: The only event loop requests may come from (a client of an in-loop mock bank, whose
        #: server cannot answer while another loop runs); ``None``: any.
        self.home_loop: asyncio.AbstractEventLoop | None = None
        #: Whether a request was sent through this transport (an unclosed client that never
        #: sent one holds no connection worth a ResourceWarning).
        self.used = False
        self._hosts = {"api": base_url.rstrip("/")}
        if kyc_base_url:
            self._hosts["kyc"] = kyc_base_url.rstrip("/")
        self._signer = signer
        # Signs on the loop or in a helper process (see _signing_pool); None: on the loop.
        self._signing = signing
        # The default client's fast path (see _fast_transport); None: always httpx.
        self._fast = fast
        # PKCS#1 v1.5 is deterministic, so a read-only body (session/status of one session,
        # polled again and again by the wait helpers) needs signing once. Bounded, and only
        # for read-only calls: payout bodies are unique and would only churn the cache.
        self._signatures: OrderedDict[bytes, str] = OrderedDict()
        self._timeout = timeout
        self._policy = policy
        self._limiter = limiter
        # The limiter's size: requests on the network now = size - free tokens.
        self._max_in_flight = max_in_flight
        headers = {
            "Content-Type": "application/json",
            "Accept": "application/json",
            "User-Agent": USER_AGENT,
            "X-PARTNER-PROJECT": project,
        }
        if submerchant:
            headers["X-PARTNER-SUBMERCHANT"] = submerchant
        self._headers = headers

    def url(
        self, endpoint: Endpoint, version: str, path_params: Mapping[str, str] | None = None
    ) -> str:
        try:
            base = self._hosts[endpoint.host]
        except KeyError:
            raise ConfigurationError(
                f"{endpoint.path}: no base URL is configured for the {endpoint.host!r} host"
            ) from None
        path = endpoint.path
        if path_params:
            path = path.format_map({k: quote(v, safe="") for k, v in path_params.items()})
        return f"{base}/api/{endpoint.version or version}/{path}"

    async def request(
        self,
        endpoint: Endpoint,
        body: bytes,
        *,
        version: str = "v1",
        idempotency_key: str | None = None,
        timeout: float | httpx.Timeout | None = None,
        path_params: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        """Send ``body`` (already serialised, signed as is) and return the decoded ``ok`` JSON.

        Raises :class:`ApiError` (or a subclass) for error answers, :class:`TransportError`
        when no answer came, :class:`ResponseDecodeError` for answers that are not the
        documented JSON.
        """
        if self._http.is_closed:
            raise ClientClosedError(
                f"cannot call {endpoint.path}: the client is closed; make calls inside "
                "`async with AsyncBank131(...) as bank:`"
            )
        if self.home_loop is not None and asyncio.get_running_loop() is not self.home_loop:
            raise ConfigurationError(_OTHER_LOOP)
        self.used = True
        url = self.url(endpoint, version, path_params)
        headers = dict(self._headers)
        if endpoint.header_signature:
            # Signed once, before the first attempt: every retry re-sends these exact bytes
            # with this signature.
            headers["X-PARTNER-SIGN"] = await self._sign(body, endpoint.read_only)
        key: str | None = None
        if endpoint.sends_idempotency_key:
            # One key per logical call, reused by every retry: that is what lets the bank
            # recognise a repeat instead of paying twice.
            key = idempotency_key or str(uuid.uuid4())
            headers["X-PARTNER-IDEMPOTENCY-KEY"] = key
        replay_safe = endpoint.read_only or key is not None
        call_timeout = self._timeout if timeout is None else _as_timeout(timeout)

        attempt = 0
        # The first attempt that may have reached the bank. Once set it never clears: what the
        # caller finally gets describes the whole call, so a later "not sent" or 429 cannot
        # hide an earlier attempt that the bank may have processed.
        reached: int | None = None
        while True:
            attempt += 1
            started = time.perf_counter()
            result = await self._send(endpoint.method, url, body, headers, call_timeout)
            _log_attempt(endpoint, result, started, attempt, key, body)
            response = result.response
            answer = _Answer.read(response) if response is not None else None
            status = answer.status if answer is not None else None
            code = answer.code if answer is not None else None
            if reached is None and (
                result.outcome is Outcome.MAYBE_SENT
                or (answer is not None and answer_may_follow_processing(status, code))
            ):
                reached = attempt
            if not self._policy.should_retry(
                attempt=attempt,
                outcome=result.outcome,
                replay_safe=replay_safe,
                status=status,
                code=code,
            ):
                break
            retry_after = (
                parse_retry_after(response.headers.get("Retry-After"))
                if response is not None
                else None
            )
            delay = self._policy.delay(attempt, retry_after)
            if delay is None:
                break
            logger.info(
                "retrying %s after %s (attempt %d, sleeping %.2fs)",
                endpoint.path,
                code or status or result.outcome.value,
                attempt,
                delay,
            )
            await anyio.sleep(delay)

        call = _Call(endpoint.method, url, key, attempt, reached)
        if result.exc is not None:
            raise call.transport_error(result.exc) from result.exc
        assert response is not None
        assert answer is not None
        if capturing_answers():  # only under bank.with_raw_response: not on every request
            record_answer(
                ResponseInfo(
                    http_status=response.status_code,
                    headers=response.headers,
                    method=endpoint.method,
                    path=endpoint.path,
                    attempts=attempt,
                    idempotency_key=key,
                )
            )
        return _decode(response, answer, call, endpoint.ok_statuses)

    async def _sign(self, body: bytes, read_only: bool) -> str:
        """The signature of exactly ``body``: cached for read-only bodies, computed on the loop
        or handed to the signing helper when requests are in flight to overlap it with."""
        cache = self._signatures
        if read_only:
            cached = cache.get(body)
            if cached is not None:
                cache.move_to_end(body)
                return cached
        signing = self._signing
        if signing is None:
            signature = self._signer.sign(body)
        else:
            size = self._max_in_flight
            in_flight = size - int(self._limiter.value) if size is not None else 0
            signature = await signing.sign(body, in_flight)
        if read_only:
            cache[body] = signature
            if len(cache) > _SIGNATURE_CACHE:
                cache.popitem(last=False)
        return signature

    async def _send(
        self,
        method: str,
        url: str,
        body: bytes,
        headers: Mapping[str, str],
        timeout: httpx.Timeout,
    ) -> _Attempt:
        fast = self._fast
        try:
            async with self._limiter:
                # The fast path answers None for what only httpx may send (see FastSender).
                response = (
                    await fast.send(method, url, body, headers, timeout)
                    if fast is not None and fast.usable(url)
                    else None
                )
                if response is None:
                    response = await self._http.request(
                        method, url, content=body, headers=headers, timeout=timeout
                    )
        except httpx.HTTPError as exc:
            return _Attempt(exc=exc, outcome=_classify(exc)[0])
        return _Attempt(response=response)


@attrs.frozen
class _Call:
    """What the caller's error must describe: the whole call, every attempt."""

    method: str
    url: str
    key: str | None
    attempts: int
    #: The first attempt that may have reached the bank (``None``: none can have).
    reached: int | None

    @property
    def maybe_processed(self) -> bool:
        return self.reached is not None

    def answers_a_repeat(self) -> bool:
        """An attempt before the last may have reached the bank."""
        return self.reached is not None and self.reached < self.attempts

    def transport_error(self, exc: httpx.HTTPError) -> TransportError:
        _, cls, text = _classify(exc)
        tries = "1 attempt" if self.attempts == 1 else f"{self.attempts} attempts"
        message = f"{text}: {_describe(exc)} ({self.method} {self.url}, {tries})"
        if self.reached is None:
            message += "; the request was not sent: it is safe to send it again"
        else:
            if self.reached < self.attempts:
                message += f"; attempt {self.reached} may have reached the bank"
            message += "; " + processed_note(self.key, self.attempts)
        return cls(
            message,
            request_sent=self.maybe_processed,
            idempotency_key=self.key,
            attempts=self.attempts,
        )


_OTHER_LOOP = (
    "this mock runs on another event loop: the MockBank131 this client talks to was started in "
    "a different event loop than this request's (a session-scoped mock used from a "
    "function-scoped test?), so its server cannot answer. Set the loop scope of the test to "
    'the mock\'s (pytest-asyncio: @pytest.mark.asyncio(loop_scope="session") or '
    "asyncio_default_test_loop_scope = session in the pytest configuration), or use the "
    "bank131_mock fixture (MockBankThread), which answers from any event loop"
)


def _as_timeout(value: float | httpx.Timeout) -> httpx.Timeout:
    from .config import to_timeout

    return to_timeout(value)


@attrs.frozen
class _Answer:
    """An HTTP answer, parsed once: its JSON object (or why there is none) and error code."""

    status: int
    data: dict[str, Any] | None
    #: Why ``data`` is ``None``: the body is not a JSON object.
    problem: str = ""
    #: The bank's ``error.code`` of an error envelope.
    code: str | None = None

    @classmethod
    def read(cls, response: httpx.Response) -> _Answer:
        status = response.status_code
        try:
            data = loads(response.content)
        except JsonDepthError:
            return cls(status, None, "JSON nested too deep")
        except ValueError:
            return cls(status, None, "no JSON object")
        if not isinstance(data, dict):
            return cls(status, None, f"JSON {type(data).__name__}")
        error = data.get("error")
        code = error.get("code") if isinstance(error, dict) else None
        return cls(status, data, code=code if isinstance(code, str) else None)


def _decode(
    response: httpx.Response,
    answer: _Answer,
    call: _Call,
    ok_statuses: frozenset[str] = frozenset({"ok"}),
) -> dict[str, Any]:
    data = answer.data
    if data is None:
        raise _garbage(response, call, f"with {answer.problem} in the body")
    status = answer.status
    if status >= 400 or data.get("status") == "error":
        error: ApiError = error_from_response(
            data,
            http_status=status,
            idempotency_key=call.key,
            attempts=call.attempts,
            answers_a_repeat=call.answers_a_repeat(),
        )
        if isinstance(error, RateLimitError):
            error.retry_after = parse_retry_after(response.headers.get("Retry-After"))
        raise error
    envelope_status = data.get("status")
    if not isinstance(envelope_status, str) or envelope_status not in ok_statuses:
        expected = " or ".join(repr(s) for s in (*sorted(ok_statuses), "error"))
        raise _garbage(
            response, call, f"with status {str(envelope_status)[:50]!r}, expected {expected}"
        )
    return data


def _garbage(response: httpx.Response, call: _Call, what: str) -> ResponseDecodeError:
    status = response.status_code
    # An unreadable 2xx or 5xx may follow a processed request; a 4xx is a refusal.
    maybe = call.maybe_processed or status < 400 or answer_may_follow_processing(status)
    message = f"HTTP {status} from {response.request.url.path} {what}"
    if maybe:
        message += "; " + processed_note(call.key, call.attempts, earlier=call.answers_a_repeat())
    return ResponseDecodeError(
        message,
        http_status=status,
        body_excerpt=excerpt(response.content, _EXCERPT),
        idempotency_key=call.key,
        attempts=call.attempts,
        maybe_processed=maybe,
    )


def parse_result(data: Any, cls: type[T], what: str, *, raw: Mapping[str, Any] | None = None) -> T:
    """Structure ``data`` into ``cls`` (a ``raw_field()`` gets ``raw``); a shape the models do
    not accept is a :class:`ResponseDecodeError` naming the field's path."""
    try:
        return structure(data, cls, raw=raw)
    except StructureError as exc:
        raise ResponseDecodeError(
            f"could not parse {what} as {cls.__name__} (the bank answered ok): {exc}",
            body_excerpt=excerpt(json.dumps(data, ensure_ascii=False, default=str), _EXCERPT),
            maybe_processed=True,  # the bank answered ok: whatever was asked was done
        ) from None
