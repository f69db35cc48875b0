"""The code under test: a small payout service function, as you would write it."""

from __future__ import annotations

from bank131_async import AsyncBank131
from bank131_async.models import (
    AmountDetails,
    BankCard,
    Participant,
    ParticipantDetails,
    PayoutDetails,
    ReadyToConfirm,
    Session,
)
from bank131_async.webhooks import WebhookRouter


async def pay_out(bank: AsyncBank131, order_id: str, card: str, amount: int) -> Session:
    """Pay ``amount`` kopecks to ``card`` for ``order_id``; the finished session."""
    session = await bank.sessions.create(idempotency_key=f"{order_id}-create")
    await bank.sessions.start_payout(
        session.id,
        payout_details=PayoutDetails.from_card(BankCard(number=card)),
        amount_details=AmountDetails(amount=amount, currency="rub"),
        participant_details=ParticipantDetails(recipient=Participant(full_name="Ivan Ivanov")),
        idempotency_key=f"{order_id}-start",
    )
    await bank.sessions.wait_for_next_action(session.id, "confirm", timeout=30)
    await bank.sessions.confirm(session.id, idempotency_key=f"{order_id}-confirm")
    return await bank.sessions.wait_for_finished(session.id, timeout=30)


def confirmations(confirmed: list[str]) -> WebhookRouter:
    """A router whose ready_to_confirm handler records the session (your handler's logic)."""
    router = WebhookRouter()

    @router.on(ReadyToConfirm)
    async def on_ready(event: ReadyToConfirm) -> None:
        confirmed.append(event.session.id)

    return router
