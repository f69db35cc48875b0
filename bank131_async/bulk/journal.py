"""The journal: every item's session id, stage and result, in SQL (SQLite or PostgreSQL).

The journal is the only state of a batch. Its rules, which keep a payout from happening twice:

* an item's session id is written **before** ``session/start/payout`` is sent, and only if the
  row has none (compare-and-set): one item, one started session, whatever crashes;
* a runner changes a row only while it holds the row's lease (``lease_owner``); every write
  renews the lease and fails once another runner has taken the row over, and a runner that
  loses a row drops it (the new owner reconciles it from the journal);
* a lease expires ``lease`` seconds after its last renewal, so a dead runner's rows are taken
  over; rows of a process that no longer runs on this machine are taken over at once;
* an ``unknown`` item is parked: the runs already under way leave it, the next run picks it up.

Loading (:meth:`SqlJournal.load`) runs before any request of the run: every entry becomes a
row (or, without an id, an invalid line), ids seen twice in one input are refused, and a
re-load of the same batch keeps what was done. The SQL is shared; :mod:`.sqlite` and
:mod:`.postgres` supply the connection (and PostgreSQL ``FOR UPDATE SKIP LOCKED``).
"""

from __future__ import annotations

import random
import re
from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from contextlib import AbstractAsyncContextManager
from enum import StrEnum
from typing import Any, Protocol, Self, TypeVar

import anyio
from attrs import frozen

from .results import ItemResult, Outcome, Summary
from .sources import Entry

__all__ = ["Claim", "Conn", "SqlJournal", "Stage"]

#: Rows per load transaction and per results page: memory stays flat for any batch size.
CHUNK = 500
#: Tries of a statement the database rolled back on its own (a deadlock between runners).
_ATTEMPTS = 5
T = TypeVar("T")


class Stage(StrEnum):
    """How far an item got. The runner resumes from here (reading the session's status)."""

    NEW = "new"  # nothing journaled (a create may have been sent: harmless, no money)
    SESSION = "session"  # session id journaled; start_payout may have been sent
    STARTED = "started"  # the bank took the start
    CONFIRMING = "confirming"  # confirm may have been sent
    CANCELLING = "cancelling"  # cancel may have been sent
    DONE = "done"


@frozen(kw_only=True)
class Claim:
    """A row a runner holds the lease of."""

    item_id: str
    line: int | None
    stage: Stage
    session_id: str | None
    payload: str | None
    amount: int | None
    currency: str | None
    create_attempts: int

    def result(
        self,
        status: Outcome,
        *,
        session_id: str | None,
        error_code: str | None = None,
        reason: str | None = None,
    ) -> ItemResult:
        """The item's result once its row is released with ``status``."""
        return ItemResult(
            item_id=self.item_id,
            status=status,
            session_id=session_id,
            error_code=error_code,
            amount=self.amount,
            currency=self.currency,
            reason=reason,
            line=self.line,
        )


class Conn(Protocol):
    """The three things the journal's SQL needs from a driver (``:name`` parameters)."""

    async def fetch(self, sql: str, params: dict[str, Any]) -> list[tuple[Any, ...]]: ...

    async def execute(self, sql: str, params: dict[str, Any]) -> int:
        """Run one statement; return the number of rows it changed."""

    async def executemany(self, sql: str, params: Sequence[dict[str, Any]]) -> None: ...


_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS bulk_items (
        batch_id TEXT NOT NULL,
        item_id TEXT NOT NULL,
        seq BIGINT NOT NULL,
        line BIGINT,
        fingerprint TEXT,
        payload TEXT,
        amount BIGINT,
        currency TEXT,
        stage TEXT NOT NULL DEFAULT 'new',
        outcome TEXT,
        session_id TEXT,
        create_attempts INTEGER NOT NULL DEFAULT 0,
        error_code TEXT,
        reason TEXT,
        lease_owner TEXT,
        lease_until DOUBLE PRECISION,
        parked_at DOUBLE PRECISION,
        load_id TEXT,
        updated_at DOUBLE PRECISION,
        PRIMARY KEY (batch_id, item_id)
    )""",
    """CREATE INDEX IF NOT EXISTS bulk_items_todo ON bulk_items (batch_id, seq)
        WHERE outcome IS NULL OR outcome = 'unknown'""",
    """CREATE TABLE IF NOT EXISTS bulk_invalid (
        batch_id TEXT NOT NULL,
        line BIGINT,
        item_id TEXT,
        reason TEXT NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS bulk_invalid_batch ON bulk_invalid (batch_id, line)",
)

