"""The router (handlers, de-duplication) and the receiver core, without sockets."""

from __future__ import annotations

import importlib
from typing import Any

import anyio
import pytest
from anyio import wait_all_tasks_blocked
from cryptography.hazmat.primitives.asymmetric import rsa

from bank131_async import (
    AsyncBank131,
    PollSchedule,
)
from bank131_async.models import (
    PaymentFinished,
    ReadyToConfirm,
    UnknownWebhook,
    WebhookEvent,
)
from bank131_async.testing import WebhookSigner, webhook_payload
from bank131_async.webhooks import (
    DispatchResult,
    MemorySeenStore,
    WebhookRouter,
    parse_webhook,
    receive_webhook,
)
from tests.webhook_helpers import FailsFirst, event_of, session

pytestmark = pytest.mark.asyncio

# --------------------------------------------------------------------------- routing


async def test_handlers_by_name_class_unknown_and_any(signer: WebhookSigner) -> None:
    router = WebhookRouter()
    calls: list[tuple[str, str]] = []

    @router.on("payment_finished")
    async def by_name(event: WebhookEvent) -> None:
        calls.append(("name", event.type))

    @router.on(ReadyToConfirm)
    async def by_class(event: ReadyToConfirm) -> None:
        calls.append(("class", event.session.id))

    @router.on(UnknownWebhook)
    async def unknown(event: UnknownWebhook) -> None:
        calls.append(("unknown", event.type))

    @router.on("*")
    async def every(event: WebhookEvent) -> None:
        calls.append(("any", event.type))

    assert await router.dispatch(event_of(signer, "payment_finished")) is DispatchResult.HANDLED
    await router.dispatch(event_of(signer, "ready_to_confirm", session_id="ps_7"))
    await router.dispatch(event_of(signer, "brand_new"))
    assert calls == [
        ("name", "payment_finished"),
        ("any", "payment_finished"),
        ("class", "ps_7"),
        ("any", "ready_to_confirm"),
        ("unknown", "brand_new"),
        ("any", "brand_new"),
    ]


async def test_a_name_the_sdk_does_not_know_matches_the_fallback_event(
    signer: WebhookSigner,
) -> None:
    router = WebhookRouter()
    seen: list[WebhookEvent] = []
    router.add_handler("chargeback_opened", _collect(seen))
    await router.dispatch(event_of(signer, "chargeback_opened"))
    assert [e.type for e in seen] == ["chargeback_opened"]


def _collect(into: list[WebhookEvent]) -> Any:
    async def handler(event: WebhookEvent) -> None:
        into.append(event)

    return handler


async def test_no_handler_is_unhandled_not_an_error(signer: WebhookSigner) -> None:
    router = WebhookRouter()
    assert await router.dispatch(event_of(signer, "whatever")) is DispatchResult.UNHANDLED


def test_on_rejects_what_is_not_a_webhook_kind() -> None:
    with pytest.raises(TypeError):
        WebhookRouter().on(int)


# --------------------------------------------------------------------------- de-duplication


async def test_duplicate_delivery_runs_handlers_once(signer: WebhookSigner) -> None:
    router = WebhookRouter()
    seen: list[WebhookEvent] = []
    router.add_handler("payment_finished", _collect(seen))
    body, sig = signer.sign(webhook_payload("payment_finished"))
    first = parse_webhook(body, sig, signer.verifier)
    again = parse_webhook(body, sig, signer.verifier)  # the bank's re-send: same bytes
    assert await router.dispatch(first) is DispatchResult.HANDLED
    assert await router.dispatch(again) is DispatchResult.DUPLICATE
    assert len(seen) == 1
    # a different event of the same session is not a duplicate
    other = event_of(signer, "payment_refunded")
    assert await router.dispatch(other) is DispatchResult.UNHANDLED


async def test_handler_failure_does_not_mark_seen(signer: WebhookSigner) -> None:
    router = WebhookRouter()
    flaky = FailsFirst("database down")
    router.add_handler("payment_finished", flaky)
    event = event_of(signer, "payment_finished")
    with pytest.raises(RuntimeError):
        await router.dispatch(event)
    assert await router.dispatch(event) is DispatchResult.HANDLED  # the re-send is processed
    assert await router.dispatch(event) is DispatchResult.DUPLICATE
    assert len(flaky.seen) == 2


