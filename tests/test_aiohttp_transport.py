"""The aiohttp backend maps every failure to the same "was it sent?" answer as httpx does.

Real sockets on 127.0.0.1: a server that refuses, one that hangs up after reading the request,
one that never answers, and a pool that is full.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import socket

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from bank131_async import AsyncBank131, RetryPolicy
from bank131_async.aiohttp_transport import AiohttpTransport
from bank131_async.errors import RequestTimeoutError, TransportConnectionError
from tests.stream_servers import read_request, respond, serve

OK = json.dumps({"status": "ok", "session": {"id": "ps_1", "status": "in_progress"}}).encode()
FAST = RetryPolicy(max_retries=1, initial_backoff=0.001, max_backoff=0.002)


def client(key: rsa.RSAPrivateKey, url: str, **kw: object) -> AsyncBank131:
    return AsyncBank131(
        project="p",
        private_key=key,
        base_url=url,
        http_backend="aiohttp",
        retry_policy=FAST,
        **kw,  # type: ignore[arg-type]
    )


async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await read_request(reader)
    await respond(writer, OK)


async def hang_up(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await read_request(reader)
    writer.close()  # processed, no answer
    raise ConnectionError


async def stay_silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await read_request(reader)
    await asyncio.sleep(10)


@pytest.mark.asyncio
async def test_round_trip(partner_key: rsa.RSAPrivateKey) -> None:
    async with serve(answer) as server, client(partner_key, server.url) as bank:
        sessions = await asyncio.gather(*(bank.sessions.status("ps_1") for _ in range(20)))
    assert {s.id for s in sessions} == {"ps_1"}
    assert server.requests == 20


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
    partner_key: rsa.RSAPrivateKey,
) -> None:
    async with serve(hang_up) as server, client(partner_key, server.url) as bank:
        with pytest.raises(TransportConnectionError) as info:
            await bank.sessions.confirm("ps_1", idempotency_key="k")
    assert info.value.request_sent is True
    assert info.value.idempotency_key == "k"


@pytest.mark.asyncio
async def test_read_timeout_may_have_been_processed(partner_key: rsa.RSAPrivateKey) -> None:
    timeout = httpx.Timeout(5.0, read=0.1)
    async with (
        serve(stay_silent) as server,
        client(partner_key, server.url, timeout=timeout) as bank,
    ):
        with pytest.raises(RequestTimeoutError) as info:
            await bank.sessions.confirm("ps_1")
    assert info.value.request_sent is True
    assert info.value.attempts == 2


@pytest.mark.asyncio
async def test_waiting_for_a_free_connection_times_out_as_not_sent(
    partner_key: rsa.RSAPrivateKey,
) -> None:
    transport = AiohttpTransport(max_connections=1)
    async with (
        serve(lambda r, w: asyncio.sleep(10)) as server,
        httpx.AsyncClient(transport=transport) as http,
    ):
        hog = asyncio.create_task(http.post(server.url, content=b"{}", timeout=httpx.Timeout(5.0)))
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

    async with serve(handler) as server, client(partner_key, server.url) as bank:
        session = await bank.sessions.status("ps_1")
    assert session.id == "ps_1"


@pytest.mark.asyncio
async def test_closing_the_client_closes_the_aiohttp_session(
    partner_key: rsa.RSAPrivateKey,
) -> None:
    transport = AiohttpTransport()
    async with serve(answer) as server, httpx.AsyncClient(transport=transport) as http:
        response = await http.post(server.url, content=b"{}")
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
