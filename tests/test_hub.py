"""The session event hub: newest snapshot wins, bounded, and the webhook-driven waits."""

from __future__ import annotations

from datetime import datetime

import anyio
import pytest
from anyio import wait_all_tasks_blocked

from bank131_async import (
    PollSchedule,
    UnexpectedSessionStateError,
    WaitTimeoutError,
)
from bank131_async.hub import SessionEventHub
from bank131_async.models import (
    Session,
)
from bank131_async.polling import wait_for_finished, wait_for_next_action
from tests.webhook_helpers import session

pytestmark = pytest.mark.asyncio

# --------------------------------------------------------------------------- the hub


def test_hub_keeps_the_newest_by_updated_at() -> None:
    hub = SessionEventHub()
    finished = session("payment_finished", at=5)
    assert hub.publish(finished)
    late = session("ready_to_confirm", at=1)
    assert not hub.publish(late)  # a late ready_to_confirm does not un-finish the session
    assert hub.latest("ps_test") is finished
    assert hub.publish(session("payment_refunded", at=9))


def test_hub_without_timestamps_never_moves_backwards() -> None:
    hub = SessionEventHub()
    assert hub.publish(session("payment_finished", at=None))
    assert not hub.publish(session("ready_to_confirm", at=None))
    latest = hub.latest("ps_test")
    assert latest is not None
    assert latest.is_finished
    assert not hub.publish(session("payment_finished", at=None))  # the same again: nothing new
    assert hub.publish(session("payment_refunded", at=None, operation_status="failed"))


def test_hub_tolerates_naive_timestamps() -> None:
    hub = SessionEventHub()
    finished = session("payment_finished", at=5)
    assert hub.publish(finished)
    naive = Session(id="ps_test", status="in_progress", updated_at=datetime(2030, 1, 1))
    assert not hub.publish(naive)  # not comparable: lifecycle order keeps the finished state
    assert hub.latest("ps_test") is finished


def test_hub_is_bounded_but_keeps_watched_sessions() -> None:
    hub = SessionEventHub(max_sessions=5)
    with hub.watch("ps_watched"):
        for i in range(20):
            hub.publish(session("payment_finished", session_id=f"ps_{i}"))
        assert len(hub) <= 5
        assert "ps_watched" in hub._entries
    assert hub.latest("ps_0") is None
    assert hub.latest("ps_19") is not None


# --------------------------------------------------------------------------- driven waits


class Bank:
    """A fake ``session/status`` over a scripted state; counts calls."""

    def __init__(self, state: Session) -> None:
        self.state = state
        self.calls = 0

    async def status(self, session_id: str) -> Session:
        self.calls += 1
        return self.state


def active_hub(fallback: PollSchedule | None = None) -> SessionEventHub:
    hub = SessionEventHub(fallback=fallback or PollSchedule(initial=30, maximum=30))
    hub.attach_source()
    return hub


async def test_wait_resolves_from_a_webhook_without_polling() -> None:
    hub = active_hub()
    hub.publish(session("action_required", at=0))  # e.g. the confirm response of this client
    bank = Bank(session("ready_to_confirm"))
    result: list[Session] = []

    async def waiter() -> None:
        result.append(await wait_for_finished(bank.status, "ps_test", timeout=5, source=hub))

    with anyio.fail_after(2):
        async with anyio.create_task_group() as tg:
            tg.start_soon(waiter)
            await wait_all_tasks_blocked()
            hub.publish(session("ready_to_confirm", at=1))  # not final: keeps waiting
            await wait_all_tasks_blocked()
            assert not result
            hub.publish(session("payment_finished", at=2))
    assert result[0].is_finished
    assert bank.calls == 0


@pytest.mark.parametrize(
    ("published", "current", "status_calls"),
    [
        pytest.param(
            session("ready_to_confirm"),
            session("ready_to_confirm"),
            0,
            id="snapshot-published-before-the-wait-is-used-at-once",
        ),
        # a stale payment_finished of an earlier flow? The bank still waits for confirm.
        pytest.param(
            session("payment_finished", at=None),
            session("ready_to_confirm", at=None),
            1,
            id="never-verdict-from-a-webhook-is-checked-with-one-status-call",
        ),
    ],
)
async def test_a_wait_starts_from_the_published_snapshot(
    published: Session, current: Session, status_calls: int
) -> None:
    hub = active_hub()
    hub.publish(published)
    bank = Bank(current)
    with anyio.fail_after(1):
        got = await wait_for_next_action(bank.status, "ps_test", "confirm", timeout=5, source=hub)
    assert got.next_action == "confirm"
    assert bank.calls == status_calls