async def test_cancelled_handler_does_not_mark_seen(signer: WebhookSigner) -> None:
    router = WebhookRouter()
    started = anyio.Event()

    @router.on("payment_finished")
    async def slow(event: WebhookEvent) -> None:
        started.set()
        await anyio.sleep(10)

    event = event_of(signer, "payment_finished")
    async with anyio.create_task_group() as tg:
        tg.start_soon(router.dispatch, event)
        await started.wait()
        tg.cancel_scope.cancel()
    router._handlers.clear()
    assert await router.dispatch(event) is DispatchResult.UNHANDLED  # not DUPLICATE


async def test_resend_during_handling_waits_for_the_first(signer: WebhookSigner) -> None:
    router = WebhookRouter()
    release = anyio.Event()
    results: list[DispatchResult] = []
    attempts = 0

    @router.on("payment_finished")
    async def handler(event: WebhookEvent) -> None:
        nonlocal attempts
        attempts += 1
        await release.wait()

    event = event_of(signer, "payment_finished")

    async def run() -> None:
        results.append(await router.dispatch(event))

    async with anyio.create_task_group() as tg:
        tg.start_soon(run)
        await wait_all_tasks_blocked()  # the first delivery is in its handler
        tg.start_soon(run)
        await wait_all_tasks_blocked()  # the re-send waits for it
        assert attempts == 1
        release.set()
    assert sorted(results) == [DispatchResult.DUPLICATE, DispatchResult.HANDLED]
    assert attempts == 1


async def test_slow_store_resend_after_a_failure_is_processed(signer: WebhookSigner) -> None:
    """A re-send that arrives while the first delivery is still claiming its key in a slow
    (networked) store waits for that attempt; when it fails, the re-send is processed."""
    store_answers = anyio.Event()
    handler_started = anyio.Event()
    fail_now = anyio.Event()

    class SlowStore(MemorySeenStore):
        async def add_if_new(self, key: str) -> bool:
            await store_answers.wait()  # a network round trip
            return await super().add_if_new(key)

    async def stall() -> None:
        handler_started.set()
        await fail_now.wait()

    router = WebhookRouter(seen=SlowStore())
    first_fails = FailsFirst("boom", before_failing=stall)
    router.add_handler("*", first_fails)
    event = event_of(signer, "payment_finished")
    outcomes: list[object] = []

    async def deliver() -> None:
        try:
            outcomes.append(await router.dispatch(event))
        except RuntimeError as exc:
            outcomes.append(str(exc))

    with anyio.fail_after(5):
        async with anyio.create_task_group() as tg:
            tg.start_soon(deliver)
            tg.start_soon(deliver)  # the re-send, while the first is still claiming
            await wait_all_tasks_blocked()
            store_answers.set()
            await handler_started.wait()
            await wait_all_tasks_blocked()  # the re-send waits on the first attempt
            assert outcomes == []
            fail_now.set()
    assert outcomes == ["boom", DispatchResult.HANDLED]
    assert len(first_fails.seen) == 2


async def test_dedupe_can_be_switched_off(signer: WebhookSigner) -> None:
    router = WebhookRouter(dedupe=False)
    seen: list[WebhookEvent] = []
    router.add_handler("*", _collect(seen))
    event = event_of(signer, "payment_finished")
    await router.dispatch(event)
    await router.dispatch(event)
    assert len(seen) == 2


async def test_hand_built_events_get_a_content_key() -> None:
    router = WebhookRouter()
    event = PaymentFinished(session=session("payment_finished"))
    assert await router.dispatch(event) is DispatchResult.UNHANDLED
    assert await router.dispatch(PaymentFinished(session=event.session)) is DispatchResult.DUPLICATE


async def test_custom_seen_store(signer: WebhookSigner) -> None:
    class Store:
        def __init__(self) -> None:
            self.keys: set[str] = set()
            self.discarded: list[str] = []

        async def add_if_new(self, key: str) -> bool:
            if key in self.keys:
                return False
            self.keys.add(key)
            return True

        async def discard(self, key: str) -> None:
            self.discarded.append(key)
            self.keys.discard(key)

    store = Store()
    router = WebhookRouter(seen=store)

    @router.on("*")
    async def fail(event: WebhookEvent) -> None:
        raise ValueError("boom")

    event = event_of(signer, "payment_finished")
    with pytest.raises(ValueError, match="boom"):
        await router.dispatch(event)
    assert store.discarded == [event.digest]
    assert not store.keys


