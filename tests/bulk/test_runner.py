"""The runner against the mock bank over real sockets: lost answers, interruptions, reruns,
decisions, webhooks; the mock's ledger proves each item paid at most once."""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import anyio
import anyio.lowlevel
import pytest
import pytest_asyncio

from bank131_async import AsyncBank131, PollSchedule
from bank131_async.bulk import (
    BulkRunner,
    ItemResult,
    Outcome,
    Progress,
    SqliteJournal,
    idempotency_key,
)
from bank131_async.mock import MockBank131
from bank131_async.models import Session
from bank131_async.resources.sessions import SessionsResource
from bank131_async.webhooks import WebhookRouter
from tests.bulk.conftest import POLL
from tests.bulk.helpers import DECLINED_CARD, Ledger, Watch, expected, item, items, lose_answers
from tests.contrib.servers import fastapi_receiver
from tests.webhook_helpers import StatusCounter

pytestmark = pytest.mark.asyncio


def runner(bank: AsyncBank131, journal: SqliteJournal, batch_id: str, **options: Any) -> BulkRunner:
    options.setdefault("concurrency", 20)
    options.setdefault("schedule", POLL)
    options.setdefault("wait_timeout", 10.0)
    return BulkRunner(bank, journal, batch_id=batch_id, **options)


@pytest_asyncio.fixture
async def journal(tmp_path: Path) -> AsyncIterator[SqliteJournal]:
    async with SqliteJournal(tmp_path / "j.sqlite") as opened:
        yield opened


async def test_lost_answers_are_recovered_and_each_item_paid_once(
    mock: MockBank131, bank: AsyncBank131, journal: SqliteJournal, batch_id: str
) -> None:
    count = 300
    lose_answers(mock)
    mock.faults.add("reset", route="session/status", probability=0.02)
    results: list[ItemResult] = []
    with anyio.fail_after(60):
        summary = await runner(bank, journal, batch_id, on_result=results.append).run(items(count))
    ok, failed = expected(count)
    by_status = {r.item_id: r for r in results}
    assert len(results) == count
    assert {k for k, r in by_status.items() if r.status is Outcome.SUCCEEDED} == ok
    assert {k for k, r in by_status.items() if r.status is Outcome.FAILED} == failed
    assert {by_status[k].error_code for k in failed} == {
        "declined_by_issuer_bank",
        "insufficient_funds",
    }
    assert all(r.session_id for r in results)
    assert summary.ok
    assert summary.counts["succeeded"] == len(ok)
    assert summary.processed == count
    assert summary.amounts["succeeded"]["rub"] == sum(10_000 + int(k[3:]) for k in ok)
    Ledger(mock.state).assert_paid_once(count)
    assert sum(rule.hits for rule in mock.faults.rules) > 10  # the faults really happened