# A row is work for a run that started at :since if it has no final outcome and is not parked
# since that run began (an ``unknown`` from this very run waits for the next one).
_TODO = "(outcome IS NULL OR (outcome = 'unknown' AND parked_at < :since))"
_CLAIM_COLUMNS = "item_id, line, stage, session_id, payload, amount, currency, create_attempts"
_UPDATABLE = frozenset(
    {"stage", "outcome", "error_code", "reason", "payload", "create_attempts", "parked_at"}
)


class SqlJournal(ABC):
    """The journal's logic over a SQL driver. Use a concrete one: :class:`SqliteJournal`
    (``bank131_async.bulk.sqlite``) or :class:`PostgresJournal`; both are async context
    managers, or call :meth:`open` / :meth:`close`.
    """

    #: SQL for "now" in epoch seconds, on the database's clock (leases compare against it).
    now_sql: str = ""
    #: Appended to the claim's sub-select (PostgreSQL: ``FOR UPDATE SKIP LOCKED``).
    lock_sql: str = ""

    # ------------------------------------------------------------------ driver hooks

    @abstractmethod
    async def open(self) -> None:
        """Connect and create the tables if needed."""

    @abstractmethod
    async def close(self) -> None:
        """Close the connections (what leaving ``async with`` does)."""

    @abstractmethod
    def connection(self) -> AbstractAsyncContextManager[Conn]:
        """A connection for single statements (each commits on its own)."""

    @abstractmethod
    def transaction(self) -> AbstractAsyncContextManager[Conn]:
        """A connection inside one transaction (committed on a clean exit)."""

    @abstractmethod
    def load_lock(self, batch_id: str) -> AbstractAsyncContextManager[None]:
        """Held while a batch loads: loads of one batch never run at once (PostgreSQL)."""

    async def __aenter__(self) -> Self:
        await self.open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def _sql(self, text: str) -> str:
        return text.replace("{now}", self.now_sql).replace("{lock}", self.lock_sql)

    def is_transient(self, exc: Exception) -> bool:
        """Whether the database rolled the statement back on its own and it can simply run
        again (PostgreSQL: a deadlock or a serialization failure between runners)."""
        return False

    async def _retry(self, fn: Callable[[], Awaitable[T]]) -> T:
        for attempt in range(_ATTEMPTS):
            try:
                return await fn()
            except Exception as exc:
                if attempt == _ATTEMPTS - 1 or not self.is_transient(exc):
                    raise
                # The whole transaction was rolled back: running it again is the same request.
                await anyio.sleep(random.uniform(0, 0.05 * 2**attempt))
        raise AssertionError("unreachable")

    async def _fetch(self, sql: str, **params: Any) -> list[tuple[Any, ...]]:
        async def once() -> list[tuple[Any, ...]]:
            async with self.connection() as conn:
                return await conn.fetch(self._sql(sql), params)

        return await self._retry(once)

    async def _execute(self, sql: str, **params: Any) -> int:
        async def once() -> int:
            async with self.connection() as conn:
                return await conn.execute(self._sql(sql), params)

        return await self._retry(once)

    # ------------------------------------------------------------------ clock

    async def clock(self) -> float:
        """The database's time in epoch seconds (leases of every runner use this one clock)."""
        rows = await self._fetch("SELECT {now}")
        return float(rows[0][0])

    # ------------------------------------------------------------------ loading

    async def load(
        self, batch_id: str, load_id: str, entries: Iterator[Entry] | AsyncIterator[Entry]
    ) -> AsyncIterator[ItemResult]:
        """Journal ``entries`` under ``load_id``; yield the ``invalid`` results it finds.

        Idempotent for the same input: a re-load keeps every row's progress. An item that
        changed since an earlier load is replaced while nothing was sent for it, and refused
        (the journaled payout stands) once a session exists. Rows of a previous load that
        never got a session and are absent from this input are dropped: removing a line
        before a rerun means "do not pay it".
        """
        async with self.load_lock(batch_id):
            # Invalid is recomputed from this input: nothing was ever sent for those.
            await self._execute("DELETE FROM bulk_invalid WHERE batch_id = :batch", batch=batch_id)
            await self._execute(
                "DELETE FROM bulk_items WHERE batch_id = :batch AND outcome = 'invalid' "
                "AND session_id IS NULL",
                batch=batch_id,
            )
            seq = 0
            chunk: list[Entry] = []
            async for entry in _aiter(entries):
                chunk.append(entry)
                if len(chunk) >= CHUNK:
                    for result in await self._load_chunk(batch_id, load_id, chunk, seq):
                        yield result
                    seq += len(chunk)
                    chunk = []
            if chunk:
                for result in await self._load_chunk(batch_id, load_id, chunk, seq):
                    yield result
            await self._execute(
                "DELETE FROM bulk_items WHERE batch_id = :batch AND stage = 'new' "
                "AND session_id IS NULL AND (load_id IS NULL OR load_id <> :load) "
                "AND (outcome IS NULL OR outcome = 'unknown')",
                batch=batch_id,
                load=load_id,
            )

    async def _load_chunk(
        self, batch_id: str, load_id: str, chunk: list[Entry], seq: int
    ) -> list[ItemResult]:
        # Loading rewrites rows other runners may be renewing: a deadlock is rolled back and
        # the chunk loaded again.
        return await self._retry(lambda: self._load_chunk_once(batch_id, load_id, chunk, seq))

    async def _load_chunk_once(
        self, batch_id: str, load_id: str, chunk: list[Entry], seq: int
    ) -> list[ItemResult]:
        issues: list[ItemResult] = []
        async with self.transaction() as conn:
            ids = sorted({e.item_id for e in chunk if e.item_id is not None})
            existing: dict[str, tuple[Any, ...]] = {}
            if ids:
                names = {f"i{n}": item_id for n, item_id in enumerate(ids)}
                rows = await conn.fetch(
                    "SELECT item_id, load_id, fingerprint, session_id, outcome, line "
                    "FROM bulk_items WHERE batch_id = :batch AND item_id IN ("
                    + ", ".join(f":{name}" for name in names)
                    + ")",
                    {"batch": batch_id, **names},
                )
                existing = {row[0]: row for row in rows}
            inserts: list[dict[str, Any]] = []
            seen: list[dict[str, Any]] = []
            pending: dict[str, dict[str, Any]] = {}
            invalid_lines: list[dict[str, Any]] = []
            for offset, entry in enumerate(chunk):
                position = seq + offset
                item_id = entry.item_id
                if item_id is None:
                    reason = entry.reason or f"line {entry.line}: no item id"
                    invalid_lines.append(
                        {"batch": batch_id, "line": entry.line, "item": None, "reason": reason}
                    )
                    issues.append(_invalid(None, entry.line, reason, None, None))
                    continue
                row = existing.get(item_id)
                if row is not None and row[1] == load_id:
                    reason = f"line {entry.line}: duplicate id {item_id!r} (also on line {row[5]})"
                    invalid_lines.append(
                        {"batch": batch_id, "line": entry.line, "item": item_id, "reason": reason}
                    )
                    issues.append(_invalid(item_id, entry.line, reason, None, None))
                    first = (
                        f"line {row[5]}: duplicate id {item_id!r} (also on line "
                        f"{entry.line}); neither is paid"
                    )
                    queued = pending.get(item_id)
                    if queued is not None:
                        # The first one is in this chunk, not yet written.
                        if queued["outcome"] is None:
                            queued.update(outcome=str(Outcome.INVALID), reason=first, payload=None)
                            issues.append(_invalid(item_id, row[5], first, None, None, queued))
                    elif row[3] is None and row[4] not in (Outcome.SUCCEEDED, Outcome.FAILED):
                        changed = await conn.execute(
                            self._sql(
                                "UPDATE bulk_items SET outcome = 'invalid', reason = :reason, "
                                "payload = NULL, lease_owner = NULL, updated_at = {now} "
                                "WHERE batch_id = :batch AND item_id = :item "
                                "AND session_id IS NULL"
                            ),
                            {"batch": batch_id, "item": item_id, "reason": first},
                        )
                        if changed and row[4] != Outcome.INVALID:
                            issues.append(_invalid(item_id, row[5], first, None, None))
                    continue
                values = _row_values(entry)
                if row is None:
                    insert = {
                        "batch": batch_id,
                        "item": item_id,
                        "seq": position,
                        "line": entry.line,
                        "load": load_id,
                        **values,
                    }
                    inserts.append(insert)
                    pending[item_id] = insert
                    existing[item_id] = (
                        item_id,
                        load_id,
                        values["fp"],
                        None,
                        values["outcome"],
                        entry.line,
                    )
                    if entry.error is not None:
                        issues.append(
                            _invalid(item_id, entry.line, values["reason"], None, None, values)
                        )
                    continue
                if row[2] == values["fp"] and entry.error is None:
                    seen.append(
                        {
                            "batch": batch_id,
                            "item": item_id,
                            "load": load_id,
                            "seq": position,
                            "line": entry.line,
                        }
                    )
                elif row[3] is None and row[4] not in (Outcome.SUCCEEDED, Outcome.FAILED):
                    # Changed, but nothing was ever started for it: the new version replaces it.
                    await conn.execute(
                        self._sql(
                            "UPDATE bulk_items SET load_id = :load, seq = :seq, line = :line, "
                            "fingerprint = :fp, payload = :payload, amount = :amount, "
                            "currency = :currency, outcome = :outcome, reason = :reason, "
                            "stage = 'new', error_code = NULL, parked_at = NULL, "
                            "lease_owner = NULL, lease_until = NULL, updated_at = {now} "
                            "WHERE batch_id = :batch AND item_id = :item AND session_id IS NULL"
                        ),
                        {
                            "batch": batch_id,
                            "item": item_id,
                            "load": load_id,
                            "seq": position,
                            "line": entry.line,
                            **values,
                        },
                    )
                    if entry.error is not None:
                        issues.append(
                            _invalid(item_id, entry.line, values["reason"], None, None, values)
                        )
                else:
                    reason = (
                        f"line {entry.line}: item {item_id!r} differs from the one journaled "
                        f"(line {row[5]}), which was already sent"
                        + (f" (session {row[3]})" if row[3] else "")
                        + "; the journaled payout stands"
                    )
                    invalid_lines.append(
                        {"batch": batch_id, "line": entry.line, "item": item_id, "reason": reason}
                    )
                    issues.append(_invalid(item_id, entry.line, reason, None, None))
                    await conn.execute(
                        "UPDATE bulk_items SET load_id = :load WHERE batch_id = :batch "
                        "AND item_id = :item",
                        {"batch": batch_id, "item": item_id, "load": load_id},
                    )
                # Seen in this load now: a second line with this id is a duplicate.
                existing[item_id] = (item_id, load_id, *row[2:5], entry.line)
            if seen:
                # The same item again (a rerun, or another runner's load): only its place.
                await conn.executemany(
                    "UPDATE bulk_items SET load_id = :load, seq = :seq, line = :line "
                    "WHERE batch_id = :batch AND item_id = :item",
                    seen,
                )
            if inserts:
                await conn.executemany(
                    self._sql(
                        "INSERT INTO bulk_items (batch_id, item_id, seq, line, fingerprint, "
                        "payload, amount, currency, outcome, reason, load_id, updated_at) "
                        "VALUES (:batch, :item, :seq, :line, :fp, :payload, :amount, :currency, "
                        ":outcome, :reason, :load, {now})"
                    ),
                    inserts,
                )
            if invalid_lines:
                await conn.executemany(
                    "INSERT INTO bulk_invalid (batch_id, line, item_id, reason) "
                    "VALUES (:batch, :line, :item, :reason)",
                    invalid_lines,
                )
        return issues

    # ------------------------------------------------------------------ claims and leases

    async def claim(
        self, batch_id: str, owner: str, *, limit: int, lease: float, since: float
    ) -> list[Claim]:
        """Take the lease of up to ``limit`` rows that are work and free (or whose lease
        expired), in input order. Concurrent claimers never get the same row."""
        rows = await self._fetch(
            "UPDATE bulk_items SET lease_owner = :owner, lease_until = {now} + :lease "
            "WHERE (batch_id, item_id) IN (SELECT batch_id, item_id FROM bulk_items "
            f"WHERE batch_id = :batch AND {_TODO} "
            "AND (lease_owner IS NULL OR lease_until < {now}) "
            "ORDER BY seq LIMIT :limit{lock}) "
            f"RETURNING {_CLAIM_COLUMNS}",
            batch=batch_id,
            owner=owner,
            lease=lease,
            since=since,
            limit=limit,
        )
        return [
            Claim(
                item_id=r[0],
                line=r[1],
                stage=Stage(r[2]),
                session_id=r[3],
                payload=r[4],
                amount=r[5],
                currency=r[6],
                create_attempts=r[7],
            )
            for r in rows
        ]

    async def renew(self, batch_id: str, owner: str, lease: float) -> int:
        """Extend every lease ``owner`` holds (the runner's heartbeat)."""
        return await self._execute(
            "UPDATE bulk_items SET lease_until = {now} + :lease "
            "WHERE batch_id = :batch AND lease_owner = :owner",
            batch=batch_id,
            owner=owner,
            lease=lease,
        )

    async def release(self, batch_id: str, owner: str) -> None:
        """Give up every lease ``owner`` still holds (a runner that stops cleanly)."""
        await self._execute(
            "UPDATE bulk_items SET lease_owner = NULL, lease_until = NULL "
            "WHERE batch_id = :batch AND lease_owner = :owner",
            batch=batch_id,
            owner=owner,
        )

    async def live_owners(self, batch_id: str) -> list[str]:
        """Owners holding unexpired leases on rows that are still work."""
        rows = await self._fetch(
            "SELECT DISTINCT lease_owner FROM bulk_items WHERE batch_id = :batch "
            "AND lease_owner IS NOT NULL AND lease_until >= {now} "
            "AND (outcome IS NULL OR outcome = 'unknown')",
            batch=batch_id,
        )
        return [r[0] for r in rows]

    async def expire(self, batch_id: str, owner: str) -> None:
        """End ``owner``'s leases now (it is known to be dead)."""
        await self._execute(
            "UPDATE bulk_items SET lease_until = 0 WHERE batch_id = :batch AND lease_owner = :owner",
            batch=batch_id,
            owner=owner,
        )

    async def others_busy(self, batch_id: str, owner: str, since: float) -> bool:
        """Whether work of this run is left that ``owner`` does not hold: rows other runners
        hold (taken over if they die), or rows a claim skipped because another runner's
        transaction had them locked for a moment (PostgreSQL's ``SKIP LOCKED``: a load)."""
        rows = await self._fetch(
            f"SELECT 1 FROM bulk_items WHERE batch_id = :batch AND {_TODO} "
            "AND (lease_owner IS NULL OR lease_owner <> :owner) LIMIT 1",
            batch=batch_id,
            owner=owner,
            since=since,
        )
        return bool(rows)

    # ------------------------------------------------------------------ the item's progress

    async def update(
        self,
        batch_id: str,
        item_id: str,
        owner: str,
        *,
        lease: float,
        release: bool = False,
        **changes: Any,
    ) -> bool:
        """Change the row while ``owner`` holds it, renewing the lease for ``lease`` seconds
        (or ending it with ``release``); ``False`` means another runner took the row over:
        the caller drops the item."""
        unknown = set(changes) - _UPDATABLE
        if unknown:
            raise ValueError(f"not journal columns: {sorted(unknown)}")
        sets = [f"{name} = :{name}" for name in changes]
        sets.append(
            "lease_owner = NULL, lease_until = NULL" if release else "lease_until = {now} + :lease"
        )
        sets.append("updated_at = {now}")
        params = {"batch": batch_id, "item": item_id, "owner": owner, **changes}
        if not release:
            params["lease"] = lease
        changed = await self._execute(
            "UPDATE bulk_items SET "
            + ", ".join(sets)
            + " WHERE batch_id = :batch AND item_id = :item AND lease_owner = :owner",
            **params,
        )
        return changed == 1

    async def set_session(self, batch_id: str, item_id: str, owner: str, session_id: str) -> bool:
        """Journal the item's one session (before anything is started with it). Succeeds only
        if ``owner`` holds the row and it has no session yet: whatever races, one item has
        one session that can be started."""
        changed = await self._execute(
            "UPDATE bulk_items SET session_id = :session, stage = 'session', updated_at = {now} "
            "WHERE batch_id = :batch AND item_id = :item AND lease_owner = :owner "
            "AND session_id IS NULL AND (outcome IS NULL OR outcome = 'unknown')",
            batch=batch_id,
            item=item_id,
            owner=owner,
            session=session_id,
        )
        return changed == 1

    # ------------------------------------------------------------------ reading

    async def results(self, batch_id: str) -> AsyncIterator[ItemResult]:
        """Every item's current result in input order (``unknown`` for those unfinished),
        then the invalid lines; page by page."""
        after = -1
        while True:
            rows = await self._fetch(
                "SELECT item_id, outcome, session_id, error_code, amount, currency, reason, "
                "line, seq FROM bulk_items WHERE batch_id = :batch AND seq > :after "
                "ORDER BY seq LIMIT :limit",
                batch=batch_id,
                after=after,
                limit=CHUNK,
            )
            if not rows:
                break
            for r in rows:
                yield ItemResult(
                    item_id=r[0],
                    status=Outcome(r[1]) if r[1] else Outcome.UNKNOWN,
                    session_id=r[2],
                    error_code=r[3],
                    amount=r[4],
                    currency=r[5],
                    reason=r[6] if r[1] else (r[6] or "not finished"),
                    line=r[7],
                )
            after = rows[-1][8]
        offset = 0
        while True:
            lines = await self._fetch(
                "SELECT item_id, reason, line FROM bulk_invalid WHERE batch_id = :batch "
                "ORDER BY line LIMIT :limit OFFSET :offset",
                batch=batch_id,
                limit=CHUNK,
                offset=offset,
            )
            if not lines:
                break
            for item_id, reason, line in lines:
                yield _invalid(item_id, line, reason, None, None)
            offset += len(lines)

    async def summary(self, batch_id: str) -> Summary:
        """Counts and amounts by outcome and failures by code, from the journal."""
        summary = Summary(batch_id)
        rows = await self._fetch(
            "SELECT outcome, currency, COUNT(*), SUM(amount) FROM bulk_items "
            "WHERE batch_id = :batch GROUP BY outcome, currency",
            batch=batch_id,
        )
        for outcome, currency, count, total in rows:
            if outcome is None:
                summary.pending += int(count)
                continue
            summary.counts[outcome] += int(count)
            if total is not None:
                by_currency = summary.amounts.setdefault(outcome, Counter())
                by_currency[(currency or "?").lower()] += int(total)
        failures = await self._fetch(
            "SELECT error_code, COUNT(*) FROM bulk_items WHERE batch_id = :batch "
            "AND outcome = 'failed' GROUP BY error_code",
            batch=batch_id,
        )
        for code, count in failures:
            summary.failures[code or "unknown_error"] += int(count)
        invalid = await self._fetch(
            "SELECT COUNT(*) FROM bulk_invalid WHERE batch_id = :batch", batch=batch_id
        )
        summary.counts[Outcome.INVALID] += int(invalid[0][0])
        return summary

    async def batch_exists(self, batch_id: str) -> bool:
        """Whether the journal holds any item (or invalid line) of ``batch_id``."""
        rows = await self._fetch(
            "SELECT 1 FROM bulk_items WHERE batch_id = :batch LIMIT 1", batch=batch_id
        )
        if rows:
            return True
        rows = await self._fetch(
            "SELECT 1 FROM bulk_invalid WHERE batch_id = :batch LIMIT 1", batch=batch_id
        )
        return bool(rows)


