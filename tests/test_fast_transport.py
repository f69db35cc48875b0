"""The default client's fast path: used when nothing would notice, never when something would.

Every test guards the network: a DNS lookup or connection that would leave 127.0.0.1 is
recorded and fails the test (a mock that the fast path bypassed would show up as a lookup of
``bank.test``).
"""

from __future__ import annotations

import asyncio
import json
import socket
import struct
from collections.abc import Awaitable, Callable, Iterator
from typing import Any
from unittest import mock

import httpx
import pytest
import respx
from cryptography.hazmat.primitives.asymmetric import rsa
from pytest_httpx import HTTPXMock

from bank131_async import AsyncBank131, RetryPolicy
from bank131_async._fast_transport import mocks_active
from bank131_async.errors import RequestTimeoutError, TransportConnectionError, TransportError
from tests.helpers import BASE_URL, make_client, session_envelope, verify_signature
from tests.servers import ThreadedServer, guard_loopback, threaded_server
from tests.stream_servers import read_request, respond, serve

SESSION = {"id": "ps_1", "status": "in_progress"}
STATUS_PATH = "/api/v2/session/status"
FAST = RetryPolicy(max_retries=1, initial_backoff=0.001, max_backoff=0.002)


@pytest.fixture
def escaped(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[object]]:
    seen = guard_loopback(monkeypatch)
    yield seen
    assert not seen, f"left 127.0.0.1: {seen}"


@pytest.fixture
def server() -> Iterator[ThreadedServer]:
    with threaded_server() as running:
        yield running


def used_fast_path(bank: AsyncBank131) -> bool:
    return bank._fast is not None and bank._fast.attempts > 0


def httpx_connections(bank: AsyncBank131) -> int:
    transport = bank._http._transport
    assert isinstance(transport, httpx.AsyncHTTPTransport)
    return len(transport._pool.connections)


async def statuses(bank: AsyncBank131, count: int) -> None:
    await asyncio.gather(*(bank.sessions.status(f"ps_{i}") for i in range(count)))


# --------------------------------------------------------------------------- when it is used


@pytest.mark.asyncio
async def test_a_default_client_sends_through_the_fast_path(
    server: ThreadedServer, partner_key: rsa.RSAPrivateKey, escaped: list[object]
) -> None:
    async with make_client(partner_key, base_url=server.url) as bank:
        await statuses(bank, 10)
        assert used_fast_path(bank)
        assert httpx_connections(bank) == 0  # the AsyncClient's pool was never needed
    assert len(server.requests) == 10
    for request in server.requests:
        # signed over exactly the bytes that arrived
        verify_signature(partner_key.public_key(), request.body, request.headers["X-PARTNER-SIGN"])
        assert request.headers["X-PARTNER-PROJECT"] == "test_project"
        assert request.headers["Content-Type"] == "application/json"


@pytest.mark.asyncio
async def test_an_injected_client_or_transport_is_used_as_given(
    server: ThreadedServer, partner_key: rsa.RSAPrivateKey, escaped: list[object]
) -> None:
    async with (
        httpx.AsyncClient() as http,
        make_client(partner_key, base_url=server.url, http_client=http) as bank,
    ):
        await statuses(bank, 3)
        assert bank._fast is None
        assert bank._signing is None
        assert bank._http is http
    transport = httpx.AsyncHTTPTransport()
    async with make_client(partner_key, base_url=server.url, transport=transport) as bank:
        await statuses(bank, 3)
        assert bank._fast is None
        assert len(transport._pool.connections) >= 1
    assert len(server.requests) == 6


@pytest.mark.asyncio
async def test_http_backend_httpx_always_sends_through_the_async_client(
    server: ThreadedServer, partner_key: rsa.RSAPrivateKey, escaped: list[object]
) -> None:
    async with make_client(partner_key, base_url=server.url, http_backend="httpx") as bank:
        await statuses(bank, 3)
        assert bank._fast is None
        assert httpx_connections(bank) >= 1
    assert len(server.requests) == 3


# --------------------------------------------------------------------------- a user's mocks


