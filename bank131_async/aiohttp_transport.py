"""An httpx transport backed by aiohttp, for high-concurrency payout scripts (asyncio only).

httpx's own connection pool rescans every connection for every waiting request, so its
throughput collapses at 100 concurrent requests (encode/httpx#3215; see ``benchmarks/``).
aiohttp's pool does not. Enable it with ``AsyncBank131(..., http_backend="aiohttp")`` after
``pip install 'bank131-async[aiohttp]'``.

The one thing this module must get right is the failure mapping, because the SDK decides from
it whether money may have moved: only failures that happen before the request could leave this
process map to ``httpx.ConnectError``/``httpx.ConnectTimeout`` ("not sent", always retried);
everything after -- a peer that hangs up, a read timeout, a broken payload -- maps to
read/protocol errors ("may have been processed").
"""

from __future__ import annotations

import httpx

try:
    import aiohttp
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ImportError(
        "http_backend='aiohttp' needs aiohttp: pip install 'bank131-async[aiohttp]'"
    ) from exc

__all__ = ["AiohttpTransport"]


class AiohttpTransport(httpx.AsyncBaseTransport):
    """Sends httpx requests through one ``aiohttp.ClientSession`` (created on first use,
    inside the running event loop) with at most ``max_connections`` connections."""

    def __init__(self, max_connections: int = 100) -> None:
        self._max_connections = max_connections
        self._session: aiohttp.ClientSession | None = None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._max_connections, limit_per_host=0),
                # httpx decodes Content-Encoding itself from the raw bytes we hand back.
                auto_decompress=False,
                cookie_jar=aiohttp.DummyCookieJar(),
                trust_env=False,
            )
        return self._session

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        timeouts = request.extensions.get("timeout", {})
        timeout = aiohttp.ClientTimeout(
            total=None,
            # aiohttp's `connect` covers waiting for a pooled connection *plus* connecting, so
            # the sum is the bound that never fails earlier than httpx would. (In the SDK the
            # pool rarely waits: requests queue on the client's semaphore before reaching it.)
            connect=_sum(timeouts.get("pool"), timeouts.get("connect")),
            sock_connect=timeouts.get("connect"),
            sock_read=timeouts.get("read"),
        )
        try:
            async with self._client().request(
                request.method,
                str(request.url),
                headers=list(request.headers.multi_items()),
                data=request.content,
                timeout=timeout,
                allow_redirects=False,
                skip_auto_headers=("User-Agent", "Content-Type", "Accept-Encoding"),
            ) as response:
                content = await response.read()
                return httpx.Response(
                    response.status,
                    headers=response.raw_headers,
                    content=content,
                    request=request,
                )
        except aiohttp.ConnectionTimeoutError as exc:
            raise httpx.ConnectTimeout(str(exc) or "connect timeout", request=request) from exc
        except aiohttp.ClientConnectorError as exc:
            raise httpx.ConnectError(str(exc), request=request) from exc
        except aiohttp.ServerDisconnectedError as exc:
            raise httpx.RemoteProtocolError(
                str(exc) or "server disconnected", request=request
            ) from exc
        except TimeoutError as exc:  # aiohttp's SocketTimeoutError and total timeouts
            raise httpx.ReadTimeout(str(exc) or "read timeout", request=request) from exc
        except aiohttp.ClientError as exc:
            raise httpx.ReadError(str(exc) or type(exc).__name__, request=request) from exc

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


def _sum(*parts: float | None) -> float | None:
    if any(p is None for p in parts):
        return None
    return sum(p for p in parts if p is not None)
