"""``BulkRunner``: pays a batch through a journal, with bounded concurrency, resumably.

>>> async with AsyncBank131.from_env() as bank, SqliteJournal("b7.bulk.sqlite") as journal:
...     runner = BulkRunner(bank, journal, batch_id="b7", concurrency=50)    # doctest: +SKIP
...     summary = await runner.run(read_items(Path("payouts.jsonl")))
...     print(summary.render())

A run first loads its input into the journal (streaming, every item checked, duplicate ids
refused), then ``concurrency`` workers pay the rows they claim from the journal. Memory is
proportional to ``concurrency``, not to the batch. Rerunning the same batch (same id, same
journal) skips finished items and reconciles started ones; several runner processes can share
a batch in PostgreSQL. Results stream to ``on_result`` (or :meth:`BulkRunner.stream`) as
items finish; the summary covers the whole batch.

With a webhook router attached to the client (``bank.webhooks.attach(router)``, and the
receiver in this process) the waits resolve from webhooks; otherwise they poll ``schedule``.
"""

from __future__ import annotations

import inspect
import os
import socket
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable, Iterable, Mapping
from contextlib import asynccontextmanager
from typing import Any

import anyio
from anyio.abc import ObjectReceiveStream, ObjectSendStream

from .._logging import logger, redact
from ..client import AsyncBank131
from ..polling import DEFAULT_SCHEDULE, PollSchedule
from .flow import Decide, FlowSettings, ItemFlow
from .items import InvalidItem, PayoutItem, check_item
from .journal import Claim, SqlJournal
from .progress import Progress
from .results import FINAL, ItemResult, Outcome, Summary
from .sources import Entry

__all__ = ["BulkRunner", "InputItem"]

#: What a batch may be made of: items, their JSON, or entries of :mod:`.sources`.
InputItem = PayoutItem | Mapping[str, Any] | Entry
ResultCallback = Callable[[ItemResult], "Awaitable[None] | None"]
ProgressCallback = Callable[[Progress], None]