@pytest.mark.asyncio
@pytest.mark.parametrize("using", [None, "httpcore", "httpx"])
async def test_respx_intercepts_a_default_client(
    partner_key: rsa.RSAPrivateKey, escaped: list[object], using: str | None
) -> None:
    options: dict[str, Any] = {} if using is None else {"using": using}
    async with make_client(partner_key) as bank:  # built before the mock starts
        async with respx.mock(base_url=BASE_URL, **options) as router:
            route = router.post(STATUS_PATH).respond(200, content=session_envelope(SESSION))
            assert mocks_active()
            await statuses(bank, 5)
        assert route.call_count == 5
        assert not used_fast_path(bank)
        for call in route.calls:
            request = call.request
            verify_signature(
                partner_key.public_key(), request.content, request.headers["X-PARTNER-SIGN"]
            )
    assert not mocks_active()


@pytest.mark.asyncio
async def test_respx_router_used_as_a_decorator_intercepts_a_default_client(
    partner_key: rsa.RSAPrivateKey, escaped: list[object]
) -> None:
    @respx.mock(base_url=BASE_URL, assert_all_called=True)
    async def scenario(respx_mock: respx.Router) -> None:
        respx_mock.post(STATUS_PATH).respond(200, content=session_envelope(SESSION))
        async with make_client(partner_key) as bank:  # built while the mock is active
            session = await bank.sessions.status("ps_1")
        assert session.id == "ps_1"

    await scenario()


@pytest.mark.asyncio
async def test_pytest_httpx_intercepts_a_default_client(
    httpx_mock: HTTPXMock, partner_key: rsa.RSAPrivateKey, escaped: list[object]
) -> None:
    httpx_mock.add_response(
        method="POST",
        url=BASE_URL + STATUS_PATH,
        content=session_envelope(SESSION),
        is_reusable=True,
    )
    async with make_client(partner_key) as bank:
        await statuses(bank, 5)
        assert not used_fast_path(bank)
    requests = httpx_mock.get_requests()
    assert len(requests) == 5
    for request in requests:
        verify_signature(
            partner_key.public_key(), request.content, request.headers["X-PARTNER-SIGN"]
        )


@pytest.mark.asyncio
async def test_the_fast_path_returns_once_the_mock_is_gone(
    server: ThreadedServer, partner_key: rsa.RSAPrivateKey, escaped: list[object]
) -> None:
    async with make_client(partner_key, base_url=server.url) as bank:
        with respx.mock() as router:
            route = router.route().pass_through()  # lets loopback calls through, seen by respx
            await bank.sessions.status("ps_1")
            assert route.called
            assert not used_fast_path(bank)
        await bank.sessions.status("ps_2")
        assert used_fast_path(bank)
    assert len(server.requests) == 2


@pytest.mark.parametrize(
    "target",
    [
        "httpx.AsyncClient.send",
        "httpx.AsyncClient._send_single_request",
        "httpx.AsyncHTTPTransport.handle_async_request",
        "httpcore.AsyncConnectionPool.handle_async_request",
    ],
)
@pytest.mark.parametrize("autospec", [True, False])
def test_unittest_mock_patches_of_the_send_path_are_seen(target: str, autospec: bool) -> None:
    assert not mocks_active()
    with mock.patch(target, autospec=autospec):
        assert mocks_active()
    assert not mocks_active()


@pytest.mark.asyncio
async def test_a_patched_client_instance_is_respected(
    partner_key: rsa.RSAPrivateKey, escaped: list[object]
) -> None:
    sent: list[httpx.Request] = []
    async with make_client(partner_key) as bank:
        original = bank._http.request

        async def request(*args: Any, **kwargs: Any) -> httpx.Response:
            response = httpx.Response(200, content=session_envelope(SESSION))
            sent.append(bank._http.build_request(*args, **kwargs))
            return response

        bank._http.request = request  # type: ignore[method-assign]
        try:
            await bank.sessions.status("ps_1")
        finally:
            bank._http.request = original  # type: ignore[method-assign]
    assert len(sent) == 1