async def test_out_of_order_late_event_does_not_unfinish() -> None:
    hub = active_hub()
    hub.publish(session("payment_finished", at=5))
    hub.publish(session("ready_to_confirm", at=1))
    bank = Bank(session("ready_to_confirm"))
    with anyio.fail_after(1):
        got = await wait_for_finished(bank.status, "ps_test", timeout=5, source=hub)
    assert got.is_finished
    assert bank.calls == 0


async def test_a_confirmed_never_verdict_raises() -> None:
    hub = active_hub()
    hub.publish(session("payment_finished"))
    bank = Bank(session("payment_finished"))
    with anyio.fail_after(1), pytest.raises(UnexpectedSessionStateError):
        await wait_for_next_action(bank.status, "ps_test", "confirm", timeout=5, source=hub)
    assert bank.calls == 1


async def test_fallback_polls_when_no_webhook_comes() -> None:
    hub = active_hub(PollSchedule(initial=0.01, maximum=0.01))
    bank = Bank(session("ready_to_confirm"))

    async def finish_later() -> None:
        await anyio.sleep(0.05)
        bank.state = session("payment_finished")

    with anyio.fail_after(2):
        async with anyio.create_task_group() as tg:
            tg.start_soon(finish_later)
            got = await wait_for_finished(bank.status, "ps_test", timeout=5, source=hub)
    assert got.is_finished
    assert bank.calls >= 2
    assert hub.latest("ps_test") is got  # polled states are shared with other waiters


async def test_driven_wait_times_out_with_the_last_state() -> None:
    hub = active_hub(PollSchedule(initial=0.02, maximum=0.02))
    bank = Bank(session("ready_to_confirm"))
    with pytest.raises(WaitTimeoutError, match="webhook-driven") as info:
        await wait_for_finished(bank.status, "ps_test", timeout=0.1, source=hub)
    assert info.value.session is not None
    assert info.value.session.next_action == "confirm"


async def test_inactive_hub_means_plain_polling() -> None:
    hub = SessionEventHub()  # nothing attached
    hub.publish(session("payment_finished"))
    bank = Bank(session("payment_finished"))
    got = await wait_for_finished(bank.status, "ps_test", timeout=1, source=hub)
    assert got.is_finished
    assert bank.calls == 1


async def test_unseen_session_is_read_once_at_once() -> None:
    hub = active_hub()
    bank = Bank(session("payment_finished", status="cancelled", operation_status="failed"))
    with anyio.fail_after(1), pytest.raises(UnexpectedSessionStateError, match="never come"):
        await wait_for_next_action(bank.status, "ps_test", "confirm", timeout=5, source=hub)
    assert bank.calls == 1


async def test_unseen_session_read_once_then_webhooks() -> None:
    hub = active_hub()
    bank = Bank(session("ready_to_confirm"))

    async def finish_once_waiting() -> None:
        await wait_all_tasks_blocked()  # the wait has read the status once and sleeps
        hub.publish(session("payment_finished", at=5))

    with anyio.fail_after(1):
        async with anyio.create_task_group() as tg:
            tg.start_soon(finish_once_waiting)
            done = await wait_for_finished(bank.status, "ps_test", timeout=5, source=hub)
    assert done.is_finished
    assert bank.calls == 1  # the first read only


async def test_many_waiters_share_one_event() -> None:
    hub = active_hub()
    for i in range(10):
        hub.publish(session("ready_to_confirm", session_id=f"ps_{i}"))
    bank = Bank(session("ready_to_confirm"))
    done = 0

    async def waiter(i: int) -> None:
        nonlocal done
        await wait_for_finished(bank.status, f"ps_{i % 10}", timeout=5, source=hub)
        done += 1

    with anyio.fail_after(2):
        async with anyio.create_task_group() as tg:
            for i in range(200):
                tg.start_soon(waiter, i)
            await wait_all_tasks_blocked()
            for i in range(10):
                hub.publish(session("payment_finished", session_id=f"ps_{i}"))
    assert done == 200
    assert bank.calls == 0
