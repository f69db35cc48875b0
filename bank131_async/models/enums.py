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
    """``session.status``: ``created`` -> ``in_progress`` -> ``accepted`` or ``cancelled``
    (final); ``error`` is not final.
    """

    CREATED = "created"
    IN_PROGRESS = "in_progress"
    ACCEPTED = "accepted"
    CANCELLED = "cancelled"
    #: Unexpected error; **not final** -- the bank resolves it later.
    ERROR = "error"


class NextAction(StrEnum):
    """``session.next_action``: what the bank waits for from you (``confirm``, or ``capture``
    of a held payment).
    """

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
    """Status of a refund: ``in_progress``, then ``accepted`` or ``declined``."""

    IN_PROGRESS = "in_progress"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    ERROR = "error"


class PayoutDetailsType(StrEnum):
    """``payout_details.type``: where a payout goes (build them with ``PayoutDetails.from_*``)."""

    CARD = "card"
    BANK_ACCOUNT = "bank_account"
    WALLET = "wallet"
    TAX = "tax"
    FASTER_PAYMENT_SYSTEM = "faster_payment_system"


class PaymentDetailsType(StrEnum):
    """``payment_details.type``: how an incoming payment is paid (``PaymentDetails.from_*``)."""

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
    """``card.type``: which card object a card instrument carries."""

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
    """``wallet.type``: the e-wallet system (payouts are documented for YooMoney)."""

    YOOMONEY = "yoomoney"
    QIWI = "qiwi"
    MONETA = "moneta"
    STEAM = "steam"


class CustomerInteractionType(StrEnum):
    """``customer_interaction.type``: send the customer to a URL (``redirect``) or show
    them something, e.g. an FPS QR code (``inform``).
    """

    REDIRECT = "redirect"
    INFORM = "inform"


class PayerType(StrEnum):
    """Who pays a self-employed person, on the receipt: a Russian legal entity, an individual,
    or a foreign organisation.
    """

    LEGAL = "legal"
    INDIVIDUAL = "individual"
    FOREIGN = "foreign"


class RecurrentInitiator(StrEnum):
    """Who starts a charge of a saved card: you (``merchant``, the default) or the customer
    (``client``).
    """

    MERCHANT = "merchant"
    CLIENT = "client"