# --------------------------------------------------------------------------- proxies


@pytest.mark.asyncio
async def test_the_proxy_from_the_environment_is_used_like_plain_httpx(
    monkeypatch: pytest.MonkeyPatch,
    server: ThreadedServer,
    partner_key: rsa.RSAPrivateKey,
    escaped: list[object],
) -> None:
    # The local server plays the proxy; bank.test is never looked up, only the proxy's address.
    monkeypatch.setenv("HTTP_PROXY", server.url)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    async with make_client(partner_key, base_url="http://bank.test") as bank:
        await statuses(bank, 3)
        assert not used_fast_path(bank)
    assert [r.target for r in server.requests] == ["http://bank.test" + STATUS_PATH] * 3


@pytest.mark.asyncio
async def test_an_https_proxy_from_the_environment_gets_the_tunnel_request(
    monkeypatch: pytest.MonkeyPatch,
    server: ThreadedServer,
    partner_key: rsa.RSAPrivateKey,
    escaped: list[object],
) -> None:
    # HTTPS through a proxy is a CONNECT tunnel, which httpx opens: the fast path must leave
    # the request to it. (This proxy refuses tunnels, so the call fails, as plain httpx would.)
    monkeypatch.setenv("HTTPS_PROXY", server.url)
    for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    async with make_client(partner_key) as bank:  # https://bank.test
        with pytest.raises(TransportError):
            await bank.sessions.status("ps_1")
        assert not used_fast_path(bank)
    assert [r.target for r in server.requests] == ["CONNECT bank.test:443"]


@pytest.mark.asyncio
async def test_no_proxy_sends_directly_through_the_fast_path(
    monkeypatch: pytest.MonkeyPatch,
    partner_key: rsa.RSAPrivateKey,
    escaped: list[object],
) -> None:
    with threaded_server() as proxy, threaded_server() as origin:
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        monkeypatch.setenv("NO_PROXY", "127.0.0.1")
        async with make_client(partner_key, base_url=origin.url) as bank:
            await statuses(bank, 3)
            assert used_fast_path(bank)
        assert proxy.requests == []
        assert [r.target for r in origin.requests] == [STATUS_PATH] * 3


# --------------------------------------------------------------------------- trio


@pytest.mark.parametrize("anyio_backend", ["trio"])
@pytest.mark.anyio
async def test_a_default_client_works_under_trio(
    server: ThreadedServer, partner_key: rsa.RSAPrivateKey, escaped: list[object]
) -> None:
    import anyio

    async with make_client(partner_key, base_url=server.url) as bank:
        results: list[str] = []

        async def one(i: int) -> None:
            results.append((await bank.sessions.status(f"ps_{i}")).id)

        async with anyio.create_task_group() as group:
            for i in range(50):
                group.start_soon(one, i)
        assert results == ["ps_1"] * 50
        assert not used_fast_path(bank)  # aiohttp needs asyncio: httpx's transport instead
        assert bank._signing is not None
        assert bank._signing.helper_pid is None
    assert len(server.requests) == 50
    for request in server.requests:
        verify_signature(partner_key.public_key(), request.body, request.headers["X-PARTNER-SIGN"])


# --------------------------------------------------------------------------- failures


def reset(writer: asyncio.StreamWriter) -> None:
    """Close with an RST (SO_LINGER 0), not a FIN."""
    sock = writer.get_extra_info("socket")
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


