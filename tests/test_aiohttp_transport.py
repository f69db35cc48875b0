"""The aiohttp backend maps every failure to the same "was it sent?" answer as httpx does.

Real sockets on 127.0.0.1: a server that refuses, one that hangs up after reading the request,
one that never answers, and a pool that is full.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import socket
from collections.abc import AsyncIterator, Awaitable, Callable

import httpx
import pytest
import pytest_asyncio
from cryptography.hazmat.primitives.asymmetric import rsa

from bank131_async import AsyncBank131, RetryPolicy
from bank131_async.aiohttp_transport import AiohttpTransport
from bank131_async.errors import RequestTimeoutError, TransportConnectionError

OK = json.dumps({"status": "ok", "session": {"id": "ps_1", "status": "in_progress"}}).encode()
FAST = RetryPolicy(max_retries=1, initial_backoff=0.001, max_backoff=0.002)

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


async def read_request(reader: asyncio.StreamReader) -> bytes:
    head = await reader.readuntil(b"\r\n\r\n")
    length = next(
        int(line.split(b":", 1)[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    )
    return await reader.readexactly(length)


async def respond(writer: asyncio.StreamWriter, body: bytes, extra: bytes = b"") -> None:
    writer.write(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
        + extra
        + b"Content-Length: "
        + str(len(body)).encode()
        + b"\r\n\r\n"
        + body
    )
    await writer.drain()


class Server:
    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.requests = 0
        self.url = ""

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                await self.handler(reader, writer)
                self.requests += 1
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


async def serve(handler: Handler) -> AsyncIterator[Server]:
    server = Server(handler)
    srv = await asyncio.start_server(server.handle, "127.0.0.1", 0)
    server.url = f"http://127.0.0.1:{srv.sockets[0].getsockname()[1]}"
    async with srv:
        yield server
        srv.close()


def client(key: rsa.RSAPrivateKey, url: str, **kw: object) -> AsyncBank131:
    return AsyncBank131(
        project="p",
        private_key=key,
        base_url=url,
        http_backend="aiohttp",
        retry_policy=FAST,
        **kw,  # type: ignore[arg-type]
    )


@pytest_asyncio.fixture
async def answering() -> AsyncIterator[Server]:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        await respond(writer, OK)

    async for server in serve(handler):
        yield server


@pytest_asyncio.fixture
async def hanging_up() -> AsyncIterator[Server]:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.close()  # processed, no answer
        raise ConnectionError

    async for server in serve(handler):
        yield server


@pytest_asyncio.fixture
async def silent() -> AsyncIterator[Server]:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        await asyncio.sleep(10)

    async for server in serve(handler):
        yield server


@pytest.mark.asyncio
async def test_round_trip(answering: Server, partner_key: rsa.RSAPrivateKey) -> None:
    async with client(partner_key, answering.url) as bank:
        sessions = await asyncio.gather(*(bank.sessions.status("ps_1") for _ in range(20)))
    assert {s.id for s in sessions} == {"ps_1"}
    assert answering.requests == 20


@pytest.mark.asyncio
async def test_refused_connection_was_not_sent(partner_key: rsa.RSAPrivateKey) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    async with client(partner_key, f"http://127.0.0.1:{port}") as bank:
        with pytest.raises(TransportConnectionError) as info:
            await bank.sessions.confirm("ps_1", idempotency_key="k")
    assert info.value.request_sent is False
    assert info.value.attempts == 2  # not sent: retried even though nothing answered


@pytest.mark.asyncio
async def test_hang_up_after_the_request_may_have_been_processed(
    hanging_up: Server, partner_key: rsa.RSAPrivateKey
) -> None:
    async with client(partner_key, hanging_up.url) as bank:
        with pytest.raises(TransportConnectionError) as info:
            await bank.sessions.confirm("ps_1", idempotency_key="k")
    assert info.value.request_sent is True
    assert info.value.idempotency_key == "k"


@pytest.mark.asyncio
async def test_read_timeout_may_have_been_processed(
    silent: Server, partner_key: rsa.RSAPrivateKey
) -> None:
    async with client(partner_key, silent.url, timeout=httpx.Timeout(5.0, read=0.1)) as bank:
        with pytest.raises(RequestTimeoutError) as info:
            await bank.sessions.confirm("ps_1")
    assert info.value.request_sent is True
    assert info.value.attempts == 2


@pytest.mark.asyncio
async def test_waiting_for_a_free_connection_times_out_as_not_sent(
    partner_key: rsa.RSAPrivateKey,
) -> None:
    transport = AiohttpTransport(max_connections=1)
    async for server in serve(lambda r, w: asyncio.sleep(10)):
        async with httpx.AsyncClient(transport=transport) as http:
            hog = asyncio.create_task(
                http.post(server.url, content=b"{}", timeout=httpx.Timeout(5.0))
            )
            await asyncio.sleep(0.05)
            with pytest.raises(httpx.ConnectTimeout):
                await http.post(
                    server.url, content=b"{}", timeout=httpx.Timeout(5.0, pool=0.1, connect=0.1)
                )
            hog.cancel()
            with pytest.raises(asyncio.CancelledError):
                await hog


@pytest.mark.asyncio
async def test_compressed_answers_are_decoded_once(partner_key: rsa.RSAPrivateKey) -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        await respond(writer, gzip.compress(OK), b"Content-Encoding: gzip\r\n")

    async for server in serve(handler):
        async with client(partner_key, server.url) as bank:
            session = await bank.sessions.status("ps_1")
    assert session.id == "ps_1"


@pytest.mark.asyncio
async def test_closing_the_client_closes_the_aiohttp_session(
    answering: Server, partner_key: rsa.RSAPrivateKey
) -> None:
    transport = AiohttpTransport()
    async with httpx.AsyncClient(transport=transport) as http:
        response = await http.post(answering.url, content=b"{}")
        assert response.status_code == 200
        session = transport._session
        assert session is not None
        assert not session.closed
    assert session.closed


def test_backend_conflicts_are_configuration_errors(partner_key: rsa.RSAPrivateKey) -> None:
    from bank131_async.errors import ConfigurationError

    with pytest.raises(ConfigurationError, match="do not pass transport"):
        AsyncBank131(
            project="p",
            private_key=partner_key,
            http_backend="aiohttp",
            transport=httpx.MockTransport(lambda r: httpx.Response(200)),
        )
    with pytest.raises(ConfigurationError, match="'httpx' or 'aiohttp'"):
        AsyncBank131(project="p", private_key=partner_key, http_backend="curl")  # type: ignore[arg-type]