async def test_session_id_is_journaled_before_start_payout_is_sent(
    mock: MockBank131,
    bank: AsyncBank131,
    journal: SqliteJournal,
    batch_id: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[tuple[str, str | None]] = []
    original = SessionsResource.start_payout

    async def spy(resource: SessionsResource, session_id: str, **kw: Any) -> Session:
        rows = await journal._fetch(
            "SELECT session_id FROM bulk_items WHERE batch_id = :b AND session_id = :s",
            b=batch_id,
            s=session_id,
        )
        seen.append((session_id, rows[0][0] if rows else None))
        return await original(resource, session_id, **kw)

    monkeypatch.setattr(SessionsResource, "start_payout", spy)
    with anyio.fail_after(30):
        await runner(bank, journal, batch_id).run(items(30))
    assert len(seen) == 30
    assert all(sent == journaled for sent, journaled in seen)


async def test_a_lost_create_answer_costs_an_empty_session_not_a_payout(
    mock: MockBank131, bank: AsyncBank131, journal: SqliteJournal, batch_id: str
) -> None:
    # The first create is processed and its answer lost; so are the SDK's retries of it
    # (with the same key: the bank answers "already used"). A fresh key then gets a session.
    fault = mock.faults.add("drop_after", route="session/create", times=3)
    with anyio.fail_after(30):
        summary = await runner(bank, journal, batch_id, concurrency=1).run(items(3))
    assert summary.ok
    assert fault.hits == 3
    sessions = list(mock.state.sessions.values())
    assert len([s for s in sessions if s.status == "created"]) == 1  # the orphan, never started
    assert len([s for s in sessions if s.payouts]) == 3
    Ledger(mock.state).assert_paid_once(3)


async def test_interrupted_runs_resume_and_never_pay_twice(
    mock: MockBank131, bank: AsyncBank131, tmp_path: Path, batch_id: str
) -> None:
    count = 200
    lose_answers(mock, 0.03)
    rng = random.Random(7)
    path = tmp_path / "resume.sqlite"
    watch = Watch(mock.state)
    for _ in range(3):
        # Stop the run (cancel: every task stops at its next await, wherever it is) once the
        # bank has started some more payouts.
        target = watch.count + rng.randint(10, 50)
        async with SqliteJournal(path) as journal:
            with anyio.fail_after(30):
                async with anyio.create_task_group() as tg:
                    tg.start_soon(runner(bank, journal, batch_id).run, items(count))
                    await watch.started(target)
                    tg.cancel_scope.cancel()
    async with SqliteJournal(path) as journal:
        with anyio.fail_after(60):
            summary = await runner(bank, journal, batch_id).run(items(count))
    assert summary.ok, summary.render()
    Ledger(mock.state).assert_paid_once(count)


async def test_a_finished_batch_is_not_sent_again(
    mock: MockBank131, bank: AsyncBank131, journal: SqliteJournal, batch_id: str
) -> None:
    with anyio.fail_after(30):
        await runner(bank, journal, batch_id).run(items(20))
    requests_before = len(mock.state.sessions)
    with anyio.fail_after(30):
        again = await runner(bank, journal, batch_id).run(items(20))
    assert again.processed == 0
    assert again.ok
    assert len(mock.state.sessions) == requests_before


async def test_a_lost_journal_never_pays_twice(
    mock: MockBank131, bank: AsyncBank131, tmp_path: Path, batch_id: str
) -> None:
    async with SqliteJournal(tmp_path / "first.sqlite") as first:
        with anyio.fail_after(30):
            await runner(bank, first, batch_id).run(items(10))
    # The journal is gone; the same batch id is run again: the item-level start keys are spent.
    async with SqliteJournal(tmp_path / "second.sqlite") as second:
        results: list[ItemResult] = []
        with anyio.fail_after(30):
            summary = await runner(bank, second, batch_id, on_result=results.append).run(items(10))
    assert not summary.ok
    assert {r.status for r in results} == {Outcome.UNKNOWN}
    assert all("was used before" in (r.reason or "") for r in results)
    Ledger(mock.state).assert_paid_once(10)


async def test_decide_can_cancel(
    mock: MockBank131, bank: AsyncBank131, journal: SqliteJournal, batch_id: str
) -> None:
    asked: list[str] = []

    async def decide(item_id: str, session: Session) -> str:
        asked.append(item_id)
        assert session.next_action == "confirm"
        return "cancel" if item_id in ("it-2", "it-4") else "confirm"

    results: list[ItemResult] = []
    with anyio.fail_after(30):
        await runner(bank, journal, batch_id, decide=decide, on_result=results.append).run(items(4))
    assert sorted(asked) == ["it-1", "it-2", "it-3", "it-4"]
    by_id = {r.item_id: r for r in results}
    assert by_id["it-2"].status is Outcome.FAILED
    assert by_id["it-2"].error_code == "session_cancelled_by_partner"
    assert by_id["it-1"].status is Outcome.SUCCEEDED
    assert set(Ledger(mock.state).paid) == {"it-1", "it-3"}


async def test_a_timed_out_wait_is_unknown_then_the_next_run_reconciles_it(
    mock: MockBank131, bank: AsyncBank131, journal: SqliteJournal, batch_id: str
) -> None:
    mock.config.process_delay = 1.0
    results: list[ItemResult] = []
    with anyio.fail_after(30):
        first = await runner(
            bank, journal, batch_id, wait_timeout=0.3, on_result=results.append
        ).run(items(3))
    assert not first.ok
    assert {r.status for r in results} == {Outcome.UNKNOWN}
    assert all(r.session_id for r in results)
    assert all("gave up waiting" in (r.reason or "") for r in results)
    with anyio.fail_after(30):
        second = await runner(bank, journal, batch_id).run(items(3))
    assert second.ok
    assert second.counts["succeeded"] == 3
    assert len(mock.state.sessions) == 3  # reconciled, never re-created
    Ledger(mock.state).assert_paid_once(3)


async def test_bad_items_and_duplicates_are_refused_before_anything_is_sent(
    mock: MockBank131, bank: AsyncBank131, journal: SqliteJournal, batch_id: str
) -> None:
    batch = [*items(5), item(2, amount=99_999), {"id": "bad", "amount_details": {}}, {"x": 1}]
    results: list[ItemResult] = []
    with anyio.fail_after(30):
        summary = await runner(bank, journal, batch_id, on_result=results.append).run(batch)
    invalid = {(r.item_id, r.line): r.reason for r in results if r.status is Outcome.INVALID}
    assert set(invalid) == {("it-2", 6), ("it-2", 2), ("bad", 7), (None, 8)}
    assert "duplicate id 'it-2' (also on line 2)" in (invalid["it-2", 6] or "")
    assert "neither is paid" in (invalid["it-2", 2] or "")
    assert invalid["bad", 7] == "line 7: payout_details: required"
    assert (invalid[None, 8] or "").startswith("line 8: x: unknown field")
    assert summary.counts["invalid"] == 4
    assert not summary.ok
    ledger = Ledger(mock.state)
    assert set(ledger.started) == {"it-1", "it-3", "it-4", "it-5"}
    # Fixing the input and running again pays what is now unambiguous.
    with anyio.fail_after(30):
        fixed = await runner(bank, journal, batch_id).run(items(5))
    assert fixed.ok
    assert fixed.counts["succeeded"] == 5
    Ledger(mock.state).assert_paid_once(5)


async def test_a_changed_item_replaces_one_never_sent_and_not_one_already_paid(
    mock: MockBank131, bank: AsyncBank131, journal: SqliteJournal, batch_id: str
) -> None:
    nameless = item(2)
    del nameless["participant_details"]
    first = [item(1), nameless]  # it-2 invalid (a card payout needs a name): nothing sent
    with anyio.fail_after(30):
        await runner(bank, journal, batch_id).run(first)
    second = [item(1, amount=55_555), item(2)]  # it-1 changed after it was paid
    results: list[ItemResult] = []
    with anyio.fail_after(30):
        summary = await runner(bank, journal, batch_id, on_result=results.append).run(second)
    changed = [r for r in results if r.status is Outcome.INVALID]
    assert [r.item_id for r in changed] == ["it-1"]
    assert "the journaled payout stands" in (changed[0].reason or "")
    assert summary.counts["succeeded"] == 2
    paid = [e.amount for e in mock.state.entries("payout_succeeded")]
    assert sorted(paid) == [10_001, 10_002]


async def test_a_line_removed_before_the_rerun_is_not_paid(
    mock: MockBank131, bank: AsyncBank131, journal: SqliteJournal, batch_id: str
) -> None:
    mock.config.confirm_delay = 30.0  # nothing gets far in the first run
    watch = Watch(mock.state)
    async with anyio.create_task_group() as tg:
        tg.start_soon(runner(bank, journal, batch_id, concurrency=1).run, items(5))
        await watch.started(1)
        tg.cancel_scope.cancel()
    mock.config.confirm_delay = 0.02
    mock.app.scheduler.cancel_all()
    # it-1 started (its session stays journaled); it-3 is dropped from the input
    rerun = [item(1), item(2), item(4), item(5)]
    with anyio.fail_after(30):
        summary = await runner(bank, journal, batch_id, wait_timeout=1.0).run(rerun)
    started = Ledger(mock.state).started
    assert "it-3" not in started
    assert summary.total == 4


async def test_results_stream_as_items_finish(
    mock: MockBank131, bank: AsyncBank131, journal: SqliteJournal, batch_id: str
) -> None:
    run = runner(bank, journal, batch_id)
    seen: list[str | None] = []
    with anyio.fail_after(30):
        async with run.stream(items(25)) as results:
            async for result in results:
                seen.append(result.item_id)
    assert sorted(seen, key=lambda s: int((s or "it-0")[3:])) == [f"it-{n}" for n in range(1, 26)]
    assert run.summary is not None
    assert run.summary.counts["succeeded"] == 24


async def test_concurrency_bounds_tasks_and_the_journal_keeps_no_card_after_start(
    mock: MockBank131, bank: AsyncBank131, journal: SqliteJournal, batch_id: str
) -> None:
    peak = 0

    def watch(progress: Progress) -> None:
        nonlocal peak
        peak = max(peak, len(asyncio.all_tasks()))
        assert progress.in_flight <= 10

    baseline = len(asyncio.all_tasks())
    with anyio.fail_after(60):
        await runner(bank, journal, batch_id, concurrency=10, on_progress=watch).run(
            iter(items(400))
        )
    # 10 workers, the feeder, the heartbeat, and the client's and mock's own bookkeeping:
    # nowhere near one task per item.
    assert peak - baseline < 60
    rows = await journal._fetch(
        "SELECT COUNT(*) FROM bulk_items WHERE batch_id = :b AND payload IS NOT NULL", b=batch_id
    )
    assert rows[0][0] == 0


async def test_async_iterables_are_accepted(
    mock: MockBank131, bank: AsyncBank131, journal: SqliteJournal, batch_id: str
) -> None:
    async def produce() -> AsyncIterator[dict[str, Any]]:
        for raw in items(5):
            await anyio.lowlevel.checkpoint()
            yield raw

    with anyio.fail_after(30):
        summary = await runner(bank, journal, batch_id).run(produce())
    assert summary.counts == Counter({"succeeded": 5})


async def test_waits_resolve_from_webhooks_when_a_receiver_is_attached(
    mock: MockBank131,
    bank: AsyncBank131,
    journal: SqliteJournal,
    batch_id: str,
    status_calls: StatusCounter,
) -> None:
    router = WebhookRouter()
    bank.webhooks.attach(router, fallback=PollSchedule(initial=30.0, maximum=30.0))
    async with fastapi_receiver(bank, router) as url:
        mock.config.webhook_url = url
        with anyio.fail_after(30):
            summary = await runner(bank, journal, batch_id).run(items(40))
        await mock.webhooks.wait_idle()
    assert summary.ok
    assert summary.counts["succeeded"] == len(expected(40)[0])
    assert status_calls.calls == 0  # every wait was answered by a webhook
    Ledger(mock.state).assert_paid_once(40)


async def test_declines_carry_the_banks_code(
    mock: MockBank131, bank: AsyncBank131, journal: SqliteJournal, batch_id: str
) -> None:
    results: list[ItemResult] = []
    with anyio.fail_after(30):
        await runner(bank, journal, batch_id, on_result=results.append).run(
            [item(1, card=DECLINED_CARD)]
        )
    (result,) = results
    assert (result.status, result.error_code, result.amount) == (
        Outcome.FAILED,
        "declined_by_issuer_bank",
        10_001,
    )
    assert result.to_json() == {
        "id": "it-1",
        "status": "failed",
        "session_id": result.session_id,
        "error_code": "declined_by_issuer_bank",
        "amount": 10_001,
        "reason": None,
    }


def test_idempotency_keys_are_deterministic_uuids() -> None:
    key = idempotency_key("b", "it-1", "start")
    assert key == idempotency_key("b", "it-1", "start")
    assert (
        len({key, idempotency_key("b", "it-2", "start"), idempotency_key("c", "it-1", "start")})
        == 3
    )
    assert len(key) == 36
    assert key.count("-") == 4
