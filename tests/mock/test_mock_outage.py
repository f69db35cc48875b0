"""The ``outage`` fault over real sockets: the request is processed, its connection dropped,
new connections are refused (ECONNREFUSED) for ``duration`` seconds, then the same port
serves again."""

from __future__ import annotations

import asyncio
import logging
import time

import anyio
import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from bank131_async import IdempotencyConflictError, RetryPolicy
from bank131_async.mock import MockBank131, MockBankApp
from bank131_async.models import (
    AmountDetails,
    BankCard,
    Participant,
    ParticipantDetails,
    PayoutDetails,
)
from tests.mock.mockbank_helpers import FAST, Bank, card_payout

pytestmark = pytest.mark.asyncio


def _port(mock: MockBank131) -> int:
    return int(mock.url.rsplit(":", 1)[1])


async def _refused(mock: MockBank131) -> bool:
    """Whether a fresh TCP connection to the emulator is refused by the kernel."""
    try:
        _, writer = await asyncio.open_connection("127.0.0.1", _port(mock))
    except ConnectionRefusedError:
        return True
    writer.close()
    await writer.wait_closed()
    return False


async def test_outage_processes_drops_refuses_then_serves(server: MockBank131, wire: Bank) -> None:
    url = server.url
    duration = 2.0
    async with httpx.AsyncClient(base_url=url, timeout=5) as other:
        # an idle keep-alive connection from before the outage
        assert (await other.post("/api/v2/session/status", content=b"{}")).status_code == 401
        server.faults.add("outage", route="session/init/payout", times=1, duration=duration)
        started = time.monotonic()
        with pytest.raises(httpx.RemoteProtocolError):
            await wire.call("session/init/payout", card_payout(), idempotency_key="order-1")

        # processed before the drop: the ledger has the payout
        [payout_id] = server.state.payouts_by_idempotency_key()["order-1"]
        assert (server.listening, server.outages) == (False, 1)
        assert await _refused(server)
        # the pooled connection was closed as in a restart, and a new one is refused
        with pytest.raises(httpx.ConnectError):
            await other.post("/api/v2/session/status", content=b"{}")

        with anyio.fail_after(duration + 5):
            await server.wait_listening()
        assert time.monotonic() - started >= duration
        assert server.url == url
        assert not await _refused(server)
        status, code, _ = await wire.error(
            "session/init/payout", card_payout(), idempotency_key="order-1"
        )
        assert (status, code) == (409, "idempotency_key_already_exists")
        assert server.state.payouts_by_idempotency_key() == {"order-1": [payout_id]}


async def test_overlapping_outages_extend(server: MockBank131, wire: Bank) -> None:
    take_down = server.app.on_outage
    assert take_down is not None
    started = time.monotonic()
    take_down(0.2)
    take_down(3.0)  # begins while the first is under way: the server stays down until its end
    assert server.outages == 1
    await anyio.sleep(0.8)  # well past the first outage's end
    assert not server.listening
    assert await _refused(server)
    with anyio.fail_after(8):
        await server.wait_listening()
    assert time.monotonic() - started >= 3.0
    await wire.session("session/create", {})


async def test_many_concurrent_requests_hitting_outages(
    server: MockBank131, partner_key: rsa.RSAPrivateKey
) -> None:
    """Every request in flight hits an outage; the server ends up listening, and the ledger
    holds exactly the requests the server processed."""
    rule = server.faults.add("outage", route="session/create", duration=0.3)
    clients = [httpx.AsyncClient(base_url=server.url, timeout=5) for _ in range(20)]
    try:
        for client in clients:  # one open connection each, so the requests really overlap
            assert (await client.post("/api/v2/session/status", content=b"{}")).status_code == 401
        requests = [
            Bank(c, partner_key, server.project).call("session/create", {}) for c in clients
        ]
        with anyio.fail_after(10):
            outcomes = await asyncio.gather(*requests, return_exceptions=True)
        assert all(isinstance(o, httpx.TransportError) for o in outcomes), outcomes
        assert rule.hits == len(server.state.sessions) >= 1
        with anyio.fail_after(5):
            await server.wait_listening()
    finally:
        for client in clients:
            await client.aclose()
    server.faults.remove(rule)
    async with httpx.AsyncClient(base_url=server.url, timeout=5) as client:
        await Bank(client, partner_key, server.project).session("session/create", {})


