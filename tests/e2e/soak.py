"""Soak: thousands of create -> start -> confirm payouts against the mock bank over sockets, with
random faults on every route, checking the two promises that protect money.

* No payout executes twice (the mock's ledger: one started payout per order).
* No error that follows a processed step says it was not processed: every ``Bank131Error``
  with ``maybe_processed=False`` raised by a call carrying an idempotency key is checked
  against the mock, which must not have spent that key.

Every flow must end ``succeeded``, ``failed`` with the bank's code, or ``unknown`` with its
session id. ``python -m tests.e2e.soak --count 10000`` (``nox -s soak``); the suite runs 1,000.
"""

from __future__ import annotations

import argparse
import collections
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import anyio
import attrs

from bank131_async import AsyncBank131, PollSchedule, RetryPolicy
from bank131_async.errors import (
    ApiError,
    Bank131Error,
    IdempotencyConflictError,
    UnexpectedSessionStateError,
)
from bank131_async.mock import MockBank131
from bank131_async.models import (
    Session,
    SessionStatus,
)
from tests.payouts import card_payout

__all__ = ["FAULTS", "SoakReport", "soak"]

T = TypeVar("T")

POLL = PollSchedule(initial=0.01, maximum=0.1)
RETRIES = RetryPolicy(max_retries=3, initial_backoff=0.01, max_backoff=0.2)

#: (kind, options): each applies to every route with its own seeded probability.
FAULTS: tuple[tuple[str, dict[str, Any]], ...] = (
    ("latency", {"probability": 0.03, "delay": 0.01}),
    ("server_error", {"probability": 0.02, "status": 503}),
    ("server_error", {"probability": 0.02, "status": 500, "after_processing": True}),
    ("rate_limit", {"probability": 0.02, "retry_after": 0.0}),
    ("malformed", {"probability": 0.01, "after_processing": True}),
    ("reset", {"probability": 0.01}),
    ("drop_after", {"probability": 0.02}),
    # processed, connection dropped, then the server refuses connections for a moment: the
    # retries that follow see "connection refused", which must not hide the processed attempt
    ("outage", {"probability": 0.004, "duration": 0.1}),
)


@attrs.define
class SoakReport:
    count: int
    seconds: float = 0.0
    outcomes: collections.Counter[str] = attrs.field(factory=collections.Counter)
    unknown: list[tuple[int, str | None]] = attrs.field(factory=list)
    #: Orders whose payout the mock started more than once.
    paid_twice: list[int] = attrs.field(factory=list)
    #: Errors that said "not processed" although the mock had processed the call.
    lies: list[str] = attrs.field(factory=list)
    errors_seen: int = 0
    faults_hit: int = 0
    #: Why flows ended unknown (error type and the start of its message).
    reasons: collections.Counter[str] = attrs.field(factory=collections.Counter)

    def lines(self) -> list[str]:
        out = [f"{self.count} payouts in {self.seconds:.1f} s ({self.count / self.seconds:.0f}/s)"]
        out += [f"  {name:<28} {n:>7}" for name, n in sorted(self.outcomes.items())]
        out.append(f"  faults injected            {self.faults_hit:>7}")
        out.append(f"  errors raised to the flows {self.errors_seen:>7}")
        out.append(f"  paid twice                 {len(self.paid_twice):>7}")
        out.append(f"  processed but 'not sent'   {len(self.lies):>7}")
        return out


def _card(order: int) -> str:
    if order % 29 == 0:
        return "4000000000000002"  # declined by the issuer
    return "4242424242424242"


