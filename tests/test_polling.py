"""wait_for_next_action / wait_for_finished over scripted status answers."""

from __future__ import annotations

import json
import time
from typing import Any

import anyio
import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from bank131_async import AsyncBank131, PollSchedule, RetryPolicy
from bank131_async.errors import (
    AuthenticationError,
    RequestValidationError,
    UnexpectedSessionStateError,
    WaitTimeoutError,
)
from tests.helpers import make_client

FAST = PollSchedule(initial=0.001, maximum=0.004)
NO_RETRY = RetryPolicy(max_retries=0)


def session(
    status: str = "in_progress",
    next_action: str | None = None,
    op: str | None = None,
    error: str | None = None,
) -> dict[str, Any]:
    s: dict[str, Any] = {"id": "ps_1", "status": status}
    if next_action:
        s["next_action"] = next_action
    if op:
        payout: dict[str, Any] = {"id": "po_1", "status": op}
        if error:
            payout["error"] = {"code": error, "description": "scripted"}
        s["payout_list"] = [payout]
    if error and status == "cancelled":
        s["error"] = {"code": error}
    return s


class Statuses:
    """Answers session/status with the next scripted session (the last one repeats)."""

    def __init__(self, *answers: dict[str, Any] | tuple[int, dict[str, Any]]) -> None:
        self.answers = list(answers)
        self.polls = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/api/v2/session/status"
        assert json.loads(request.content) == {"session_id": "ps_1"}
        self.polls += 1
        item = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(item, tuple):
            return httpx.Response(item[0], json=item[1])
        return httpx.Response(200, json={"status": "ok", "session": item})


def bank(key: rsa.RSAPrivateKey, transport: httpx.AsyncBaseTransport) -> AsyncBank131:
    return make_client(key, transport=transport, retry_policy=NO_RETRY)


@pytest.fixture
def key(partner_key: rsa.RSAPrivateKey) -> rsa.RSAPrivateKey:
    return partner_key


@pytest.mark.asyncio
async def test_wait_for_confirm_returns_the_session_that_waits_for_it(
    key: rsa.RSAPrivateKey,
) -> None:
    script = Statuses(
        session(op="in_progress"),
        session(op="in_progress"),
        session(next_action="confirm", op="pending"),
    )
    async with bank(key, httpx.MockTransport(script)) as b:
        s = await b.sessions.wait_for_next_action("ps_1", "confirm", timeout=5, schedule=FAST)
    assert s.next_action == "confirm"
    assert s.payout_list[0].status == "pending"
    assert script.polls == 3


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("final", "action", "fragment"),
    [
        (
            session("cancelled", op="failed", error="session_cancelled"),
            "confirm",
            "session_cancelled",
        ),
        (session("accepted", op="succeeded"), "confirm", "can never come"),
        (session("accepted", op="succeeded"), "capture", "can never come"),
        (session(next_action="capture", op="pending"), "confirm", "waits for capture, not confirm"),
        (session(next_action="confirm", op="pending"), "capture", "waits for confirm, not capture"),
    ],
)
async def test_unreachable_action_raises_at_once(
    key: rsa.RSAPrivateKey, final: dict[str, Any], action: str, fragment: str
) -> None:
    script = Statuses(session(op="in_progress"), final)
    started = time.monotonic()
    async with bank(key, httpx.MockTransport(script)) as b:
        with pytest.raises(UnexpectedSessionStateError) as info:
            await b.sessions.wait_for_next_action("ps_1", action, timeout=30, schedule=FAST)
    assert time.monotonic() - started < 5  # not the 30 s deadline
    assert fragment in str(info.value)
    assert info.value.session.id == "ps_1"
    assert script.polls == 2


@pytest.mark.asyncio
async def test_deadline_raises_wait_timeout_with_the_last_session(key: rsa.RSAPrivateKey) -> None:
    script = Statuses(session(op="in_progress"))
    started = time.monotonic()
    async with bank(key, httpx.MockTransport(script)) as b:
        with pytest.raises(WaitTimeoutError) as info:
            await b.sessions.wait_for_next_action("ps_1", "confirm", timeout=0.2, schedule=FAST)
    elapsed = time.monotonic() - started
    assert 0.2 <= elapsed < 2.0
    assert isinstance(info.value, TimeoutError)
    assert info.value.session is not None
    assert info.value.session.status == "in_progress"
    assert script.polls >= 2
    assert "next_action confirm" in str(info.value)


@pytest.mark.asyncio
async def test_transient_errors_do_not_end_the_wait(key: rsa.RSAPrivateKey) -> None:
    down = (503, {"status": "error", "error": {"code": "internal_error"}})
    script = Statuses(down, down, (429, {}), session("accepted", op="succeeded"))
    async with bank(key, httpx.MockTransport(script)) as b:
        s = await b.sessions.wait_for_finished("ps_1", timeout=5, schedule=FAST)
    assert s.status == "accepted"
    assert script.polls == 4