async def test_sdk_retries_through_an_outage_and_pays_once(server: MockBank131) -> None:
    """Dropped answer, refused reconnects, then the replay under the same key: one payout."""
    server.faults.add("outage", route="session/init/payout", times=1, duration=0.3)
    policy = RetryPolicy(max_retries=20, initial_backoff=0.02, max_backoff=0.1)
    async with server.client(retry_policy=policy) as bank:
        with anyio.fail_after(10), pytest.raises(IdempotencyConflictError):
            await bank.sessions.init_payout(
                payout_details=PayoutDetails.from_card(BankCard(number="4242424242424242")),
                amount_details=AmountDetails(amount=10_000, currency="rub"),
                participant_details=ParticipantDetails(recipient=Participant(full_name="I I")),
                idempotency_key="order-9",
            )
    assert server.outages == 1
    assert len(server.state.payouts_by_idempotency_key()["order-9"]) == 1


async def test_stop_during_an_outage() -> None:
    mock = MockBank131(**FAST)
    await mock.start()
    port = _port(mock)
    take_down = mock.app.on_outage
    assert take_down is not None
    take_down(0.3)
    with anyio.fail_after(5):
        await mock.stop()
    assert mock.app.on_outage is None
    await anyio.sleep(0.6)  # past the outage's end: nothing came back to listen
    with pytest.raises(ConnectionRefusedError):
        await asyncio.open_connection("127.0.0.1", port)


async def test_outage_in_process_is_a_drop(bank: Bank, mock_app: MockBankApp) -> None:
    mock_app.faults.add("outage", times=1)
    with pytest.raises(httpx.RemoteProtocolError):
        await bank.call("session/create", {})
    assert len(mock_app.state.sessions) == 1
    await bank.session("session/create", {})


async def test_outage_is_silent_on_the_server(
    server: MockBank131, wire: Bank, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="uvicorn")
    server.faults.add("outage", times=2, duration=0.05)
    for _ in range(2):
        with pytest.raises(httpx.RemoteProtocolError):
            await wire.call("session/create", {})
        with anyio.fail_after(5):
            await server.wait_listening()
    await wire.session("session/create", {})
    assert server.outages == 2
    assert [r.getMessage() for r in caplog.records if r.name.startswith("uvicorn")] == []


async def test_outage_storm_never_leaves_the_server_deaf(
    server: MockBank131, partner_key: rsa.RSAPrivateKey
) -> None:
    """Ten workers push 100 requests through short, frequent, overlapping outages, retrying
    what fails; every request finally succeeds and the server still listens."""
    rule = server.faults.add("outage", route="session/create", probability=0.2, duration=0.02)
    async with httpx.AsyncClient(base_url=server.url, timeout=5) as client:
        bank = Bank(client, partner_key, server.project)
        failures: list[str] = []

        async def worker(count: int) -> None:
            for _ in range(count):
                while True:
                    try:
                        response = await bank.call("session/create", {})
                    except httpx.TransportError as exc:
                        failures.append(type(exc).__name__)
                        continue
                    assert response.status_code == 200, response.text
                    break

        with anyio.fail_after(30):
            async with anyio.create_task_group() as group:
                for _ in range(10):
                    group.start_soon(worker, 10)
    assert server.outages >= 1
    assert {"ConnectError", "RemoteProtocolError"} & set(failures)
    # every processed request is in the ledger: the 100 answered plus those dropped after
    assert len(server.state.sessions) == 100 + rule.hits
    assert server.listening
