"""Connections are released: after ``async with`` exits, even on errors, nothing stays open.

A real HTTP/1.1 server on 127.0.0.1 counts the connections it holds open.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import httpx
import pytest
import pytest_asyncio
from cryptography.hazmat.primitives.asymmetric import rsa

from bank131_async import AsyncBank131
from bank131_async.errors import ClientClosedError, SessionWrongStateError
from tests.leaks import LeakCheck

OK = json.dumps({"status": "ok", "session": {"id": "ps_1", "status": "in_progress"}}).encode()
WRONG = json.dumps(
    {"status": "error", "error": {"code": "session_wrong_state", "description": "no"}}
).encode()


class CountingServer:
    """Answers ``status`` with an in-progress session, ``confirm`` with a 400, and never
    answers ``cancel`` (a request in flight, to cancel). Counts what it holds open."""

    def __init__(self) -> None:
        self.open = 0
        self.accepted = 0
        self.closed = asyncio.Event()
        self.url = ""
        self.tasks: set[asyncio.Task[object]] = set()
        self.hanging = asyncio.Event()
        self.statuses = 0
        self.polled_twice = asyncio.Event()

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self.tasks.add(task)
        self.open += 1
        self.accepted += 1
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":", 1)[1])
                path = head.split(b" ", 2)[1]
                await reader.readexactly(length)
                if b"cancel" in path:
                    self.hanging.set()
                    await reader.read()  # until the client gives up on the connection
                    return
                if b"status" in path:
                    self.statuses += 1
                    if self.statuses >= 2:
                        self.polled_twice.set()
                body, status = (
                    (WRONG, b"400 Bad Request") if b"confirm" in path else (OK, b"200 OK")
                )
                writer.write(
                    b"HTTP/1.1 " + status + b"\r\nContent-Type: application/json\r\n"
                    b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            self.open -= 1
            writer.close()
            if self.open == 0:
                self.closed.set()

    async def wait_all_closed(self) -> None:
        await asyncio.wait_for(self.closed.wait(), timeout=5)


@pytest_asyncio.fixture
async def server() -> AsyncIterator[CountingServer]:
    counting = CountingServer()
    srv = await asyncio.start_server(counting.handle, "127.0.0.1", 0)
    port = srv.sockets[0].getsockname()[1]
    counting.url = f"http://127.0.0.1:{port}"
    async with srv:
        yield counting
        srv.close()


def make(key: rsa.RSAPrivateKey, url: str, **kw: object) -> AsyncBank131:
    return AsyncBank131(project="p", private_key=key, base_url=url, max_retries=0, **kw)  # type: ignore[arg-type]


@pytest.mark.asyncio
async def test_connections_are_pooled_and_closed_on_exit(
    server: CountingServer, partner_key: rsa.RSAPrivateKey
) -> None:
    async with make(partner_key, server.url) as bank:
        await asyncio.gather(*(bank.sessions.status("ps_1") for _ in range(20)))
        for _ in range(10):
            await bank.sessions.status("ps_1")
        assert server.open >= 1
        assert server.accepted <= 20  # keep-alive: the sequential calls reuse connections
    await server.wait_all_closed()
    assert server.open == 0
    assert bank.is_closed


@pytest.mark.asyncio
async def test_connections_are_closed_when_the_body_raises(
    server: CountingServer, partner_key: rsa.RSAPrivateKey
) -> None:
    async def use_and_fail() -> None:
        async with make(partner_key, server.url) as bank:
            await bank.sessions.status("ps_1")
            await bank.sessions.confirm("ps_1")

    with pytest.raises(SessionWrongStateError):
        await use_and_fail()
    await server.wait_all_closed()
    assert server.open == 0


@pytest.mark.asyncio
async def test_max_connections_bounds_the_connections_in_use(
    server: CountingServer, partner_key: rsa.RSAPrivateKey
) -> None:
    async with make(partner_key, server.url, max_connections=3) as bank:
        await asyncio.gather(*(bank.sessions.status("ps_1") for _ in range(50)))
        assert server.accepted <= 3
    await server.wait_all_closed()


@pytest.mark.asyncio
async def test_views_share_the_pool_and_do_not_close_it(
    server: CountingServer, partner_key: rsa.RSAPrivateKey
) -> None:
    async with make(partner_key, server.url) as bank:
        view = bank.with_options(timeout=3.0, max_retries=1)
        async with view:
            await view.sessions.status("ps_1")
        assert view.is_closed
        assert not bank.is_closed
        await bank.sessions.status("ps_1")  # the pool still works
        assert server.accepted == 1
    await server.wait_all_closed()


@pytest.mark.asyncio
async def test_injected_http_client_is_left_open(
    server: CountingServer, partner_key: rsa.RSAPrivateKey
) -> None:
    async with httpx.AsyncClient() as http:
        async with make(partner_key, server.url, http_client=http) as bank:
            await bank.sessions.status("ps_1")
        assert not http.is_closed
        assert server.open == 1
    await server.wait_all_closed()


@pytest.mark.asyncio
async def test_aclose_is_idempotent_and_later_calls_fail_clearly(
    partner_key: rsa.RSAPrivateKey,
) -> None:
    bank = make(partner_key, "http://127.0.0.1:9")
    await bank.aclose()
    await bank.aclose()
    assert bank.is_closed
    with pytest.raises(ClientClosedError, match="client is closed"):
        await bank.sessions.status("ps_1")


# --------------------------------------------------------------------------- leaks


async def _scenario(bank: AsyncBank131, server: CountingServer, how: str) -> None:
    if how == "normal":
        await bank.sessions.status("ps_1")
    elif how == "exception":
        await bank.sessions.confirm("ps_1")  # 400: SessionWrongStateError
    elif how == "cancel_mid_request":
        task = asyncio.ensure_future(bank.sessions.cancel("ps_1"))
        await server.hanging.wait()
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        assert task.cancelled()
    elif how == "cancel_mid_wait":
        task = asyncio.ensure_future(
            bank.sessions.wait_for_next_action("ps_1", "confirm", timeout=30)
        )
        await server.polled_twice.wait()
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        assert task.cancelled()


@pytest.mark.asyncio
@pytest.mark.parametrize("backend", ["auto", "httpx", "aiohttp"])
@pytest.mark.parametrize("how", ["normal", "exception", "cancel_mid_request", "cancel_mid_wait"])
async def test_nothing_is_left_open_after_the_client_closes(
    server: CountingServer, partner_key: rsa.RSAPrivateKey, backend: str, how: str
) -> None:
    leaks = LeakCheck()

    async def run() -> None:
        async with make(partner_key, server.url, http_backend=backend) as bank:
            await _scenario(bank, server, how)

    if how == "exception":
        with pytest.raises(SessionWrongStateError):
            await run()
    else:
        await run()
    await server.wait_all_closed()  # the client has closed every connection it opened
    leaks.assert_clean(ignore_tasks=server.tasks)