async def test_memory_store_ttl_and_bound() -> None:
    now = [0.0]
    store = MemorySeenStore(max_size=3, ttl=10, clock=lambda: now[0])
    assert await store.add_if_new("a")
    assert not await store.add_if_new("a")
    now[0] = 11
    assert await store.add_if_new("a")  # expired: new again
    for key in "bcde":
        assert await store.add_if_new(key)
    assert len(store) == 3  # bounded: oldest dropped
    assert await store.add_if_new("a")  # "a" was evicted
    await store.discard("e")
    assert await store.add_if_new("e")


# --------------------------------------------------------------------------- receiver core


async def test_receive_webhook_answers(
    signer: WebhookSigner, partner_key: rsa.RSAPrivateKey
) -> None:
    router = WebhookRouter()

    @router.on("ready_to_capture")
    async def broken(event: WebhookEvent) -> None:
        raise RuntimeError("bug")

    verifier = signer.verifier
    body, sig = signer.sign(webhook_payload("payment_finished"))
    ok = await receive_webhook(body, sig, verifier=verifier, router=router)
    assert (ok.status, ok.body, ok.result) == (200, b"{}", DispatchResult.UNHANDLED)
    dup = await receive_webhook(body, sig, verifier=verifier, router=router)
    assert (dup.status, dup.result) == (200, DispatchResult.DUPLICATE)
    forged = WebhookSigner(partner_key).sign(webhook_payload("payment_finished"))
    assert (await receive_webhook(*forged, verifier=verifier, router=router)).status == 400
    assert (await receive_webhook(body, None, verifier=verifier, router=router)).status == 400
    garbage = signer.sign(b"nope")
    assert (await receive_webhook(*garbage, verifier=verifier, router=router)).status == 400
    unknown = signer.sign({"type": "new_kind"})
    assert (await receive_webhook(*unknown, verifier=verifier, router=router)).status == 200
    over_the_cap = await receive_webhook(None, sig, verifier=verifier, router=router)
    assert over_the_cap.status == 413
    failing = signer.sign(webhook_payload("ready_to_capture"))
    assert (await receive_webhook(*failing, verifier=verifier, router=router)).status == 500


# --------------------------------------------------------------------------- the client


async def test_views_share_the_hub_and_waits_need_no_request(
    partner_key: rsa.RSAPrivateKey, signer: WebhookSigner
) -> None:
    # base_url points nowhere: any status request would fail the wait
    async with AsyncBank131(
        project="p",
        private_key=partner_key,
        bank_public_key=signer.public_key_pem,
        base_url="http://127.0.0.1:9",
    ) as bank:
        router = bank.webhooks.attach(WebhookRouter(), fallback=PollSchedule(initial=30))
        bank.webhooks.attach(router)  # idempotent
        view = bank.with_options(timeout=2)
        assert view.webhooks.hub is bank.webhooks.hub
        assert view.webhooks.hub.active
        body, signature = signer.sign(webhook_payload("payment_finished", session_id="ps_v"))
        await router.dispatch(view.webhooks.parse(body, signature))
        with anyio.fail_after(1):
            done = await view.sessions.wait_for_finished("ps_v", timeout=5)
        assert done.is_finished
        bank.webhooks.detach(router)
        assert not bank.webhooks.hub.active
        bank.webhooks.detach(router)  # idempotent


async def test_feed_without_a_router(partner_key: rsa.RSAPrivateKey, signer: WebhookSigner) -> None:
    async with AsyncBank131(
        project="p", private_key=partner_key, bank_public_key=signer.public_key_pem
    ) as bank:
        bank.webhooks.feed(event_of(signer, "ready_to_confirm", session_id="ps_f"))
        latest = bank.webhooks.hub.latest("ps_f")
        assert latest is not None
        assert latest.next_action == "confirm"
        assert "active=False" in repr(bank.webhooks)


@pytest.mark.parametrize(
    "module",
    [
        "bank131_async.webhooks",
        "bank131_async.testing",
        "bank131_async.contrib.fastapi",
        "bank131_async.contrib.aiohttp",
        "bank131_async.models.webhooks",
    ],
)
def test_every_name_in_all_exists(module: str) -> None:
    imported = importlib.import_module(module)
    assert [n for n in imported.__all__ if not hasattr(imported, n)] == []