async def _aiter(entries: Iterator[Entry] | AsyncIterator[Entry]) -> AsyncIterator[Entry]:
    if isinstance(entries, Iterator):
        for entry in entries:
            yield entry
    else:
        async for entry in entries:
            yield entry


def _row_values(entry: Entry) -> dict[str, Any]:
    """The columns an entry fills: a valid item's payload, or an invalid one's reason."""
    if entry.item is None:
        return {
            "fp": None,
            "payload": None,
            "amount": None,
            "currency": None,
            "outcome": str(Outcome.INVALID),
            "reason": entry.reason,
        }
    item = entry.item
    return {
        "fp": item.fingerprint(),
        "payload": item.dumps(),
        "amount": item.amount_details.amount,
        "currency": item.amount_details.currency,
        "outcome": None,
        "reason": None,
    }


def _invalid(
    item_id: str | None,
    line: int | None,
    reason: str | None,
    session_id: str | None,
    error_code: str | None,
    values: dict[str, Any] | None = None,
) -> ItemResult:
    return ItemResult(
        item_id=item_id,
        status=Outcome.INVALID,
        session_id=session_id,
        error_code=error_code,
        amount=values["amount"] if values else None,
        currency=values["currency"] if values else None,
        reason=reason,
        line=line,
    )


_PARAM = re.compile(r"(?<!:):([a-z_][a-z0-9_]*)")


def to_numbered(sql: str, params: dict[str, Any]) -> tuple[str, list[Any]]:
    """``:name`` parameters as ``$1, $2 ...`` (PostgreSQL drivers), with the argument list."""
    order: dict[str, int] = {}

    def number(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in order:
            order[name] = len(order) + 1
        return f"${order[name]}"

    text = _PARAM.sub(number, sql)
    return text, [params[name] for name in order]
