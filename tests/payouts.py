"""A card payout's request fields, for the tests that run payouts end to end, and the
instruments of escrow/settlement payouts (their wire tests and their end-to-end runs)."""

from __future__ import annotations

from typing import Any

from bank131_async.models import (
    AmountDetails,
    BankCard,
    Participant,
    ParticipantDetails,
    PayoutDetails,
)

__all__ = ["ACCOUNT_RU", "ESCROW", "MIR_CARD", "RECIPIENT", "card_payout"]

RECIPIENT = ParticipantDetails(recipient=Participant(full_name="Ivan Ivanov"))

#: A payout to a Russian bank account (the ``nominal``/``rko`` ``init_payout`` instrument).
ACCOUNT_RU = PayoutDetails.from_bank_account_ru(
    bik="044525974",
    account="40817810000000000001",
    full_name="Ivanov Ivan",
    description="Payout under contract 15",
)
#: A card payout (the ``multi_*`` variants' instrument).
MIR_CARD = PayoutDetails.from_card(BankCard(number="2200000000004940"))
#: The escrow/settlement account the money leaves (``participant_details.sender.account``).
ESCROW = "40702810000000000001"


def card_payout(number: str = "4242424242424242", amount: int = 10_000) -> dict[str, Any]:
    """Keyword arguments of ``init_payout``/``start_payout`` for a rouble card payout (cards
    ending 0002 are declined by the mock's issuer)."""
    return {
        "payout_details": PayoutDetails.from_card(BankCard(number=number)),
        "amount_details": AmountDetails(amount=amount, currency="rub"),
        "participant_details": RECIPIENT,
    }
