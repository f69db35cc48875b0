"""Checks of documented constraints that run before anything is sent."""

from __future__ import annotations

from datetime import date, datetime

from ._logging import shape
from .errors import RequestValidationError
from .models.common import AmountDetails, ParticipantDetails
from .models.enums import PayoutDetailsType
from .models.fiscalization import FiscalizationDetails
from .models.methods import PaymentDetails, PayoutDetails

__all__ = [
    "check_account_number",
    "check_amount",
    "check_bank_account_ru",
    "check_digits",
    "check_fiscalization",
    "check_inn",
    "check_instrument",
    "check_iso_date",
    "check_payout_details",
    "check_payout_recipient",
    "check_phone",
    "check_tax_reference",
]

MAX_FISCALIZATION_SERVICES = 6


def check_digits(value: str | None, what: str, lengths: tuple[int, ...] | range) -> None:
    """``value`` (if given) is ASCII digits only, of one of the allowed ``lengths``."""
    if value is None:
        return
    if not isinstance(value, str) or not (value.isascii() and value.isdigit()):
        raise RequestValidationError(
            f"{what} must be a string of digits, got {shape(value)} (N: digit, a: letter)"
        )
    if len(value) not in lengths:
        allowed = (
            f"{lengths.start}-{lengths.stop - 1}"
            if isinstance(lengths, range)
            else " or ".join(map(str, lengths))
        )
        raise RequestValidationError(f"{what} must have {allowed} digits, got {len(value)}")


def check_inn(value: str | None, what: str = "inn", lengths: tuple[int, ...] = (10, 12)) -> None:
    """INN: 10 digits for legal entities, 12 for individuals and sole proprietors."""
    check_digits(value, what, lengths)


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
        raise RequestValidationError(
            f"{name}.type is missing; build it with {type(details).__name__}.from_card(...) "
            "or another from_* constructor"
        )


def check_bank_account_ru(
    bik: str | None, account: str | None, inn: str | None, kpp: str | None, what: str
) -> None:
    check_digits(bik, f"{what}.bik", (9,))
    check_digits(account, f"{what}.account", (20,))
    check_inn(inn, f"{what}.inn")
    check_digits(kpp, f"{what}.kpp", (9,))


def check_payout_details(details: PayoutDetails | None, what: str = "payout_details") -> None:
    """Documented formats of the payout instrument: account numbers, BIK, INN, KPP, wallets."""
    if details is None:
        return
    account = details.bank_account
    if account is not None and account.ru is not None:
        ru = account.ru
        check_bank_account_ru(ru.bik, ru.account, ru.inn, ru.kpp, f"{what}.bank_account.ru")
        if ru.description is not None and len(ru.description) > 210:
            raise RequestValidationError(
                f"{what}.bank_account.ru.description is at most 210 characters, got "
                f"{len(ru.description)}"
            )
    tax = details.tax
    if tax is not None:
        fields = tax.tax_full or tax
        path = f"{what}.tax" + (".tax_full" if tax.tax_full is not None else "")
        if fields.tax_details is not None:
            check_digits(fields.tax_details.kbk, f"{path}.tax_details.kbk", (20,))
            check_digits(fields.tax_details.oktmo, f"{path}.tax_details.oktmo", (8, 11))
        for role in ("payer", "payee"):
            party = getattr(fields, role)
            if party is not None:
                check_inn(party.inn, f"{path}.{role}.inn")
                check_digits(party.kpp, f"{path}.{role}.kpp", (9,))
                check_digits(party.bik, f"{path}.{role}.bik", (9,))
                check_digits(party.account, f"{path}.{role}.account", (20,))
                check_digits(party.account_eks, f"{path}.{role}.account_eks", (20,))
    wallet = details.wallet
    if wallet is not None and wallet.yoomoney is not None:
        check_digits(wallet.yoomoney.account, f"{what}.wallet.yoomoney.account", range(11, 21))


def check_payout_recipient(
    payout_details: PayoutDetails | None, participant_details: ParticipantDetails | None
) -> None:
    """The instrument is well formed, and card payouts name the recipient (the bank rejects
    them otherwise)."""
    check_instrument(payout_details, "payout_details")
    check_payout_details(payout_details)
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
    check_inn(taxpayer.tax_reference, "professional_income_taxpayer.tax_reference", (12,))
    check_inn(taxpayer.payer_tax_number, "professional_income_taxpayer.payer_tax_number")
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


# --------------------------------------------------------------------------- part A resources


def check_tax_reference(value: str | None, what: str = "tax_reference") -> None:
    """A self-employed person's INN: required, exactly 12 digits."""
    if value is None:
        raise RequestValidationError(f"{what} is required (the 12-digit INN)")
    check_inn(value, what, (12,))


def check_account_number(
    value: str | None, what: str = "account_number", prefixes: tuple[str, ...] = ()
) -> None:
    """A Russian account number: 20 digits, starting with one of ``prefixes`` if given."""
    if value is None:
        raise RequestValidationError(f"{what} is required (20 digits)")
    check_digits(value, what, (20,))
    if prefixes and not value.startswith(prefixes):
        raise RequestValidationError(
            f"{what} must start with one of {', '.join(prefixes)}, got {value[:5]}..."
        )


def check_iso_date(value: date | str, what: str) -> str:
    """A calendar date as ``YYYY-MM-DD``; returns the wire string."""
    if isinstance(value, datetime):
        raise RequestValidationError(f"{what} must be a date, not a datetime: {value!r}")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str) and len(value) == 10:
        try:
            return date.fromisoformat(value).isoformat()
        except ValueError:
            pass
    raise RequestValidationError(f"{what} must be a date or a 'YYYY-MM-DD' string, got {value!r}")


def check_phone(value: str | None, what: str = "phone") -> None:
    """A phone number in digits only (country code included, e.g. ``79876543210``)."""
    if value is None:
        raise RequestValidationError(f"{what} is required")
    check_digits(value, what, range(10, 16))
