"""Checks of documented constraints that run before anything is sent."""

from __future__ import annotations

from .errors import RequestValidationError
from .models.common import AmountDetails, ParticipantDetails
from .models.enums import PayoutDetailsType
from .models.fiscalization import FiscalizationDetails
from .models.methods import PaymentDetails, PayoutDetails

__all__ = [
    "check_amount",
    "check_fiscalization",
    "check_instrument",
    "check_payout_recipient",
]

MAX_FISCALIZATION_SERVICES = 6


def check_amount(amount: AmountDetails | None, what: str = "amount_details") -> None:
    if amount is None:
        return
    if amount.amount <= 0:
        raise RequestValidationError(
            f"{what}.amount must be a positive int in minor units, got {amount.amount}"
        )
    if not amount.currency:
        raise RequestValidationError(f"{what}.currency must be an ISO-4217 code such as 'rub'")


def check_instrument(details: PayoutDetails | PaymentDetails | None, name: str) -> None:
    """The discriminator must be set (models accept its absence only to parse responses)."""
    if details is not None and not details.type:
        example = "to_card" if isinstance(details, PayoutDetails) else "from_card"
        raise RequestValidationError(
            f"{name}.type is missing; build it with {type(details).__name__}.{example}(...) "
            "or another constructor"
        )


def check_payout_recipient(
    payout_details: PayoutDetails | None, participant_details: ParticipantDetails | None
) -> None:
    """Card payouts need the recipient's name (the bank rejects them otherwise)."""
    check_instrument(payout_details, "payout_details")
    if payout_details is None or payout_details.type != PayoutDetailsType.CARD:
        return
    recipient = participant_details.recipient if participant_details else None
    if recipient is None or not (
        recipient.full_name or (recipient.first_name and recipient.last_name)
    ):
        raise RequestValidationError(
            "card payouts need the recipient's name: pass participant_details="
            "ParticipantDetails(recipient=Participant(full_name='Ivan Ivanov'))"
        )


def check_fiscalization(details: FiscalizationDetails | None, amount: AmountDetails | None) -> None:
    """1 to 6 services whose price x quantity adds up to the payout amount."""
    if details is None:
        return
    taxpayer = details.professional_income_taxpayer
    if taxpayer is None:
        raise RequestValidationError(
            "fiscalization_details.professional_income_taxpayer is required"
        )
    services = taxpayer.services
    if not 1 <= len(services) <= MAX_FISCALIZATION_SERVICES:
        raise RequestValidationError(
            f"a receipt holds 1 to {MAX_FISCALIZATION_SERVICES} services, got {len(services)}"
        )
    total = sum(s.amount_details.amount * (s.quantity or 1) for s in services)
    if amount is not None and total != amount.amount:
        raise RequestValidationError(
            f"fiscalization services add up to {total}, but the payout amount is "
            f"{amount.amount}: price x quantity over all services must equal the amount"
        )
