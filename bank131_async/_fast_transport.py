"""The default client's fast path: the SDK's own requests go straight to aiohttp on asyncio.

``httpx.AsyncClient`` costs about 110 µs of CPU per request before its transport runs, and its
default pool costs more per request the more connections it holds (encode/httpx#3215); a
hand-written aiohttp client pays neither. So when the SDK built the HTTP client itself, its
requests skip the ``AsyncClient`` layer and go through one ``aiohttp.ClientSession``.
:meth:`FastSender.usable` keeps that invisible, checked on every request:

* **a user's HTTP mocks win**: while any method through which httpx sends (``AsyncClient``'s
  send path, ``AsyncHTTPTransport``, httpcore's pool and connections) is not httpx's or
  httpcore's own -- ``respx.mock`` with any ``using=``, pytest-httpx's ``httpx_mock``,
  ``unittest.mock.patch`` -- requests go through the ``AsyncClient``, exactly as plain httpx
  would send them, so the mock sees them;
* **proxies**: the ``AsyncClient`` reads ``HTTP(S)_PROXY``/``ALL_PROXY``/``NO_PROXY`` when it is
  built, as httpx always does; a URL that it would send through a proxy is sent through it;
* **trio** (or any loop that is not asyncio): through the ``AsyncClient``;
* **TLS**: verified with httpx's own default context (certifi, ``SSL_CERT_FILE``/``_DIR``).

Failures are mapped to the httpx exceptions the pipeline classifies, and the mapping is the
one thing this module must get exactly right: only what happens before a byte of the request
can have left (connecting, waiting for a pooled connection) becomes ``ConnectError`` /
``ConnectTimeout`` ("not sent"); everything after becomes a read/protocol error ("may have been
processed"). Tested over real sockets in ``tests/test_fast_transport.py``.

One ``ClientSession`` per event loop: when the client is used from a new loop (a new
``asyncio.run``, pytest-asyncio's function-scoped loops), the old loop's connections are closed
and a new session opens.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from collections.abc import Mapping
from typing import Any

import httpcore
import httpx

try:
    import aiohttp
except ImportError:  # pragma: no cover - aiohttp is a dependency; tolerate a broken install
    aiohttp = None  # type: ignore[assignment]

__all__ = ["FastSender"]

# Every method a mocking library patches to intercept httpx's async requests. While any of
# them is not httpx's/httpcore's own function, the request goes through httpx.
_WATCHED: tuple[tuple[type[Any], str], ...] = (
    (httpx.AsyncClient, "request"),
    (httpx.AsyncClient, "post"),
    (httpx.AsyncClient, "send"),  # unittest.mock users, older vcrpy
    (httpx.AsyncClient, "_send_single_request"),  # vcrpy
    (httpx.AsyncClient, "_transport_for_url"),  # respx.mock(using="httpx")
    (httpx.AsyncHTTPTransport, "handle_async_request"),  # pytest-httpx
    (httpcore.AsyncConnectionPool, "handle_async_request"),  # respx (using="httpcore")
    (httpcore.AsyncHTTPConnection, "handle_async_request"),  # respx
    (httpcore.AsyncHTTPProxy, "handle_async_request"),  # respx
)
_INSTANCE_HOOKS = frozenset(name for cls, name in _WATCHED if cls is httpx.AsyncClient)
_OWN_MODULES = ("httpx", "httpcore")


def _own(function: object) -> bool:
    module = getattr(function, "__module__", None)
    return isinstance(module, str) and module.split(".", 1)[0] in _OWN_MODULES


class _MockWatch:
    """Remembers the watched functions last found to be httpx's own, so the check on each
    request is a handful of identity comparisons."""

    __slots__ = ("_clean",)

    def __init__(self) -> None:
        self._clean: tuple[object, ...] = ()

    def active(self) -> bool:
        clean = self._clean
        if clean:
            for (cls, name), function in zip(_WATCHED, clean, strict=True):
                if getattr(cls, name, None) is not function:
                    break
            else:
                return False
        current = tuple(getattr(cls, name, None) for cls, name in _WATCHED)
        if all(f is None or _own(f) for f in current):
            self._clean = current
            return False
        return True


_watch = _MockWatch()


def mocks_active() -> bool:
    """Whether some library has patched httpx's or httpcore's async send path right now."""
    return _watch.active()


class FastSender:
    """Sends through aiohttp when no one would notice (see the module docstring)."""

    __slots__ = (
        "_direct",
        "_http",
        "_limit",
        "_loop",
        "_session",
        "_ssl",
        "_timeouts",
        "_transport",
    )

    def __init__(self, http: httpx.AsyncClient, max_connections: int) -> None:
        self._http = http
        self._transport = http._transport
        self._limit = max_connections
        self._session: aiohttp.ClientSession | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._ssl: ssl.SSLContext | None = None
        self._timeouts: dict[tuple[float | None, ...], aiohttp.ClientTimeout] = {}
        # URL prefix -> whether httpx would send it without a proxy (decided once per host).
        self._direct: dict[str, bool] = {}

    @staticmethod
    def available() -> bool:
        return aiohttp is not None

    def usable(self, url: str) -> bool:
        """Whether ``url`` may go the fast way now: asyncio, no active mock, no proxy."""
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return False  # trio (or no loop): httpx
        if _watch.active():
            return False
        http = self._http
        if http._transport is not self._transport or (http.__dict__.keys() & _INSTANCE_HOOKS):
            return False  # someone swapped the client's transport or patched the instance
        direct = self._direct.get(url)
        if direct is None:
            direct = self._is_direct(url)
            if len(self._direct) < 1024:  # bounded: URLs hold ids only in KYC paths
                self._direct[url] = direct
        return direct

    def _is_direct(self, url: str) -> bool:
        """httpx would send ``url`` without a proxy (HTTP(S)_PROXY, ALL_PROXY, NO_PROXY)."""
        parsed = httpx.URL(url)
        return (
            parsed.scheme in ("http", "https")
            and self._http._transport_for_url(parsed) is self._transport
        )

    def _client(self) -> aiohttp.ClientSession:
        loop = asyncio.get_running_loop()
        session = self._session
        if session is not None and self._loop is loop and not session.closed:
            return session
        if session is not None:
            _discard(session, self._loop)
        self._loop = loop
        self._session = session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(
                limit=self._limit, limit_per_host=0, ssl=self._ssl_context()
            ),
            cookie_jar=aiohttp.DummyCookieJar(),
            # The AsyncClient decided proxies already (see usable()); never again here.
            trust_env=False,
            # Bodies are bytes, so aiohttp sets Content-Length; the SDK sets the rest.
            skip_auto_headers=("Content-Type",),
        )
        return session

    def _ssl_context(self) -> ssl.SSLContext | bool:
        if self._ssl is None:
            # httpx's default verification: certifi, or SSL_CERT_FILE / SSL_CERT_DIR.
            self._ssl = httpx.create_ssl_context(trust_env=True)
        return self._ssl

    def _timeout(self, timeout: httpx.Timeout) -> aiohttp.ClientTimeout:
        key = (timeout.connect, timeout.read, timeout.write, timeout.pool)
        cached = self._timeouts.get(key)
        if cached is None:
            cached = self._timeouts[key] = aiohttp.ClientTimeout(
                total=None,
                # aiohttp's `connect` covers waiting for a pooled connection *plus* connecting:
                # the sum never fails earlier than httpx would. (The SDK queues excess calls on
                # its own semaphore, so the pool itself rarely waits.)
                connect=_sum(timeout.pool, timeout.connect),
                sock_connect=timeout.connect,
                sock_read=timeout.read,
            )
        return cached

    async def send(
        self,
        method: str,
        url: str,
        body: bytes,
        headers: Mapping[str, str],
        timeout: httpx.Timeout,
    ) -> httpx.Response:
        session = self._client()
        try:
            async with session.request(
                method,
                url,
                data=body,
                headers=headers,
                timeout=self._timeout(timeout),
                allow_redirects=False,
            ) as response:
                content = await response.read()
                status = response.status
                raw_headers = response.raw_headers
        except aiohttp.ConnectionTimeoutError as exc:  # waiting for/opening a connection
            raise httpx.ConnectTimeout(_text(exc, "connect timeout"), request=None) from exc
        except aiohttp.ClientConnectorError as exc:  # refused, DNS, TLS handshake
            raise httpx.ConnectError(_text(exc, "connect error")) from exc
        except aiohttp.ServerDisconnectedError as exc:
            raise httpx.RemoteProtocolError(_text(exc, "server disconnected")) from exc
        except TimeoutError as exc:  # aiohttp's read timeout
            raise httpx.ReadTimeout(_text(exc, "read timeout")) from exc
        except aiohttp.ClientError as exc:  # reset, broken answer: after the request left
            raise httpx.ReadError(_text(exc, type(exc).__name__)) from exc
        except ValueError as exc:  # an URL or header aiohttp refuses, before sending
            raise httpx.UnsupportedProtocol(_text(exc, "invalid request")) from exc
        return _Answer(status, raw_headers, content, method, url)

    async def aclose(self) -> None:
        session, self._session = self._session, None
        loop, self._loop = self._loop, None
        if session is None:
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop and running is not None:
            await session.close()
        else:
            _discard(session, loop)


class _Answer(httpx.Response):
    """An httpx answer built from what aiohttp read, at a third of ``httpx.Response``'s cost.

    The body is already read, so it is attached as read (``stream=`` skips httpx's re-reading
    it through its decoders). aiohttp has already undone any ``Content-Encoding``, so that
    header is left out: nobody may decode the body a second time. ``request`` is built only
    if someone asks (error messages do).
    """

    def __init__(
        self,
        status: int,
        raw_headers: Any,
        content: bytes,
        method: str,
        url: str,
    ) -> None:
        headers = [
            (name, value) for name, value in raw_headers if name.lower() != b"content-encoding"
        ]
        super().__init__(status, headers=headers, stream=httpx.ByteStream(content))
        self._content = content
        self.is_stream_consumed = True
        self.is_closed = True
        self._lazy_request = (method, url)

    @property
    def request(self) -> httpx.Request:
        if self._request is None:
            self._request = httpx.Request(*self._lazy_request)
        return self._request

    @request.setter
    def request(self, value: httpx.Request) -> None:
        self._request = value


def _discard(session: aiohttp.ClientSession, loop: asyncio.AbstractEventLoop | None) -> None:
    """Close a session that belongs to another loop, without running that loop.

    If that loop is closed (a finished ``asyncio.run``), it can never close its connections, so
    their sockets are closed here; otherwise aiohttp schedules the closing on that loop.
    Either way the session counts as closed and nothing is left to warn about.
    """
    connector = session.connector
    if connector is None:
        return
    if loop is None or loop.is_closed():
        protocols = [p for entries in connector._conns.values() for p, _ in entries]
        protocols += list(connector._acquired)
        for protocol in protocols:
            transport = getattr(protocol, "transport", None)
            sock = getattr(transport, "_sock", None)
            if sock is not None:
                sock.close()
                transport._sock = None  # type: ignore[union-attr]
    with contextlib.suppress(Exception):
        connector._close()


def _text(exc: BaseException, default: str) -> str:
    return str(exc) or default


def _sum(*parts: float | None) -> float | None:
    if any(p is None for p in parts):
        return None
    return sum(p for p in parts if p is not None)
