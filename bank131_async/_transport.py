"""The one request pipeline: sign the exact bytes, send, classify, retry what is safe, decode.

Every Bank 131 call is a POST, so whether a call is read-only is declared on its
:class:`Endpoint`, next to its path, not inferred from the HTTP verb.
"""

from __future__ import annotations

import functools
import json
import time
import uuid
from collections.abc import Callable, Mapping
from typing import Any, TypeVar
from urllib.parse import quote

import anyio
import attrs
import httpx

from ._logging import logger, redact
from ._retry import Outcome, RetryPolicy, parse_retry_after
from ._version import __version__
from .converter import structure
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
)
from .signing import RequestSigner

__all__ = ["Endpoint", "Transport", "parse_result"]

T = TypeVar("T")

USER_AGENT = f"bank131-async/{__version__}"
_EXCERPT = 500


@attrs.frozen
class Endpoint:
    """One bank method.

    ``path`` is relative to ``/api/<version>/`` and may hold ``{name}`` placeholders filled
    (URL-quoted) from ``path_params``; ``version`` fixes the version for methods that exist in
    one version only (``None``: the caller passes it). ``read_only`` calls may always be
    repeated; ``idempotent`` means the bank de-duplicates this method by
    ``X-PARTNER-IDEMPOTENCY-KEY``, so a mutating call may be repeated with the same key.
    ``host`` picks the base URL (``"api"`` or ``"kyc"``); ``header_signature=False`` is for
    KYC, whose signature travels inside the body; ``ok_statuses`` are the envelope statuses
    that mean success (KYC adds ``"pending"``).
    """

    path: str
    read_only: bool = False
    idempotent: bool = True
    version: str | None = None
    method: str = "POST"
    host: str = "api"
    header_signature: bool = True
    ok_statuses: frozenset[str] = frozenset({"ok"})

    @property
    def sends_idempotency_key(self) -> bool:
        return not self.read_only and self.idempotent


@attrs.frozen(kw_only=True)
class _Attempt:
    """What one send produced: an HTTP answer, or the error that stood in for it."""

    response: httpx.Response | None = None
    error: TransportError | None = None
    outcome: Outcome = Outcome.ANSWERED


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


class Transport:
    """Owns nothing but references: the pooled client, the signer and the request settings."""

    __slots__ = (
        "_headers",
        "_hosts",
        "_http",
        "_limiter",
        "_policy",
        "_sign_cached",
        "_signer",
        "_timeout",
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
    ) -> None:
        self._http = http
        self._hosts = {"api": base_url.rstrip("/")}
        if kyc_base_url:
            self._hosts["kyc"] = kyc_base_url.rstrip("/")
        self._signer = signer
        # PKCS#1 v1.5 is deterministic, so a read-only body (session/status of one session,
        # polled again and again by the wait helpers) needs signing once. Bounded, and only
        # for read-only calls: payout bodies are unique and would only churn the cache.
        self._sign_cached: Callable[[bytes], str] = functools.lru_cache(maxsize=4096)(signer.sign)
        self._timeout = timeout
        self._policy = policy
        self._limiter = limiter
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
        url = self.url(endpoint, version, path_params)
        headers = dict(self._headers)
        if endpoint.header_signature:
            sign = self._sign_cached if endpoint.read_only else self._signer.sign
            headers["X-PARTNER-SIGN"] = sign(body)
        key: str | None = None
        if endpoint.sends_idempotency_key:
            # One key per logical call, reused by every retry: that is what lets the bank
            # recognise a repeat instead of paying twice.
            key = idempotency_key or str(uuid.uuid4())
            headers["X-PARTNER-IDEMPOTENCY-KEY"] = key
        replay_safe = endpoint.read_only or key is not None
        call_timeout = self._timeout if timeout is None else _as_timeout(timeout)

        attempt = 0
        while True:
            attempt += 1
            result = await self._send(endpoint.method, url, body, headers, call_timeout)
            response = result.response
            status = response.status_code if response is not None else None
            if not self._policy.should_retry(
                attempt=attempt, outcome=result.outcome, status=status, replay_safe=replay_safe
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
                status if status is not None else result.outcome.value,
                attempt,
                delay,
            )
            await anyio.sleep(delay)

        if result.error is not None:
            result.error.idempotency_key = key
            result.error.attempts = attempt
            raise result.error
        assert response is not None
        return _decode(response, key, attempt, endpoint.ok_statuses)

    async def _send(
        self,
        method: str,
        url: str,
        body: bytes,
        headers: Mapping[str, str],
        timeout: httpx.Timeout,
    ) -> _Attempt:
        started = time.perf_counter()
        try:
            async with self._limiter:
                response = await self._http.request(
                    method, url, content=body, headers=headers, timeout=timeout
                )
        except httpx.HTTPError as exc:
            outcome, cls, text = _classify(exc)
            sent = outcome is not Outcome.NOT_SENT
            # INFO, not WARNING: the retry loop may still succeed; a final failure is raised.
            logger.info("%s %s: %s (%s)", method, url, text, type(exc).__name__)
            message = f"{text} ({type(exc).__name__}) on {method} {url}; " + (
                "the request may have been processed: reconcile before trying anything else"
                if sent
                else "the request was not sent"
            )
            error = cls(message, request_sent=sent)
            return _Attempt(error=error, outcome=outcome)
        logger.debug(
            "%s %s -> %d in %.1f ms",
            method,
            url,
            response.status_code,
            (time.perf_counter() - started) * 1000,
        )
        return _Attempt(response=response)


