"""Every fault mode over a real socket on 127.0.0.1, plus the rule bookkeeping."""

from __future__ import annotations

import logging
import time

import httpx
import pytest

from bank131_async.mock import Fault, FaultKind, Faults, MockBank131, MockBankApp
from tests.mock.mockbank_helpers import Bank, card_payout

pytestmark = pytest.mark.asyncio


async def test_server_serves_over_loopback(server: MockBank131, wire: Bank) -> None:
    assert server.url.startswith("http://127.0.0.1:")
    session = await wire.session("session/init/payout", card_payout())
    await wire.wait_action(session["id"], "confirm")
    await wire.session("session/confirm", {"session_id": session["id"]})
    assert (await wire.wait_final(session["id"]))["status"] == "accepted"


async def test_latency(server: MockBank131, wire: Bank) -> None:
    server.faults.add("latency", delay=0.2, times=1)
    started = time.monotonic()
    await wire.session("session/create", {})
    assert time.monotonic() - started >= 0.2
    started = time.monotonic()
    await wire.session("session/create", {})
    assert time.monotonic() - started < 0.2


async def test_server_error_does_not_process(server: MockBank131, wire: Bank) -> None:
    server.faults.add("server_error", status=502, route="session/init/payout", times=1)
    response = await wire.call("session/init/payout", card_payout())
    assert response.status_code == 502
    assert response.json()["error"]["code"] == "internal_error"
    assert server.state.sessions == {}
    await wire.session("session/init/payout", card_payout())


async def test_server_error_after_processing(server: MockBank131, wire: Bank) -> None:
    server.faults.add("server_error", after_processing=True, times=1)
    response = await wire.call("session/init/payout", card_payout(), idempotency_key="x")
    assert response.status_code == 503
    assert len(server.state.sessions) == 1
    status, code, _ = await wire.error("session/init/payout", card_payout(), idempotency_key="x")
    assert (status, code) == (409, "idempotency_key_already_exists")


async def test_rate_limit_with_retry_after(server: MockBank131, wire: Bank) -> None:
    server.faults.add("rate_limit", retry_after=2, times=2)
    for _ in range(2):
        response = await wire.call("session/create", {})
        assert response.status_code == 429
        assert response.headers["retry-after"] == "2"
        assert response.json()["error"]["code"] == "too_many_requests"
    assert (await wire.call("session/create", {})).status_code == 200
    assert len(server.state.sessions) == 1


async def test_malformed_body(server: MockBank131, wire: Bank) -> None:
    server.faults.add("malformed", times=1)
    response = await wire.call("session/create", {})
    assert response.status_code == 200
    with pytest.raises(ValueError, match=r"Unterminated|Expecting"):
        response.json()
    assert server.state.sessions == {}


async def test_reset_before_processing(server: MockBank131, wire: Bank) -> None:
    server.faults.add("reset", route="session/init/payout", times=1)
    with pytest.raises((httpx.ReadError, httpx.RemoteProtocolError)):
        await wire.call("session/init/payout", card_payout())
    assert server.state.sessions == {}
    # the client's pool recovers on a fresh connection
    await wire.session("session/init/payout", card_payout())


async def test_drop_after_processing(server: MockBank131, wire: Bank) -> None:
    """The worst case: the payout exists, the client saw only a dropped connection."""
    server.faults.add("drop_after", route="session/init/payout", times=1)
    with pytest.raises(httpx.RemoteProtocolError):
        await wire.call("session/init/payout", card_payout(), idempotency_key="order-7")
    [session] = server.state.sessions.values()
    assert session.status == "in_progress"
    status, code, _ = await wire.error(
        "session/init/payout", card_payout(), idempotency_key="order-7"
    )
    assert (status, code) == (409, "idempotency_key_already_exists")
    assert len(server.state.payouts_by_idempotency_key()["order-7"]) == 1


async def test_faults_apply_per_route(server: MockBank131, wire: Bank) -> None:
    server.faults.add("server_error", route="session/status")
    created = await wire.session("session/create", {})
    response = await wire.call("session/status", {"session_id": created["id"]})
    assert response.status_code == 503
    response = await wire.call("session/status", {"session_id": created["id"]}, version=1)
    assert response.status_code == 503
    server.faults.clear()
    await wire.session("session/status", {"session_id": created["id"]})


async def test_drop_in_process_raises_the_socket_error(bank: Bank, mock_app: MockBankApp) -> None:
    mock_app.faults.add("drop_after", times=1)
    with pytest.raises(httpx.RemoteProtocolError):
        await bank.call("session/create", {})
    assert len(mock_app.state.sessions) == 1
    mock_app.faults.add("reset", times=1)
    with pytest.raises(httpx.ReadError):
        await bank.call("session/create", {})
    assert len(mock_app.state.sessions) == 1


def test_probability_is_seeded() -> None:
    def pattern(seed: int) -> list[bool]:
        faults = Faults(seed)
        faults.add("server_error", probability=0.5)
        return [faults.take("session/status")[1] is not None for _ in range(40)]

    assert pattern(1) == pattern(1)
    assert 5 < sum(pattern(1)) < 35
    assert pattern(1) != pattern(2)


def test_times_retires_the_rule() -> None:
    faults = Faults()
    rule = faults.add("server_error", times=2)
    assert [faults.take("x")[1] is rule for _ in range(3)] == [True, True, False]
    assert faults.rules == []
    assert rule.hits == 2


def test_latency_stacks_with_one_fault() -> None:
    faults = Faults()
    faults.add("latency", delay=0.1)
    faults.add("latency", delay=0.2, route="a")
    first = faults.add("rate_limit")
    faults.add("server_error")
    delay, fault = faults.take("a")
    assert delay == pytest.approx(0.3)
    assert fault is first


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("reset", Fault(kind=FaultKind.RESET)),
        (
            "rate_limit:route=session/status,times=2,retry_after=0.5",
            Fault(kind=FaultKind.RATE_LIMIT, route="session/status", times=2, retry_after=0.5),
        ),
        (
            "server_error:status=500,after_processing=true,probability=0.25",
            Fault(kind=FaultKind.SERVER_ERROR, status=500, after_processing=True, probability=0.25),
        ),
        (
            "outage:route=session/init/payout,duration=0.5",
            Fault(kind=FaultKind.OUTAGE, route="session/init/payout", duration=0.5),
        ),
    ],
)
def test_parse(spec: str, expected: Fault) -> None:
    assert Fault.parse(spec) == expected


@pytest.mark.parametrize("spec", ["explode", "reset:times", "reset:hits=3", "reset:nope=1"])
def test_parse_rejects(spec: str) -> None:
    with pytest.raises(ValueError, match=r"."):
        Fault.parse(spec)


@pytest.mark.parametrize(
    ("kind", "seen"),
    [("reset", httpx.ReadError), ("drop_after", httpx.RemoteProtocolError)],
)
async def test_drops_are_silent_on_the_server(
    server: MockBank131,
    wire: Bank,
    kind: str,
    seen: type[Exception],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """No 500 sneaks out and uvicorn logs no 'returned without starting response' error."""
    caplog.set_level(logging.INFO, logger="uvicorn")
    server.faults.add(kind, times=3)
    for _ in range(3):
        with pytest.raises(seen):
            await wire.call("session/create", {})
    await wire.session("session/create", {})
    assert [r.getMessage() for r in caplog.records if r.name.startswith("uvicorn")] == []