class _Flow:
    def __init__(self, bank: AsyncBank131, mock: MockBank131, report: SoakReport) -> None:
        self.bank = bank
        self.mock = mock
        self.report = report

    def _spent(self, key: str) -> bool:
        return key in self.mock.state.idempotency_keys

    def _check(self, exc: Bank131Error, key: str, spent_before: bool) -> None:
        """A call that says "not processed" must not have spent its key: the key was free when
        the call began (an earlier call may have spent it: that is not this call's to report)."""
        self.report.errors_seen += 1
        if not exc.maybe_processed and not spent_before and self._spent(key):
            self.report.lies.append(f"{key}: {type(exc).__name__}: {exc}")

    async def _keyed(self, key: str, call: Callable[[], Awaitable[T]], tries: int = 8) -> None:
        """Repeat a call with the same key until the bank has processed it: safe whether or
        not an earlier attempt was processed (a conflict means one was)."""
        for attempt in range(tries):
            before = self._spent(key)
            try:
                await call()
                return
            except IdempotencyConflictError as exc:
                self._check(exc, key, before)
                return  # an earlier call with this key was processed
            except ApiError as exc:
                self._check(exc, key, before)
                if not exc.retryable and not exc.maybe_processed:
                    raise  # the bank's definite no
            except Bank131Error as exc:
                self._check(exc, key, before)
            await anyio.sleep(0.01 * (attempt + 1))
        await call()

    async def _status(self, session_id: str) -> Session:
        for _ in range(20):
            try:
                return await self.bank.sessions.status(session_id)
            except Bank131Error:
                await anyio.sleep(0.02)
        return await self.bank.sessions.status(session_id)

    async def run(self, order: int) -> None:
        session_id: str | None = None
        try:
            session_id = await self._create(order)
            await self._keyed(
                f"soak-{order}-start",
                lambda: self.bank.sessions.start_payout(
                    session_id,
                    metadata={"order": order},
                    idempotency_key=f"soak-{order}-start",
                    **card_payout(_card(order), 10_000 + order),
                ),
            )
            session = await self._wait_confirm(session_id)
            if session.next_action == "confirm":
                await self._keyed(
                    f"soak-{order}-confirm",
                    lambda: self.bank.sessions.confirm(
                        session_id, idempotency_key=f"soak-{order}-confirm"
                    ),
                )
                session = await self.bank.sessions.wait_for_finished(
                    session_id, timeout=60, schedule=POLL
                )
            self._finish(order, session)
        except Bank131Error as exc:
            self.report.errors_seen += 1
            self.report.outcomes["unknown"] += 1
            self.report.reasons[f"{type(exc).__name__}: {str(exc)[:120]}"] += 1
            self.report.unknown.append((order, session_id))
            if session_id is None:
                self.report.outcomes[f"never created: {type(exc).__name__}"] += 1

    async def _create(self, order: int) -> str:
        # session/create moves no money: an attempt whose answer is lost leaves an empty
        # session behind, so the next try uses a fresh key instead of reconciling.
        for attempt in range(10):
            key = f"soak-{order}-create-{attempt}"
            try:
                session = await self.bank.sessions.create(idempotency_key=key)
            except Bank131Error as exc:
                self._check(exc, key, False)
                continue
            return session.id
        raise Bank131Error(f"order {order}: no session after 10 tries")

    async def _wait_confirm(self, session_id: str) -> Session:
        for _ in range(5):
            try:
                return await self.bank.sessions.wait_for_next_action(
                    session_id, "confirm", timeout=60, schedule=POLL
                )
            except UnexpectedSessionStateError as exc:
                return exc.session  # finished without a confirm step (declined early)
            except Bank131Error:
                self.report.errors_seen += 1
        return await self._status(session_id)

    def _finish(self, order: int, session: Session) -> None:
        if session.status == SessionStatus.ACCEPTED:
            self.report.outcomes["succeeded"] += 1
            return
        if session.is_finished or session.status in (
            SessionStatus.CANCELLED,
            SessionStatus.ERROR,
        ):
            error = session.payout_list[0].error if session.payout_list else session.error
            code = error.code if error is not None else str(session.status)
            self.report.outcomes[f"failed: {code}"] += 1
            return
        self.report.outcomes["unknown"] += 1
        self.report.unknown.append((order, session.id))


def _paid_twice(mock: MockBank131) -> list[int]:
    started: collections.Counter[int] = collections.Counter()
    for session in mock.state.sessions.values():
        for op in session.payouts:
            metadata = op.echo.get("metadata")
            if isinstance(metadata, dict) and isinstance(metadata.get("order"), int):
                started[metadata["order"]] += 1
    by_key = mock.state.payouts_by_idempotency_key()
    twice = {order for order, n in started.items() if n > 1}
    twice |= {int(k.split("-")[1]) for k, ids in by_key.items() if k and len(ids) > 1}
    return sorted(twice)


async def soak(
    count: int = 1000,
    *,
    concurrency: int = 100,
    seed: int = 131,
    backend: str = "auto",
    faults: tuple[tuple[str, dict[str, Any]], ...] = FAULTS,
) -> SoakReport:
    report = SoakReport(count=count)
    async with MockBank131(confirm_delay=0.01, process_delay=0.01, seed=seed) as mock:
        rules = [mock.faults.add(kind, **options) for kind, options in faults]
        async with mock.client(
            retry_policy=RETRIES, timeout=10.0, http_backend=backend, max_connections=concurrency
        ) as bank:
            flow = _Flow(bank, mock, report)
            limiter = anyio.CapacityLimiter(concurrency)
            orders = iter(range(1, count + 1))

            async def worker() -> None:
                for order in orders:  # shared iterator: bounded tasks, not one per order
                    async with limiter:
                        await flow.run(order)

            started = time.perf_counter()
            async with anyio.create_task_group() as tg:
                for _ in range(concurrency):
                    tg.start_soon(worker)
            report.seconds = time.perf_counter() - started
        report.faults_hit = sum(rule.hits for rule in rules if rule.kind != "latency")
        report.paid_twice = _paid_twice(mock)
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=200)
    parser.add_argument("--seed", type=int, default=131)
    parser.add_argument("--backend", choices=("auto", "httpx", "aiohttp"), default="auto")
    args = parser.parse_args()
    report = anyio.run(
        lambda: soak(args.count, concurrency=args.concurrency, seed=args.seed, backend=args.backend)
    )
    print("\n".join(report.lines()))
    for lie in report.lies[:10]:
        print("  LIE:", lie)
    for reason, n in report.reasons.most_common(10):
        print(f"  unknown x{n}: {reason}")
    ended = sum(n for k, n in report.outcomes.items() if not k.startswith("never created"))
    ok = not report.paid_twice and not report.lies and ended == args.count
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