def _as_timeout(value: float | httpx.Timeout) -> httpx.Timeout:
    from .config import to_timeout

    return to_timeout(value)


def _excerpt(raw: bytes) -> str:
    return redact(raw[: _EXCERPT * 4].decode("utf-8", "replace"))[:_EXCERPT]


def _decode(
    response: httpx.Response,
    key: str | None,
    attempts: int,
    ok_statuses: frozenset[str] = frozenset({"ok"}),
) -> dict[str, Any]:
    raw = response.content
    status = response.status_code
    try:
        data = json.loads(raw)
    except ValueError:
        data = None
    if not isinstance(data, dict):
        what = "no JSON object" if data is None else f"JSON {type(data).__name__}"
        raise ResponseDecodeError(
            f"HTTP {status} from {response.request.url.path} with {what} in the body"
            + ("; the request may have been processed" if status < 400 else ""),
            http_status=status,
            body_excerpt=_excerpt(raw),
            idempotency_key=key,
        )
    if status >= 400 or data.get("status") == "error":
        error: ApiError = error_from_response(
            data, http_status=status, idempotency_key=key, attempts=attempts
        )
        if isinstance(error, RateLimitError):
            error.retry_after = parse_retry_after(response.headers.get("Retry-After"))
        raise error
    if data.get("status") not in ok_statuses:
        expected = " or ".join(repr(s) for s in (*sorted(ok_statuses), "error"))
        raise ResponseDecodeError(
            f"HTTP {status} with status {data.get('status')!r}, expected {expected}",
            http_status=status,
            body_excerpt=_excerpt(raw),
            idempotency_key=key,
        )
    return data


def parse_result(data: Any, cls: type[T], what: str) -> T:
    """Structure ``data`` into ``cls``; a shape the models do not accept is a decode error."""
    try:
        return structure(data, cls)
    except Exception as exc:  # cattrs raises a family of types; none may escape the SDK
        reason = (
            f"missing required field {exc.args[0]!r}"
            if isinstance(exc, KeyError) and exc.args
            else redact(str(exc))[:300]
        )
        raise ResponseDecodeError(
            f"could not parse {what} as {cls.__name__}: {reason}",
            body_excerpt=redact(json.dumps(data, ensure_ascii=False, default=str))[:_EXCERPT],
        ) from None