@pytest.mark.asyncio
async def test_timeout_after_only_transient_errors_chains_the_last_error(
    key: rsa.RSAPrivateKey,
) -> None:
    script = Statuses((503, {"status": "error", "error": {"code": "internal_error"}}))
    async with bank(key, httpx.MockTransport(script)) as b:
        with pytest.raises(WaitTimeoutError) as info:
            await b.sessions.wait_for_finished("ps_1", timeout=0.1, schedule=FAST)
    assert info.value.session is None
    assert "never read" in str(info.value)
    assert info.value.__cause__ is not None


@pytest.mark.asyncio
async def test_permanent_errors_end_the_wait(key: rsa.RSAPrivateKey) -> None:
    script = Statuses((401, {"status": "error", "error": {"code": "authentication_error"}}))
    async with bank(key, httpx.MockTransport(script)) as b:
        with pytest.raises(AuthenticationError):
            await b.sessions.wait_for_finished("ps_1", timeout=5, schedule=FAST)
    assert script.polls == 1


@pytest.mark.asyncio
async def test_wait_for_finished_waits_through_error_and_open_operations(
    key: rsa.RSAPrivateKey,
) -> None:
    script = Statuses(
        session("error", op="failed", error="internal_error"),  # documented as not final
        session("accepted", op="in_progress"),  # operation not final yet
        session(next_action="confirm", op="pending"),  # someone else confirms
        session("cancelled", op="failed", error="declined_by_issuer_bank"),
    )
    async with bank(key, httpx.MockTransport(script)) as b:
        s = await b.sessions.wait_for_finished("ps_1", timeout=5, schedule=FAST)
    assert s.status == "cancelled"
    assert s.payout_list[0].error is not None
    assert s.payout_list[0].error.code == "declined_by_issuer_bank"
    assert script.polls == 4


class Hanging(httpx.AsyncBaseTransport):
    """Never answers: the request stays in flight until cancelled."""

    def __init__(self) -> None:
        self.started = 0
        self.cancelled = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.started += 1
        try:
            await anyio.sleep(60)
        except anyio.get_cancelled_exc_class():
            self.cancelled += 1
            raise
        raise AssertionError("unreachable")


@pytest.mark.asyncio
async def test_deadline_cancels_the_request_in_flight(key: rsa.RSAPrivateKey) -> None:
    transport = Hanging()
    started = time.monotonic()
    async with bank(key, transport) as b:
        with pytest.raises(WaitTimeoutError):
            await b.sessions.wait_for_finished("ps_1", timeout=0.1, schedule=FAST)
    assert time.monotonic() - started < 2
    assert transport.started == 1
    assert transport.cancelled == 1


@pytest.mark.asyncio
async def test_outer_cancellation_stops_the_wait_cleanly(key: rsa.RSAPrivateKey) -> None:
    transport = Hanging()
    async with bank(key, transport) as b:
        with anyio.move_on_after(0.05) as scope:
            await b.sessions.wait_for_next_action("ps_1", "confirm", timeout=60, schedule=FAST)
        assert scope.cancelled_caught
    assert transport.cancelled == 1


@pytest.mark.asyncio
@pytest.mark.parametrize("timeout", [0, -1, float("nan"), float("inf"), True, "5"])
async def test_bad_timeouts_are_rejected(key: rsa.RSAPrivateKey, timeout: Any) -> None:
    async with bank(key, httpx.MockTransport(Statuses(session()))) as b:
        with pytest.raises(RequestValidationError):
            await b.sessions.wait_for_finished("ps_1", timeout=timeout)


@pytest.mark.asyncio
async def test_unknown_action_is_rejected_before_polling(key: rsa.RSAPrivateKey) -> None:
    script = Statuses(session())
    async with bank(key, httpx.MockTransport(script)) as b:
        with pytest.raises(RequestValidationError, match="confirm' or 'capture"):
            await b.sessions.wait_for_next_action("ps_1", "refund", timeout=1)
    assert script.polls == 0


def test_schedule_grows_to_its_maximum_with_bounded_jitter() -> None:
    schedule = PollSchedule(initial=1.0, maximum=4.0, factor=2.0, jitter=0.25)
    it = schedule.intervals(rand=lambda: 0.5)
    assert [next(it) for _ in range(5)] == [1.0, 2.0, 4.0, 4.0, 4.0]
    low = schedule.intervals(rand=lambda: 0.0)
    assert next(low) == pytest.approx(0.75)
    high = schedule.intervals(rand=lambda: 1.0)
    assert next(high) == pytest.approx(1.25)