async def reset_before_reading(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    reset(writer)


async def reset_after_reading(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await read_request(reader)
    reset(writer)


async def never_answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await read_request(reader)
    await reader.read()  # until the client gives up


def client(key: rsa.RSAPrivateKey, url: str, backend: str, **kw: Any) -> AsyncBank131:
    return AsyncBank131(
        project="p",
        private_key=key,
        base_url=url,
        retry_policy=FAST,
        http_backend=backend,  # type: ignore[arg-type]
        **kw,
    )


def keyed_confirm(bank: AsyncBank131) -> Awaitable[object]:
    return bank.sessions.confirm("ps_1", idempotency_key="k")


async def failure(
    key: rsa.RSAPrivateKey,
    url: str,
    backend: str,
    error: type[TransportError],
    call: Callable[[AsyncBank131], Awaitable[object]] = keyed_confirm,
    **client_options: Any,
) -> TransportError:
    """What ``call`` (a keyed confirm) raises through ``backend`` against ``url``; the default
    backend must have tried the fast path, httpx must not have."""
    async with client(key, url, backend, **client_options) as bank:
        with pytest.raises(error) as info:
            await call(bank)
        assert used_fast_path(bank) is (backend == "auto")
    return info.value


BACKENDS = pytest.mark.parametrize("backend", ["auto", "httpx"])


@pytest.mark.asyncio
@BACKENDS
async def test_a_refused_connection_was_not_sent(
    partner_key: rsa.RSAPrivateKey, escaped: list[object], backend: str
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    error = await failure(partner_key, url, backend, TransportConnectionError)
    assert error.request_sent is False
    assert error.maybe_processed is False
    assert error.attempts == 2  # not sent: always retried


@pytest.mark.asyncio
@BACKENDS
async def test_a_reset_after_the_request_was_read_may_have_been_processed(
    partner_key: rsa.RSAPrivateKey, escaped: list[object], backend: str
) -> None:
    async with serve(reset_after_reading) as server:
        error = await failure(partner_key, server.url, backend, TransportConnectionError)
    assert error.request_sent is True
    assert error.maybe_processed is True
    assert error.idempotency_key == "k"
    assert error.attempts == 2  # session/* carries a key: repeated with the same one


@pytest.mark.asyncio
@BACKENDS
async def test_a_reset_before_the_request_was_read_is_an_honest_transport_error(
    partner_key: rsa.RSAPrivateKey, escaped: list[object], backend: str
) -> None:
    # The server resets as soon as it accepts. Usually the client has already written the
    # request by then and cannot know whether it was read: "may have been sent". If the
    # reset arrives before the first byte is written, the fast path knows nothing left and
    # says "not sent" -- both are true; what must never happen is "not sent" after a write,
    # which the reset-after-reading test pins down.
    async with serve(reset_before_reading) as server:
        error = await failure(partner_key, server.url, backend, TransportConnectionError)
    assert error.maybe_processed is error.request_sent
    assert error.attempts == 2  # retried either way: not sent, or a keyed session call


@pytest.mark.asyncio
@BACKENDS
async def test_a_read_timeout_may_have_been_processed(
    partner_key: rsa.RSAPrivateKey, escaped: list[object], backend: str
) -> None:
    async with serve(never_answer) as server:
        error = await failure(
            partner_key,
            server.url,
            backend,
            RequestTimeoutError,
            lambda bank: bank.sessions.status("ps_1"),
            timeout=httpx.Timeout(5.0, read=0.1),
        )
    assert error.request_sent is True
    assert error.attempts == 2


@pytest.mark.asyncio
async def test_a_retry_resends_the_same_bytes_with_the_same_signature(
    partner_key: rsa.RSAPrivateKey, escaped: list[object]
) -> None:
    seen: list[tuple[bytes, bytes]] = []

    async def first_reset_then_answer(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        length = int(head.lower().split(b"content-length:", 1)[1].split(b"\r\n", 1)[0])
        body = await reader.readexactly(length)
        sign = next(
            line.split(b":", 1)[1].strip()
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"x-partner-sign:")
        )
        seen.append((body, sign))
        if len(seen) == 1:
            reset(writer)
            return
        await respond(writer, session_envelope(SESSION))

    async with (
        serve(first_reset_then_answer) as server,
        client(partner_key, server.url, "auto") as bank,
    ):
        session = await bank.sessions.confirm("ps_1", idempotency_key="k")
        assert used_fast_path(bank)
    assert session.id == "ps_1"
    assert len(seen) == 2
    assert seen[0] == seen[1]
    verify_signature(partner_key.public_key(), seen[0][0], seen[0][1].decode())
    assert json.loads(seen[0][0]) == {"session_id": "ps_1"}
