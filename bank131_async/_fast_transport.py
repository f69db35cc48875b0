"""The default client's fast path: the SDK's own requests skip ``httpx.AsyncClient`` on asyncio.

``httpx.AsyncClient`` costs about 110 µs of CPU per request before its transport runs, and its
default pool costs more per request the more connections it holds (encode/httpx#3215): the
SDK spent 800-2,500 µs per request on it, a hand-written aiohttp call ~100-140. So when the SDK
built the HTTP client itself, its requests go through :mod:`bank131_async._http11`, a minimal
keep-alive HTTP/1.1 client on asyncio protocols; the whole SDK call (signing aside) then costs
~90 µs. :meth:`FastSender.usable` keeps that invisible, checked on every request:

* **a user's HTTP mocks win**: while any method through which httpx sends (``AsyncClient``'s
  send path, ``AsyncHTTPTransport``, httpcore's pool and connections) is not httpx's or
  httpcore's own -- ``respx.mock`` with any ``using=``, pytest-httpx's ``httpx_mock``,
  ``unittest.mock.patch`` -- requests go through the ``AsyncClient``, exactly as plain httpx
  would send them, so the mock sees them;
* **proxies**: the ``AsyncClient`` reads ``HTTP(S)_PROXY``/``ALL_PROXY``/``NO_PROXY`` when it is
  built, as httpx always does; a URL that it would send through a proxy is sent through it;
* **trio** (or any loop that is not asyncio): through the ``AsyncClient``;
* anything unusual (credentials in the URL, a header value httpx would have to judge):
  through the ``AsyncClient``;
* **TLS**: verified with httpx's own default context (certifi, ``SSL_CERT_FILE``/``_DIR``).

Failures are mapped to the httpx exceptions the pipeline classifies, and the mapping is exact
because this code owns the socket: what fails before the request's first byte is written
(connecting, TLS, an idle connection found closed) becomes ``ConnectError``/``ConnectTimeout``
("not sent"); everything after becomes a read/protocol error ("may have been processed").
Tested over real sockets in ``tests/test_fast_transport.py``.

Connections belong to one event loop: when the client is used from a new loop (a new
``asyncio.run``, pytest-asyncio's function-scoped loops), the old loop's connections are closed
and new ones open.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Mapping
from typing import Any

import httpcore
import httpx

from ._http11 import ConnectTimedOut, MaybeSent, NotSent, Pool, ReadTimedOut, encode_request
from ._http11 import split_url as _split_url

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
    """Sends through :mod:`._http11` when no one would notice (see the module docstring).

    It opens at most one connection per request in flight, and the SDK's limiter bounds those
    to ``max_connections``: no pool limit or pool timeout of its own is needed.
    """

    __slots__ = (
        "_dict_size",
        "_direct",
        "_http",
        "_pool",
        "_ssl",
        "_targets",
        "_transport",
        "attempts",
    )

    def __init__(self, http: httpx.AsyncClient) -> None:
        self._http = http
        self._transport = http._transport
        self._dict_size = len(vars(http))
        self._pool: Pool | None = None
        self._ssl: ssl.SSLContext | None = None
        # URL -> whether httpx would send it straight, without a proxy (decided once).
        self._direct: dict[str, bool] = {}
        # URL -> (scheme, host, port, target, Host header).
        self._targets: dict[str, tuple[str, str, int, bytes, bytes]] = {}
        #: Requests this path tried to send (for tests and diagnostics).
        self.attempts = 0

    def usable(self, url: str) -> bool:
        """Whether ``url`` may go the fast way now: asyncio, no active mock, no proxy."""
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return False  # trio (or no loop): httpx
        if _watch.active():
            return False
        http = self._http
        if http._transport is not self._transport or (
            len(vars(http)) != self._dict_size and vars(http).keys() & _INSTANCE_HOOKS
        ):
            return False  # someone swapped the client's transport or patched the instance
        direct = self._direct.get(url)
        if direct is None:
            direct = self._is_direct(url)
            if len(self._direct) < 1024:  # bounded: URLs hold ids only in KYC paths
                self._direct[url] = direct
        return direct

    def _is_direct(self, url: str) -> bool:
        """httpx would send ``url`` without a proxy (HTTP(S)_PROXY, ALL_PROXY, NO_PROXY), and
        the URL is one this path sends (http/https, no credentials)."""
        parsed = httpx.URL(url)
        target = _split_url(parsed)
        if target is None:
            return False
        if len(self._targets) < 1024:
            self._targets[url] = target
        return self._http._transport_for_url(parsed) is self._transport

    def _pool_for(self, loop: asyncio.AbstractEventLoop) -> Pool:
        pool = self._pool
        if pool is not None and pool.loop is loop:
            return pool
        if pool is not None:
            pool.close()  # the previous loop's connections: unusable from this loop
        self._pool = pool = Pool(loop)
        return pool

    def _ssl_context(self) -> ssl.SSLContext:
        if self._ssl is None:
            # httpx's default verification: certifi, or SSL_CERT_FILE / SSL_CERT_DIR.
            self._ssl = httpx.create_ssl_context(trust_env=True)
        return self._ssl

    async def send(
        self,
        method: str,
        url: str,
        body: bytes,
        headers: Mapping[str, str],
        timeout: httpx.Timeout,
    ) -> httpx.Response | None:
        """The answer, or ``None`` when this request must go through httpx after all."""
        target = self._targets.get(url)
        if target is None:
            target = _split_url(httpx.URL(url))
            if target is None:
                return None
        scheme, host, port, path, netloc = target
        request = encode_request(method, path, netloc, headers, body)
        if request is None:
            return None
        pool = self._pool_for(asyncio.get_running_loop())
        key = (scheme, host, port)
        self.attempts += 1
        try:
            conn = pool.take(key)
            if conn is None:
                conn = await pool.connect(
                    key, self._ssl_context() if scheme == "https" else None, timeout.connect
                )
            try:
                status, raw_headers, content = await conn.exchange(request, timeout.read)
            except BaseException:
                pool.release(conn)
                raise
            pool.put(key, conn)
        except ConnectTimedOut as exc:
            raise httpx.ConnectTimeout(str(exc)) from exc
        except NotSent as exc:
            raise httpx.ConnectError(str(exc)) from exc
        except ReadTimedOut as exc:
            raise httpx.ReadTimeout(str(exc)) from exc
        except MaybeSent as exc:
            raise httpx.RemoteProtocolError(str(exc)) from exc
        return _Answer(status, raw_headers, content, method, url)

    async def aclose(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.close()


class _Answer(httpx.Response):
    """An httpx answer built from the bytes read, at a third of ``httpx.Response``'s cost.

    The body is attached as read (``stream=`` skips httpx's re-reading it through its
    decoders), unless it carries a ``Content-Encoding``: then httpx decodes it as it always
    would. ``request`` is built only if someone asks (error messages do).
    """

    def __init__(
        self,
        status: int,
        headers: list[tuple[bytes, bytes]],
        content: bytes,
        method: str,
        url: str,
    ) -> None:
        if any(name.lower() == b"content-encoding" for name, _ in headers):
            super().__init__(status, headers=headers, content=content)
        else:
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