def _owner_id() -> str:
    """``host:pid:random``: unique per run; host and pid let a rerun on this machine see at
    once that a lease's owner is dead."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _dead_here(owner: str) -> bool:
    host, _, rest = owner.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


class BulkRunner:
    """Pays one batch (``batch_id``) recorded in ``journal`` with ``bank``.

    ``decide(item_id, session)`` answers ``"confirm"`` or ``"cancel"`` at the bank's confirm
    step (default: confirm). ``lease`` is how long a claimed item stays this runner's without
    a heartbeat (another runner takes over after it); ``wait_timeout`` bounds each wait.
    """

    def __init__(
        self,
        bank: AsyncBank131,
        journal: SqlJournal,
        *,
        batch_id: str,
        concurrency: int = 20,
        decide: Decide | None = None,
        wait_timeout: float = 300.0,
        schedule: PollSchedule = DEFAULT_SCHEDULE,
        lease: float = 60.0,
        on_result: ResultCallback | None = None,
        on_progress: ProgressCallback | None = None,
        idle_poll: float = 1.0,
    ) -> None:
        if not batch_id or not batch_id.strip():
            raise ValueError("batch_id must be a non-empty string")
        if concurrency < 1:
            raise ValueError(f"concurrency must be at least 1, got {concurrency}")
        if not lease > 0:
            raise ValueError(f"lease must be positive, got {lease}")
        self.bank = bank
        self.journal = journal
        self.batch_id = batch_id
        self.concurrency = concurrency
        self.lease = lease
        self.owner = _owner_id()
        self.on_result = on_result
        self.on_progress = on_progress
        self.idle_poll = idle_poll
        self._flow = ItemFlow(
            bank,
            journal,
            batch_id=batch_id,
            owner=self.owner,
            settings=FlowSettings(
                lease=lease, wait_timeout=wait_timeout, schedule=schedule, decide=decide
            ),
        )
        self._sink: ObjectSendStream[ItemResult] | None = None
        #: The last run's summary (also returned by :meth:`run`).
        self.summary: Summary | None = None
        self._phase = "loading"
        self._total = 0
        self._done = 0
        self._counts: Counter[str] = Counter()
        self._in_flight = 0
        self._processed = 0
        self._started = 0.0

    def __repr__(self) -> str:
        return f"BulkRunner(batch_id={self.batch_id!r}, concurrency={self.concurrency})"

    # ------------------------------------------------------------------ public

    async def run(
        self, items: Iterable[InputItem] | AsyncIterable[InputItem] | None = None
    ) -> Summary:
        """Load ``items`` (``None``: only resume what the journal holds) and pay the batch.

        Returns the batch's summary; each item's result went to ``on_result`` as it finished.
        """
        self._started = time.monotonic()
        # Items parked before now are this run's to reconcile. SQLite's clock ticks in
        # milliseconds: one tick more puts an item parked in this very tick by the last run
        # (a rerun straight after it) on the right side.
        since = await self.journal.clock() + 0.001
        try:
            if items is not None:
                self._progress()
                entries = _entries(items)
                async for issue in self.journal.load(self.batch_id, self.owner, entries):
                    await self._emit(issue, processed=False)
            before = await self.journal.summary(self.batch_id)
            self._total = before.total
            self._done = sum(n for o, n in before.counts.items() if o in FINAL)
            self._counts = Counter({o: n for o, n in before.counts.items() if o in FINAL})
            self._phase = "paying"
            self._progress()
            await self._pay(since)
        finally:
            # Leases left behind would only delay the next run on another machine.
            with anyio.CancelScope(shield=True):
                try:
                    await self.journal.release(self.batch_id, self.owner)
                except Exception:
                    logger.warning(
                        "bulk %s: could not release leases", self.batch_id, exc_info=True
                    )
        summary = await self.journal.summary(self.batch_id)
        summary.processed = self._processed
        summary.elapsed = time.monotonic() - self._started
        self.summary = summary
        self._phase = "finished"
        self._progress()
        return summary

    @asynccontextmanager
    async def stream(
        self, items: Iterable[InputItem] | AsyncIterable[InputItem] | None = None
    ) -> AsyncIterator[ObjectReceiveStream[ItemResult]]:
        """Results as they finish::

            async with runner.stream(items) as results:
                async for result in results:
                    ...

        The stream ends when the run does (:attr:`summary` is then set). Leaving the block
        early does not stop the batch: the block waits for the run to finish.
        """
        send, receive = anyio.create_memory_object_stream[ItemResult](self.concurrency)

        async def go() -> None:
            async with send:
                self._sink = send
                try:
                    await self.run(items)
                finally:
                    self._sink = None

        async with anyio.create_task_group() as tg:
            tg.start_soon(go)
            async with receive:
                yield receive

    # ------------------------------------------------------------------ paying

    async def _pay(self, since: float) -> None:
        send, receive = anyio.create_memory_object_stream[Claim](0)
        async with anyio.create_task_group() as outer:
            outer.start_soon(self._heartbeat)
            async with anyio.create_task_group() as workers:
                for _ in range(self.concurrency):
                    workers.start_soon(self._worker, receive.clone())
                receive.close()
                await self._feed(send, since)
            outer.cancel_scope.cancel()

    async def _feed(self, send: ObjectSendStream[Claim], since: float) -> None:
        async with send:
            await self._expire_dead_owners()
            while True:
                claims = await self.journal.claim(
                    self.batch_id, self.owner, limit=self.concurrency, lease=self.lease, since=since
                )
                for claim in claims:
                    await send.send(claim)
                if claims:
                    continue
                if not await self.journal.others_busy(self.batch_id, self.owner, since):
                    return  # nothing left for this run; our own items finish in the workers
                # Other runners hold the rest: wait to take over what a dead one leaves.
                await anyio.sleep(self.idle_poll)
                await self._expire_dead_owners()

    async def _expire_dead_owners(self) -> None:
        for owner in await self.journal.live_owners(self.batch_id):
            if owner != self.owner and _dead_here(owner):
                logger.info(
                    "bulk %s: runner %s is gone; taking its items over", self.batch_id, owner
                )
                await self.journal.expire(self.batch_id, owner)

    async def _heartbeat(self) -> None:
        while True:
            await anyio.sleep(self.lease / 3)
            await self.journal.renew(self.batch_id, self.owner, self.lease)

    async def _worker(self, claims: ObjectReceiveStream[Claim]) -> None:
        async with claims:
            async for claim in claims:
                self._in_flight += 1
                try:
                    result = await self._flow.run(claim)
                except Exception as exc:
                    # A bug, not a bank answer: the item is parked for the next run, which
                    # reconciles it from the journal like any interrupted item.
                    logger.exception("bulk %s: item %s failed", self.batch_id, claim.item_id)
                    result = await self._park(claim, exc)
                finally:
                    self._in_flight -= 1
                if result is not None:
                    await self._emit(result, processed=True)

    async def _park(self, claim: Claim, exc: Exception) -> ItemResult | None:
        reason = redact(f"unexpected error: {exc!r}")
        ok = await self.journal.update(
            self.batch_id,
            claim.item_id,
            self.owner,
            lease=self.lease,
            release=True,
            outcome=str(Outcome.UNKNOWN),
            reason=reason,
            parked_at=await self.journal.clock(),
        )
        if not ok:
            return None
        return claim.result(Outcome.UNKNOWN, session_id=claim.session_id, reason=reason)

    # ------------------------------------------------------------------ reporting

    async def _emit(self, result: ItemResult, *, processed: bool) -> None:
        if processed:
            self._processed += 1
        if result.status in FINAL:
            self._done += 1
        self._counts[str(result.status)] += 1
        if self.on_result is not None:
            answer = self.on_result(result)
            if inspect.isawaitable(answer):
                await answer
        if self._sink is not None:
            await self._sink.send(result)
        self._progress()

    def _progress(self) -> None:
        if self.on_progress is None:
            return
        self.on_progress(
            Progress(
                batch_id=self.batch_id,
                phase=self._phase,
                total=self._total,
                done=self._done,
                in_flight=self._in_flight,
                counts=dict(self._counts),
                elapsed=time.monotonic() - self._started,
                processed=self._processed,
            )
        )


async def _entries(items: Iterable[InputItem] | AsyncIterable[InputItem]) -> AsyncIterator[Entry]:
    """Any accepted input as :class:`Entry` objects, one at a time."""
    position = 0
    if isinstance(items, AsyncIterable):
        async for raw in items:
            position += 1
            yield _entry(position, raw)
    else:
        for raw in items:
            position += 1
            yield _entry(position, raw)


def _entry(position: int, raw: InputItem) -> Entry:
    if isinstance(raw, Entry):
        return raw
    if isinstance(raw, PayoutItem):
        try:
            check_item(raw)
        except InvalidItem as exc:
            return Entry(line=position, item_id=raw.id, error=exc)
        return Entry(line=position, item=raw, item_id=raw.id)
    return Entry.parse(position, raw)
