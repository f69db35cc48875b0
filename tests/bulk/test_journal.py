"""The journal's rules on both backends (SQLite and a real PostgreSQL server): claims never
overlap, one session per item, leases expire and fence the old owner out, parked items wait for
the next run, loads are idempotent."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from pathlib import Path

import anyio
import pytest
import pytest_asyncio

from bank131_async.bulk import Entry, SqliteJournal, SqlJournal, open_journal
from bank131_async.bulk.journal import Stage
from bank131_async.errors import MissingExtraError
from tests.bulk.helpers import items

pytestmark = pytest.mark.asyncio


@pytest_asyncio.fixture(params=["sqlite", "postgres"])
async def journal(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[SqlJournal]:
    if request.param == "sqlite":
        opened: SqlJournal = SqliteJournal(tmp_path / "j.sqlite")
    else:
        opened = open_journal(request.getfixturevalue("postgres_url"))
    async with opened:
        yield opened


async def load(journal: SqlJournal, batch_id: str, count: int, load_id: str = "load-1") -> None:
    entries = iter([Entry.parse(n, raw) for n, raw in enumerate(items(count), 1)])
    issues = [r async for r in journal.load(batch_id, load_id, entries)]
    assert issues == []


async def test_claims_never_overlap(journal: SqlJournal, batch_id: str) -> None:
    await load(journal, batch_id, 100)
    since = await journal.clock() + 1
    got: dict[str, list[str]] = {"a": [], "b": [], "c": []}

    async def claimer(owner: str) -> None:
        while claims := await journal.claim(batch_id, owner, limit=7, lease=60, since=since):
            got[owner].extend(c.item_id for c in claims)

    async with anyio.create_task_group() as tg:
        for owner in got:
            tg.start_soon(claimer, owner)
    everything = [i for ids in got.values() for i in ids]
    assert sorted(everything) == sorted(f"it-{n}" for n in range(1, 101))


async def test_one_session_per_item(journal: SqlJournal, batch_id: str) -> None:
    await load(journal, batch_id, 1)
    since = await journal.clock() + 1
    (claim,) = await journal.claim(batch_id, "a", limit=5, lease=60, since=since)
    assert claim.stage is Stage.NEW
    assert claim.payload is not None
    assert claim.amount == 10_001
    assert not await journal.set_session(batch_id, "it-1", "b", "ps_other")  # not b's row
    assert await journal.set_session(batch_id, "it-1", "a", "ps_1")
    assert not await journal.set_session(batch_id, "it-1", "a", "ps_2")  # it has one
    await journal.release(batch_id, "a")
    (again,) = await journal.claim(batch_id, "b", limit=5, lease=60, since=since)
    assert (again.session_id, again.stage) == ("ps_1", Stage.SESSION)


async def test_an_expired_lease_is_taken_over_and_fences_the_old_owner(
    journal: SqlJournal, batch_id: str
) -> None:
    await load(journal, batch_id, 3)
    since = await journal.clock() + 1
    assert len(await journal.claim(batch_id, "a", limit=5, lease=0.5, since=since)) == 3
    assert await journal.claim(batch_id, "b", limit=5, lease=60, since=since) == []
    assert await journal.others_busy(batch_id, "b", since)
    assert await journal.live_owners(batch_id) == ["a"]
    await anyio.sleep(0.7)  # time itself is under test: the lease runs out
    taken = await journal.claim(batch_id, "b", limit=5, lease=60, since=since)
    assert len(taken) == 3
    # a wakes up: every write it tries fails, so it drops the items
    assert not await journal.update(batch_id, "it-1", "a", lease=60, stage="started")
    assert not await journal.set_session(batch_id, "it-2", "a", "ps_late")
    assert await journal.update(batch_id, "it-1", "b", lease=60, create_attempts=1)
    await journal.expire(batch_id, "b")  # b is known to be dead: c may take over at once
    assert await journal.others_busy(batch_id, "c", since)
    assert len(await journal.claim(batch_id, "c", limit=5, lease=60, since=since)) == 3
    assert not await journal.others_busy(batch_id, "c", since)


async def test_parked_items_wait_for_the_next_run(journal: SqlJournal, batch_id: str) -> None:
    await load(journal, batch_id, 1)
    since = await journal.clock() + 0.001
    (claim,) = await journal.claim(batch_id, "a", limit=5, lease=60, since=since)
    parked_at = await journal.clock() + 0.01
    assert await journal.update(
        batch_id, claim.item_id, "a", lease=60, release=True, outcome="unknown", parked_at=parked_at
    )
    assert await journal.claim(batch_id, "a", limit=5, lease=60, since=since) == []
    assert not await journal.others_busy(batch_id, "a", since)
    later = parked_at + 0.001
    assert [
        c.item_id for c in await journal.claim(batch_id, "b", limit=5, lease=60, since=later)
    ] == ["it-1"]
    summary = await journal.summary(batch_id)
    assert summary.counts["unknown"] == 1
    assert not summary.ok


async def test_loading_twice_keeps_progress(journal: SqlJournal, batch_id: str) -> None:
    await load(journal, batch_id, 3, "load-1")
    since = await journal.clock() + 1
    claims = await journal.claim(batch_id, "a", limit=1, lease=60, since=since)
    assert await journal.set_session(batch_id, claims[0].item_id, "a", "ps_9")
    await load(journal, batch_id, 3, "load-2")  # same input, new load: nothing is a duplicate
    results = [r async for r in journal.results(batch_id)]
    assert [r.item_id for r in results] == ["it-1", "it-2", "it-3"]
    assert [r.session_id for r in results] == ["ps_9", None, None]
    summary = await journal.summary(batch_id)
    assert summary.pending == 3
    assert summary.total == 3
    assert await journal.batch_exists(batch_id)
    assert not await journal.batch_exists(batch_id + "-other")


async def test_results_page_through_big_batches(journal: SqlJournal, batch_id: str) -> None:
    await load(journal, batch_id, 1234)
    ids = [r.item_id async for r in journal.results(batch_id)]
    assert ids == [f"it-{n}" for n in range(1, 1235)]


def test_postgres_without_the_driver_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "asyncpg", None)
    with pytest.raises(MissingExtraError, match=r"bank131-async\[postgres\]"):
        open_journal("postgresql://nobody@127.0.0.1/none")


async def test_a_duplicate_of_a_journaled_item_is_caught_in_a_rerun(
    journal: SqlJournal, batch_id: str
) -> None:
    await load(journal, batch_id, 2, "load-1")
    rows = items(2)
    entries = iter([Entry.parse(n, raw) for n, raw in enumerate([*rows, rows[0]], 1)])
    issues = [r async for r in journal.load(batch_id, "load-2", entries)]
    assert [(r.item_id, r.line) for r in issues] == [("it-1", 3), ("it-1", 1)]
    summary = await journal.summary(batch_id)
    assert summary.counts["invalid"] == 2
    assert summary.pending == 1


async def test_a_statement_rolled_back_by_the_database_runs_again(
    journal: SqlJournal, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Deadlock(Exception):
        pass

    monkeypatch.setattr(journal, "is_transient", lambda exc: isinstance(exc, Deadlock))
    calls = 0

    async def flaky() -> int:
        nonlocal calls
        calls += 1
        if calls < 3:
            raise Deadlock
        return 7

    assert await journal._retry(flaky) == 7
    assert calls == 3

    async def broken() -> int:
        raise ValueError("not transient")

    with pytest.raises(ValueError, match="not transient"):
        await journal._retry(broken)


async def test_postgres_knows_its_transient_errors(postgres_url: str) -> None:
    import asyncpg

    journal = open_journal(postgres_url)
    assert journal.is_transient(asyncpg.exceptions.DeadlockDetectedError("x"))
    assert not journal.is_transient(asyncpg.exceptions.UniqueViolationError("x"))


async def test_rows_a_claim_skipped_still_count_as_work_left(
    journal: SqlJournal, batch_id: str
) -> None:
    # Unleased work (e.g. rows another runner's load transaction had locked when this runner
    # claimed, so SKIP LOCKED passed them over) keeps the runner from leaving early.
    await load(journal, batch_id, 2)
    since = await journal.clock() + 1
    assert await journal.others_busy(batch_id, "a", since)
    assert len(await journal.claim(batch_id, "a", limit=5, lease=60, since=since)) == 2
    assert not await journal.others_busy(batch_id, "a", since)  # a holds them itself
