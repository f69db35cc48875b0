"""Quick start: pay 100 roubles to a card, against the mock bank on this machine.

    pip install 'bank131-async[mock]'
    python examples/guide_quickstart.py

The mock bank is a real HTTP server on 127.0.0.1 that checks signatures and runs the bank's
session state machine; ``mock.client()`` is an ``AsyncBank131`` with its URL, project and keys.
Against the real bank you build the client yourself (see the configuration guide); nothing
else in this script changes.
"""

from __future__ import annotations

import asyncio

from bank131_async import AsyncBank131
from bank131_async.mock import MockBank131
from bank131_async.models import (
    AmountDetails,
    BankCard,
    Participant,
    ParticipantDetails,
    PayoutDetails,
    Session,
)


async def pay_to_card(bank: AsyncBank131, order_id: str) -> Session:
    # 1. An empty session: once you hold its id, every later step can be retried and
    #    reconciled with bank.sessions.status(session.id). Store session.id with the order.
    session = await bank.sessions.create(idempotency_key=f"{order_id}-create")
    # 2. Start the payout: where the money goes, how much (kopecks, an int), and to whom.
    await bank.sessions.start_payout(
        session.id,
        payout_details=PayoutDetails.from_card(BankCard(number="4242424242424242")),
        amount_details=AmountDetails(amount=10_000, currency="rub"),
        participant_details=ParticipantDetails(recipient=Participant(full_name="Ivan Ivanov")),
        idempotency_key=f"{order_id}-start",
    )
    # 3. The bank checks the payout, then waits for your go-ahead.
    session = await bank.sessions.wait_for_next_action(session.id, "confirm", timeout=60)
    await bank.sessions.confirm(session.id, idempotency_key=f"{order_id}-confirm")
    # 4. The money moves; the session ends "accepted" (paid) or "cancelled" (declined).
    return await bank.sessions.wait_for_finished(session.id, timeout=300)


async def main() -> int:
    async with MockBank131() as mock, mock.client() as bank:
        print(f"mock bank at {mock.url}, project {mock.project!r}")
        session = await pay_to_card(bank, "order-1")
        payout = session.payout_list[0]
        print(f"session {session.id}: {session.status}, payout {payout.id}: {payout.status}")

        # A card ending in 0002 is declined by the mock's issuer (see the testing guide).
        declined = await bank.sessions.init_payout(
            payout_details=PayoutDetails.from_card(BankCard(number="4000000000000002")),
            amount_details=AmountDetails(amount=10_000, currency="rub"),
            participant_details=ParticipantDetails(recipient=Participant(full_name="Ivan Ivanov")),
            idempotency_key="order-2",
        )
        await bank.sessions.wait_for_next_action(declined.id, "confirm", timeout=60)
        await bank.sessions.confirm(declined.id)
        declined = await bank.sessions.wait_for_finished(declined.id, timeout=300)
        error = declined.payout_list[0].error
        print(f"session {declined.id}: {declined.status}, error: {error and error.code}")
        return 0 if session.status == "accepted" and declined.status == "cancelled" else 1


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
