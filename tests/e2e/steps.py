"""What end-to-end flows share: a card payment's fields, and the step every flow ends with
(wait until the bank asks for confirm, answer it, wait until the session is final)."""

from __future__ import annotations

from typing import Any, Literal

from bank131_async import AsyncBank131
from bank131_async.models import AmountDetails, BankCard, Customer, PaymentDetails, Session

from .conftest import POLL

__all__ = ["card_payment", "finish"]


def card_payment(amount: int = 10_000, reference: str = "user-1") -> dict[str, Any]:
    """Keyword arguments of ``init_payment`` for a rouble payment by a full card (number,
    expiry, CVC) from customer ``reference``."""
    card = BankCard(
        number="4242424242424242", expiration_month="12", expiration_year="30", security_code="123"
    )
    return {
        "payment_details": PaymentDetails.from_card(card),
        "amount_details": AmountDetails(amount=amount, currency="rub"),
        "customer": Customer(reference=reference),
    }


async def finish(
    bank: AsyncBank131, session_id: str, decision: Literal["confirm", "cancel"] = "confirm"
) -> Session:
    """Confirm (or cancel) the session once it waits for confirm; return it finished."""
    await bank.sessions.wait_for_next_action(session_id, "confirm", timeout=5, schedule=POLL)
    if decision == "confirm":
        await bank.sessions.confirm(session_id)
    else:
        await bank.sessions.cancel(session_id)
    return await bank.sessions.wait_for_finished(session_id, timeout=5, schedule=POLL)
