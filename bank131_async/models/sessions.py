"""The payment session and everything it holds: payouts, acquiring payments, refunds.

Both API versions parse into the v2 names: ``payments`` -> ``payout_list``,
``acquiring_payments`` -> ``payment_list``, a payout's ``payment_method`` -> ``payout_details``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import attrs
from attrs import frozen

from ._fields import alias
from .common import (
    AmountDetails,
    Amounts,
    Customer,
    ErrorInfo,
    ParticipantDetails,
    RevenueSplitInfoItem,
    TransactionInfo,
)
from .enums import (
    CustomerInteractionType,
    NextAction,
    OperationStatus,
    RefundStatus,
    SessionStatus,
)
from .fiscalization import FiscalizationDetails
from .methods import PaymentDetails, PayoutDetails

__all__ = [
    "AccountDetails",
    "AcquiringPayment",
    "ConfirmExchange",
    "ConfirmInformation",
    "CustomerInteraction",
    "ExtendedTransferParticipant",
    "Inform",
    "MultiPaymentItem",
    "MultiPayoutItem",
    "PaymentOptions",
    "Payout",
    "PlatformDetails",
    "QrCode",
    "RecurrentTokenInfo",
    "Redirect",
    "Refund",
    "Session",
    "Subscription",
    "TransferDetails",
    "TransferParticipant",
]

_FINAL_OPERATION = frozenset({OperationStatus.SUCCEEDED, OperationStatus.FAILED})


@frozen(kw_only=True)
class Refund:
    """A refund of an incoming payment (``payment_list[].refunds``): ``in_progress``, then
    ``accepted`` or ``declined``.
    """

    id: str
    status: RefundStatus | str
    amount_details: AmountDetails | None = None
    created_at: datetime | None = None
    finished_at: datetime | None = None
    is_chargeback: bool | None = None
    metadata: Any = None
    amounts: Amounts | None = None
    revenue_split_info: tuple[RevenueSplitInfoItem, ...] | None = None
    transaction_info: TransactionInfo | None = None
    error: ErrorInfo | None = None


@frozen(kw_only=True)
class Redirect:
    """Send the payer to ``base_url`` with ``method``, ``qs`` in the query, ``params`` in the body."""

    url: str | None = None
    base_url: str | None = None
    method: str | None = None
    qs: Mapping[str, str] | None = None
    params: Mapping[str, Any] | None = None
    tds_data: Mapping[str, Any] | None = None


@frozen(kw_only=True)
class QrCode:
    """A QR code to show the customer (FPS payments): its ``content`` and an image."""

    content: str | None = None
    img: str | None = attrs.field(default=None, repr=lambda v: "None" if v is None else "<image>")


@frozen(kw_only=True)
class Inform:
    """What to show the customer (``customer_interaction.inform``)."""

    qr: QrCode | None = None


@frozen(kw_only=True)
class CustomerInteraction:
    """What the customer must do for a payment to go on: follow ``redirect`` (3-D Secure) or
    see ``inform`` (an FPS QR code).
    """

    type: CustomerInteractionType | str | None = None
    redirect: Redirect | None = None
    inform: Inform | None = None


@frozen(kw_only=True)
class PlatformDetails:
    """The customer's device, for the bank's antifraud."""

    type: str | None = None
    os: str | None = None
    browser: str | None = None


@frozen(kw_only=True)
class Subscription:
    """A subscription of a payment: ``period`` when you create one
    (``PaymentOptions(subscription=Subscription(period="month"))``); the bank's ``id``,
    ``next_point`` and the rest in answers. Cancel and restore it with ``bank.subscriptions``.
    """

    id: str | None = None
    period: str | None = None
    initial: bool | None = None
    next_point: datetime | None = None
    retries_exceeded: bool | None = None
    unsubscribe_url: str | None = None
    provider_subscription_id: str | None = None


@frozen(kw_only=True)
class PaymentOptions:
    """Options of an incoming payment: ``recurrent=True`` saves the card for later charges,
    ``subscription`` starts a subscription, ``return_url`` is where the customer returns after
    3-D Secure.
    """

    return_url: str | None = None
    recurrent: bool | None = None
    expiration_at: str | None = None
    subscription: Subscription | None = None
    platform_details: PlatformDetails | None = None


@frozen(kw_only=True)
class RecurrentTokenInfo:
    """A recurrent token (a saved card), as a finished payment or ``bank.recurrent`` reports it;
    charge it with ``PaymentDetails.from_recurrent(token)``.
    """

    token: str = attrs.field(repr=lambda v: repr(v[:4] + "..." if len(v) > 8 else "***"))
    created_at: datetime | None = None
    finished_at: datetime | None = None
    is_active: bool | None = None
    initiator: str | None = None


@frozen(kw_only=True)
class Payout:
    """An outgoing operation (``payout_list`` / v1 ``payments``)."""

    id: str
    status: OperationStatus | str
    created_at: datetime | None = None
    finished_at: datetime | None = None
    customer: Customer | None = None
    payout_details: PayoutDetails | None = attrs.field(
        default=None, metadata=alias("payment_method")
    )
    amount_details: AmountDetails | None = None
    amounts: Amounts | None = None
    fiscalization_details: FiscalizationDetails | None = None
    participant_details: ParticipantDetails | None = None
    customer_interaction: CustomerInteraction | None = None
    refunds: tuple[Refund, ...] = ()
    transaction_info: TransactionInfo | None = None
    metadata: Any = None
    error: ErrorInfo | None = None

    @property
    def is_final(self) -> bool:
        """The payout ``succeeded`` or ``failed``."""
        return self.status in _FINAL_OPERATION


@frozen(kw_only=True)
class AcquiringPayment:
    """An incoming operation (``payment_list`` / v1 ``acquiring_payments``)."""

    id: str
    status: OperationStatus | str
    created_at: datetime | None = None
    updated_at: datetime | None = None
    finished_at: datetime | None = None
    customer: Customer | None = None
    payment_details: PaymentDetails | None = None
    amount_details: AmountDetails | None = None
    amounts: Amounts | None = None
    participant_details: ParticipantDetails | None = None
    payment_options: PaymentOptions | None = None
    recurrent: RecurrentTokenInfo | None = None
    subscription: Subscription | None = None
    refunds: tuple[Refund, ...] = ()
    customer_interaction: CustomerInteraction | None = None
    revenue_split_info: tuple[RevenueSplitInfoItem, ...] | None = None
    transaction_info: TransactionInfo | None = None
    metadata: Any = None
    error: ErrorInfo | None = None

    @property
    def is_final(self) -> bool:
        """The payment ``succeeded`` or ``failed``."""
        return self.status in _FINAL_OPERATION


@frozen(kw_only=True)
class TransferParticipant:
    """A side of a transfer in ``confirm_information`` (the objects reference also calls it
    ``NominalPaymentParticipant``)."""

    account_number: str | None = None
    name: str | None = None
    bank_name: str | None = None
    bik: str | None = None
    correspondent_account_number: str | None = None


@frozen(kw_only=True)
class ExtendedTransferParticipant(TransferParticipant):
    """A side of a transfer, with its INN and KPP."""

    inn: str | None = None
    kpp: str | None = None


@frozen(kw_only=True)
class TransferDetails:
    """The transfer an escrow or settlement payout makes (``confirm_information``)."""

    payout_details: PayoutDetails | None = attrs.field(
        default=None, metadata=alias("payment_method")
    )
    customer: TransferParticipant | None = None
    recipient: TransferParticipant | None = None
    purpose: str | None = None
    amount: AmountDetails | None = None


@frozen(kw_only=True)
class AccountDetails:
    """The accounts of an escrow or settlement payout (``confirm_information``)."""

    sender: ExtendedTransferParticipant | None = None
    recipient: ExtendedTransferParticipant | None = None


@frozen(kw_only=True)
class ConfirmExchange:
    """The currency exchange of a cross-currency payout, to confirm with it."""

    id: str | None = None
    source: AmountDetails | None = None
    destination: AmountDetails | None = None
    fx_rate: str | None = None
    commission: AmountDetails | None = None


@frozen(kw_only=True)
class ConfirmInformation:
    """What the bank shows before you confirm (escrow, settlement and FX payouts).

    Pass it back unchanged: ``sessions.confirm(id, confirm_information=session.confirm_information)``.
    """

    transfer_details: TransferDetails | None = None
    account_details: AccountDetails | None = None
    exchanges: tuple[ConfirmExchange, ...] | None = None


@frozen(kw_only=True)
class Session:
    """A payment session (``session``), the unit every ``session/*`` call returns.

    ``confirm_information`` is not part of the bank's session object: the bank sends it beside
    the session in the response envelope and webhooks; the SDK attaches it here so that every
    session-returning method can return just the ``Session``.
    """

    id: str
    status: SessionStatus | str
    created_at: datetime | None = None
    updated_at: datetime | None = None
    finished_at: datetime | None = None
    next_action: NextAction | str | None = None
    payout_list: tuple[Payout, ...] = attrs.field(default=(), metadata=alias("payments"))
    payment_list: tuple[AcquiringPayment, ...] = attrs.field(
        default=(), metadata=alias("acquiring_payments")
    )
    error: ErrorInfo | None = None
    confirm_information: ConfirmInformation | None = None

    @property
    def operations(self) -> tuple[Payout | AcquiringPayment, ...]:
        """Payouts and payments together."""
        return (*self.payout_list, *self.payment_list)

    @property
    def is_finished(self) -> bool:
        """``accepted`` or ``cancelled`` with no operation still in progress.

        ``error`` is deliberately not finished: the bank documents it as not final.
        """
        if self.status not in (SessionStatus.ACCEPTED, SessionStatus.CANCELLED):
            return False
        return all(op.is_final for op in self.operations)


@frozen(kw_only=True)
class MultiPaymentItem:
    """One debit leg of ``session/multi/init`` (a ``session/init/payment`` body)."""

    payment_details: PaymentDetails
    amount_details: AmountDetails
    customer: Customer | None = None
    payment_options: PaymentOptions | None = None
    participant_details: ParticipantDetails | None = None
    metadata: Any = None


@frozen(kw_only=True)
class MultiPayoutItem:
    """One credit leg of ``session/multi/init`` (a ``session/init/payout`` body, v2 keys)."""

    payout_details: PayoutDetails
    amount_details: AmountDetails
    participant_details: ParticipantDetails | None = None
    customer: Customer | None = None
    fiscalization_details: FiscalizationDetails | None = None
    metadata: Any = None
