"""Open string enums of the Bank 131 API.

Every enum is a ``StrEnum`` and every model field that holds one is typed ``Enum | str``: a value
the bank adds later parses as the plain string instead of breaking the response. Members compare
equal to their wire strings (``SessionStatus.ACCEPTED == "accepted"``).
"""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "BankAccountType",
    "CardType",
    "CustomerInteractionType",
    "NextAction",
    "OperationStatus",
    "PayerType",
    "PaymentDetailsType",
    "PayoutDetailsType",
    "RecurrentInitiator",
    "RefundStatus",
    "SessionStatus",
    "WalletType",
]


class SessionStatus(StrEnum):
    CREATED = "created"
    IN_PROGRESS = "in_progress"
    ACCEPTED = "accepted"
    CANCELLED = "cancelled"
    #: Unexpected error; **not final** -- the bank resolves it later.
    ERROR = "error"


class NextAction(StrEnum):
    CONFIRM = "confirm"
    CAPTURE = "capture"


class OperationStatus(StrEnum):
    """Status of a payout or an acquiring payment."""

    IN_PROGRESS = "in_progress"
    #: Waiting for your confirm/capture or cancel.
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class RefundStatus(StrEnum):
    IN_PROGRESS = "in_progress"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    ERROR = "error"


class PayoutDetailsType(StrEnum):
    CARD = "card"
    BANK_ACCOUNT = "bank_account"
    WALLET = "wallet"
    TAX = "tax"
    FASTER_PAYMENT_SYSTEM = "faster_payment_system"


class PaymentDetailsType(StrEnum):
    CARD = "card"
    RECURRENT = "recurrent"
    SECURED_CARD = "secured_card"
    FASTER_PAYMENT_SYSTEM = "faster_payment_system"
    FASTER_PAYMENT_SYSTEM_BINDING = "faster_payment_system_binding"
    INTERNET_BANKING = "internet_banking"
    WALLET = "wallet"
    BANK_ACCOUNT = "bank_account"
    CRYPTO_WALLET = "crypto_wallet"
    INTERNAL_TRANSFER = "internal_transfer"
    TAX = "tax"
    MONEYSEND = "moneysend"


class CardType(StrEnum):
    BANK_CARD = "bank_card"
    ENCRYPTED_CARD = "encrypted_card"
    TOKENIZED_CARD = "tokenized_card"


class BankAccountType(StrEnum):
    """``system_type`` of a bank account."""

    RU = "ru"
    FASTER_PAYMENT_SYSTEM = "faster_payment_system"
    FASTER_PAYMENT_SYSTEM_VERIFICATION = "faster_payment_system_verification"
    IBAN = "iban"
    UPI = "upi"


class WalletType(StrEnum):
    YOOMONEY = "yoomoney"
    QIWI = "qiwi"
    MONETA = "moneta"
    STEAM = "steam"


class CustomerInteractionType(StrEnum):
    REDIRECT = "redirect"
    INFORM = "inform"


class PayerType(StrEnum):
    LEGAL = "legal"
    INDIVIDUAL = "individual"
    FOREIGN = "foreign"


class RecurrentInitiator(StrEnum):
    MERCHANT = "merchant"
    CLIENT = "client"
