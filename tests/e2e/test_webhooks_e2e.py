"""The mock bank delivers real, signed webhooks over loopback to the SDK's FastAPI (uvicorn)
and aiohttp receivers; the client's waits resolve from them instead of polling."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
import httpx
import pytest

from bank131_async import AsyncBank131, PollSchedule, UnexpectedSessionStateError
from bank131_async.mock import MockBank131
from bank131_async.models import (
    ReadyToConfirm,
    WebhookEvent,
)
from bank131_async.testing import WebhookSigner, sign_webhook
from bank131_async.webhooks import WebhookRouter
from tests.contrib.servers import RECEIVERS, ReceiverFactory
from tests.payouts import card_payout
from tests.webhook_helpers import FailsFirst, StatusCounter

pytestmark = pytest.mark.asyncio

#: Waits must not need this: webhooks answer first. Long enough that any poll is visible.
SLOW_FALLBACK = PollSchedule(initial=30.0, maximum=30.0)


@pytest.fixture(params=sorted(RECEIVERS))
def receiver(request: pytest.FixtureRequest) -> ReceiverFactory:
    return RECEIVERS[request.param]


class Counted:
    """A client for the mock whose ``session/status`` requests are counted."""

    def __init__(self, bank: AsyncBank131) -> None:
        self.bank = bank
        self.status_calls = 0

    async def hook(self, request: httpx.Request) -> None:
        if request.url.path.endswith("/session/status"):
            self.status_calls += 1


@asynccontextmanager
async def counted_client(mock: MockBank131, **options: Any) -> AsyncIterator[Counted]:
    holder: list[Counted] = []

    async def hook(request: httpx.Request) -> None:
        await holder[0].hook(request)

    limits = httpx.Limits(max_connections=100, max_keepalive_connections=100)
    async with (
        httpx.AsyncClient(event_hooks={"request": [hook]}, limits=limits, timeout=10) as http,
        mock.client(http_client=http, **options) as bank,
    ):
        holder.append(Counted(bank))
        yield holder[0]


def recorder(router: WebhookRouter) -> list[WebhookEvent]:
    events: list[WebhookEvent] = []

    @router.on("*")
    async def record(event: WebhookEvent) -> None:
        events.append(event)

    return events


class Gauge:
    """How many waits are in progress at once."""

    def __init__(self) -> None:
        self.current = self.peak = 0

    def __enter__(self) -> None:
        self.current += 1
        self.peak = max(self.peak, self.current)

    def __exit__(self, *exc: object) -> None:
        self.current -= 1


async def full_flow(
    bank: AsyncBank131,
    ref: str,
    timeout: float = 10,
    gauge: Gauge | None = None,
) -> None:
    gauge = gauge or Gauge()
    sid = (await bank.sessions.init_payout(**card_payout(), idempotency_key=ref)).id
    with gauge:
        ready = await bank.sessions.wait_for_next_action(sid, "confirm", timeout=timeout)
    assert ready.next_action == "confirm"
    await bank.sessions.confirm(sid)
    with gauge:
        finished = await bank.sessions.wait_for_finished(sid, timeout=timeout)
    assert finished.is_finished


async def flow_over_webhooks(
    mock: MockBank131,
    receiver: ReceiverFactory,
    router: WebhookRouter,
    ref: str,
    fallback: PollSchedule = SLOW_FALLBACK,
    **client_options: Any,
) -> Counted:
    """One payout flow by a client with ``router`` attached, the mock delivering webhooks to
    ``receiver``; returns (closed) once every delivery is done."""
    async with counted_client(mock, **client_options) as counted:
        bank = counted.bank
        bank.webhooks.attach(router, fallback=fallback)
        async with receiver(bank, router) as url:
            mock.config.webhook_url = url
            with anyio.fail_after(5):
                await full_flow(bank, ref)
                await mock.webhooks.wait_idle()
    return counted


async def test_payout_flow_resolves_from_webhooks(
    mock: MockBank131, receiver: ReceiverFactory
) -> None:
    router = WebhookRouter()
    events = recorder(router)
    counted = await flow_over_webhooks(mock, receiver, router, "e2e-hook-1")
    assert [e.type for e in events] == ["ready_to_confirm", "payment_finished"]
    assert isinstance(events[0], ReadyToConfirm)
    assert [d.outcomes for d in mock.webhooks.deliveries] == [[200], [200]]
    assert counted.status_calls == 0


async def test_resend_after_500_is_processed(mock: MockBank131, receiver: ReceiverFactory) -> None:
    router = WebhookRouter()
    flaky = FailsFirst("database briefly down")
    router.add_handler("payment_finished", flaky)
    counted = await flow_over_webhooks(mock, receiver, router, "e2e-hook-500")
    finished = [d for d in mock.webhooks.deliveries if d.type == "payment_finished"]
    assert finished[0].outcomes == [500, 200]  # the bank re-sent after the 500
    assert flaky.seen == ["payment_finished", "payment_finished"]
    assert counted.status_calls == 0  # the wait resolved from the first (failed) delivery


async def test_bad_signatures_are_rejected_and_waits_fall_back(
    mock: MockBank131, receiver: ReceiverFactory
) -> None:
    mock.config.webhook_max_attempts = 2
    router = WebhookRouter()
    events = recorder(router)
    impostor_key = WebhookSigner().public_key_pem  # the client trusts another key
    counted = await flow_over_webhooks(
        mock,
        receiver,
        router,
        "e2e-hook-forged",
        fallback=PollSchedule(initial=0.05, maximum=0.1),
        bank_public_key=impostor_key,
    )
    assert events == []
    assert {tuple(d.outcomes) for d in mock.webhooks.deliveries} == {(400, 400)}
    assert counted.status_calls >= 2  # finished by the fallback polls


async def test_duplicates_and_unknown_types(mock: MockBank131, receiver: ReceiverFactory) -> None:
    router = WebhookRouter()
    events = recorder(router)
    async with counted_client(mock) as counted, httpx.AsyncClient(timeout=5) as http:
        bank = counted.bank
        async with receiver(bank, router) as url:
            mock.config.webhook_url = url
            with anyio.fail_after(5):
                await full_flow(bank, "e2e-hook-dup")
                await mock.webhooks.wait_idle()
            assert len(events) == 2
            # the bank re-sends a delivered webhook (it did not see our 200): same bytes
            body = mock.webhooks.deliveries[0].body
            _, signature = sign_webhook(body, mock.bank_private_key)
            again = await http.post(url, content=body, headers={"X-PARTNER-SIGN": signature})
            assert again.status_code == 200
            assert len(events) == 2
            # a type this SDK does not know: acknowledged (200), routed as UnknownWebhook
            body, signature = sign_webhook({"type": "kyc_finished", "id": 7}, mock.bank_private_key)
            unknown = await http.post(url, content=body, headers={"X-PARTNER-SIGN": signature})
            assert unknown.status_code == 200
    assert [e.type for e in events] == ["ready_to_confirm", "payment_finished", "kyc_finished"]


async def test_out_of_order_delivery_does_not_move_waits_backwards(
    mock: MockBank131, receiver: ReceiverFactory
) -> None:
    # a real flow, with webhooks recorded by a first receiver
    async with counted_client(mock) as first, receiver(first.bank, WebhookRouter()) as url:
        mock.config.webhook_url = url
        with anyio.fail_after(5):
            await full_flow(first.bank, "e2e-hook-order")
            await mock.webhooks.wait_idle()
    ready, finished = mock.webhooks.deliveries
    sid = ready.session_id
    mock.config.webhook_url = None
    # a second application gets them in the wrong order: payment_finished first
    router = WebhookRouter()
    events = recorder(router)
    async with counted_client(mock) as second, httpx.AsyncClient(timeout=5) as http:
        bank = second.bank
        bank.webhooks.attach(router, fallback=SLOW_FALLBACK)
        async with receiver(bank, router) as url:
            for delivery in (finished, ready):
                _, signature = sign_webhook(delivery.body, mock.bank_private_key)
                response = await http.post(
                    url, content=delivery.body, headers={"X-PARTNER-SIGN": signature}
                )
                assert response.status_code == 200
        assert [e.type for e in events] == ["payment_finished", "ready_to_confirm"]
        with anyio.fail_after(2):
            done = await bank.sessions.wait_for_finished(sid, timeout=5)
        assert done.is_finished  # the late ready_to_confirm did not un-finish it
        assert second.status_calls == 0
        with anyio.fail_after(2), pytest.raises(UnexpectedSessionStateError):
            await bank.sessions.wait_for_next_action(sid, "confirm", timeout=5)
        assert second.status_calls == 1  # "never" from the hub is confirmed by one status call


@pytest.mark.parametrize("receiver_name", ["fastapi"])
async def test_thousand_concurrent_waits_cost_almost_no_polls(
    mock: MockBank131, receiver_name: str, status_calls: StatusCounter
) -> None:
    count = 1000
    router = WebhookRouter()
    events = recorder(router)
    # aiohttp backend: the fastest pool; 20 connections keep the mock's webhook queue short.
    async with mock.client(http_backend="aiohttp", max_connections=20) as bank:
        bank.webhooks.attach(router, fallback=SLOW_FALLBACK)
        async with RECEIVERS[receiver_name](bank, router) as url:
            mock.config.webhook_url = url
            # The bank takes 1.5 s per step, longer than sending 1,000 requests: every wait is
            # in progress before its webhook comes (the gauge shows how many waited at once).
            mock.config.confirm_delay = mock.config.process_delay = 1.5
            started = time.monotonic()
            gauge = Gauge()
            with anyio.fail_after(25):
                async with anyio.create_task_group() as tg:
                    for i in range(count):
                        tg.start_soon(full_flow, bank, f"e2e-thousand-{i}", 20.0, gauge)
            elapsed = time.monotonic() - started
            await mock.webhooks.wait_idle()
    print(
        f"\n{count} webhook-driven payout flows (2 waits each) in {elapsed:.2f}s: "
        f"{status_calls.calls} session/status polls, {len(events)} webhooks, "
        f"up to {gauge.peak} waits in progress at once"
    )
    assert len(events) == 2 * count
    assert status_calls.calls <= count // 100  # (almost) none: webhooks answered the waits
    assert gauge.peak >= count * 9 // 10
