"""Bulk payout demo: hundreds of card payouts, concurrently, against the embedded mock bank.

    python examples/bulk_payout.py --count 300 --concurrency 50

Each payout follows the flow the bank recommends (see ``pay``), with idempotency keys derived
from the order id.
A few cards are declined on purpose (the mock's outcome table: cards ending 0002 are declined
by the issuer, 0051 have insufficient funds), and a few requests lose their answer after the
bank processed them, so the retry-with-the-same-key path runs too. At the end the mock's
journal proves that no order was paid twice.
"""

from __future__ import annotations

import argparse
import collections
import time
from typing import Literal

import anyio

from bank131_async import AsyncBank131, PollSchedule
from bank131_async.errors import Bank131Error, IdempotencyConflictError
from bank131_async.mock import MockBank131
from bank131_async.models import (
    AmountDetails,
    BankCard,
    Participant,
    ParticipantDetails,
    PayoutDetails,
    Session,
    SessionStatus,
)

POLL = PollSchedule(initial=0.02, maximum=0.2)


def card_for(order: int) -> str:
    if order % 23 == 0:
        return "4000000000000002"  # declined by the issuer
    if order % 37 == 0:
        return "4000000000000051"  # insufficient funds
    return "4242424242424242"


async def open_session(bank: AsyncBank131, order: int) -> Session:
    """``session/create`` moves no money, so if its answer is lost (the SDK then reports an
    idempotency conflict: the first attempt was processed) another session is simply created
    with a new key; the orphan expires unused."""
    for attempt in range(3):
        try:
            return await bank.sessions.create(
                metadata={"order_id": order}, idempotency_key=f"demo-{order}-create-{attempt}"
            )
        except IdempotencyConflictError:
            continue
    raise RuntimeError(f"order {order}: could not create a session")


async def pay(bank: AsyncBank131, order: int) -> str:
    """Pay one order; return how it ended (``succeeded`` or the bank's error code).

    create -> start_payout (the flow the bank recommends: once the session id is known, every
    later step can be retried and reconciled with ``session/status``) -> wait for ``confirm``
    -> confirm -> wait until final.
    """
    session = await open_session(bank, order)
    await bank.sessions.start_payout(
        session.id,
        payout_details=PayoutDetails.to_card(BankCard(number=card_for(order))),
        amount_details=AmountDetails(amount=10_000 + order, currency="rub"),
        participant_details=ParticipantDetails(recipient=Participant(full_name="Ivan Ivanov")),
        idempotency_key=f"demo-{order}-payout",
    )
    session = await bank.sessions.wait_for_next_action(
        session.id, "confirm", timeout=30, schedule=POLL
    )
    await bank.sessions.confirm(session.id, idempotency_key=f"demo-{order}-confirm")
    session = await bank.sessions.wait_for_finished(session.id, timeout=30, schedule=POLL)
    if session.status == SessionStatus.ACCEPTED:
        return "succeeded"
    payout = session.payout_list[0]
    return payout.error.code if payout.error else str(session.status)


async def main(count: int, concurrency: int, backend: Literal["auto", "httpx", "aiohttp"]) -> int:
    async with MockBank131(confirm_delay=0.05, process_delay=0.05) as mock:
        # 2% of the mutating calls are processed but their answer is dropped (seeded, so
        # every run is the same): the SDK retries with the same idempotency key and reconciles
        # instead of confirming or paying twice.
        drops = [
            mock.faults.add("drop_after", route=route, probability=0.02)
            for route in ("session/create", "session/start/payout", "session/confirm")
        ]
        results: collections.Counter[str] = collections.Counter()
        limiter = anyio.CapacityLimiter(concurrency)

        async with AsyncBank131(
            project=mock.project,
            private_key=mock.partner_private_key_pem,
            bank_public_key=mock.bank_public_key_pem,
            base_url=mock.url,
            http_backend=backend,
        ) as bank:

            async def worker(order: int) -> None:
                async with limiter:
                    try:
                        results[await pay(bank, order)] += 1
                    except Bank131Error as exc:
                        results[f"sdk error: {type(exc).__name__}"] += 1

            started = time.perf_counter()
            async with anyio.create_task_group() as tg:
                for order in range(1, count + 1):
                    tg.start_soon(worker, order)
            elapsed = time.perf_counter() - started

        doubles = {k: v for k, v in mock.state.payouts_by_idempotency_key().items() if len(v) > 1}
        print(
            f"{count} payouts, concurrency {concurrency}, {elapsed:.2f} s "
            f"({count / elapsed:.0f} payouts/s, each 5+ signed requests)"
        )
        for outcome, n in results.most_common():
            print(f"  {outcome:<32} {n:>6}")
        print(f"  paid out by the mock bank: {mock.state.paid_out() / 100:,.2f} RUB")
        print(f"  answers lost after processing, recovered: {sum(d.hits for d in drops)}")
        print(f"  orders paid twice: {len(doubles)}")
        failed_sdk = sum(n for k, n in results.items() if k.startswith("sdk error"))
        return 1 if doubles or failed_sdk or sum(results.values()) != count else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument(
        "--backend",
        choices=("auto", "httpx", "aiohttp"),
        default="auto",
        help="HTTP backend (auto, the default: the SDK's fast path; httpx: httpx.AsyncClient)",
    )
    args = parser.parse_args()
    raise SystemExit(anyio.run(main, args.count, args.concurrency, args.backend))
