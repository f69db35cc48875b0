"""A card payout's request fields, for the tests that run payouts end to end."""

from __future__ import annotations

from typing import Any

from bank131_async.models import (
    AmountDetails,
    BankCard,
    Participant,
    ParticipantDetails,
    PayoutDetails,
)

__all__ = ["RECIPIENT", "card_payout"]

RECIPIENT = ParticipantDetails(recipient=Participant(full_name="Ivan Ivanov"))


def card_payout(number: str = "4242424242424242", amount: int = 10_000) -> dict[str, Any]:
    """Keyword arguments of ``init_payout``/``start_payout`` for a rouble card payout (cards
    ending 0002 are declined by the mock's issuer)."""
    return {
        "payout_details": PayoutDetails.from_card(BankCard(number=number)),
        "amount_details": AmountDetails(amount=amount, currency="rub"),
        "participant_details": RECIPIENT,
    }
