"""Money, errors, customers and participants: the small objects every area shares."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any, TypeAlias

import attrs
from attrs import frozen

from .._error_base import InvalidAmountError
from ._fields import alias

__all__ = [
    "AmountDetails",
    "Amounts",
    "Contact",
    "CustomRouting",
    "CustomRoutingTag",
    "Customer",
    "ErrorInfo",
    "Fee",
    "IdentityDocument",
    "Json",
    "Participant",
    "ParticipantDetails",
    "RejectReason",
    "RevenueSplitInfoItem",
    "TransactionInfo",
]

#: Free-form JSON, as your ``metadata`` is sent and comes back: objects, arrays, strings,
#: numbers, booleans and null.
Json: TypeAlias = Mapping[str, "Json"] | Sequence["Json"] | str | int | float | bool | None


def _minor_units(_: Any, attribute: attrs.Attribute[int], value: Any) -> None:
    # bool is an int subclass and a float would be a rounding accident: both are bugs here.
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidAmountError(
            f"{attribute.name} must be an int in minor units (kopecks/cents), e.g. 10_000 for "
            f"100.00 RUB; got {type(value).__name__} {value!r:.40}"
        )
    if value < 0:
        raise InvalidAmountError(f"{attribute.name} must not be negative, got {value}")


def _currency(value: Any) -> str:
    # The bank writes currencies in lower case ("rub"); "RUB" means the same and is sent so.
    if not isinstance(value, str):
        raise InvalidAmountError(
            f"currency must be an ISO-4217 code such as 'rub', got {type(value).__name__}"
        )
    return value.strip().lower()


@frozen(kw_only=True)
class AmountDetails:
    """An amount in minor units: ``AmountDetails(amount=10_000, currency="rub")`` is 100 RUB.

    ``amount`` must be an ``int`` (a float, ``Decimal`` or string raises
    :class:`~bank131_async.errors.InvalidAmountError`, also a ``TypeError``); ``currency`` is
    kept in lower case, as the bank writes it (``"RUB"`` becomes ``"rub"``).
    """

    amount: int = attrs.field(validator=_minor_units)
    currency: str = attrs.field(converter=_currency)


@frozen(kw_only=True)
class Fee:
    """The bank's fee for an operation."""

    merchant_fee: AmountDetails | None = None


@frozen(kw_only=True)
class Amounts:
    """Fee information attached to an operation (an optional bank feature)."""

    fee: Fee | None = None
    net: AmountDetails | None = None
    gross: AmountDetails | None = None


@frozen(kw_only=True)
class RejectReason:
    """Why the bank's antifraud rejected an operation (a rule, and the list it matched)."""

    rule_alias: str
    list_alias: str | None = None
    expiration_date: datetime | None = None


@frozen(kw_only=True)
class ErrorInfo:
    """The ``error`` object of a session or an operation: why it failed or was cancelled."""

    code: str
    description: str | None = None
    reject_reasons: tuple[RejectReason, ...] | None = None


@frozen(kw_only=True)
class Contact:
    """How to reach a customer: email and/or phone."""

    email: str | None = None
    phone: str | None = None


@frozen(kw_only=True)
class Customer:
    """Your customer: ``reference`` is your own user id (at most 128 characters)."""

    reference: str
    contacts: tuple[Contact, ...] | None = None


@frozen(kw_only=True)
class IdentityDocument:
    """A participant's identity document (the number never shows in ``repr``)."""

    id_type: str | None = None
    id_number: str | None = attrs.field(default=None, repr=False)
    id_expiration_date: date | None = None
    issue_date: date | None = None
    division_code: str | None = None
    issued_by: str | None = None


@frozen(kw_only=True)
class Participant:
    """Sender or recipient. Card payouts need ``recipient.full_name``."""

    full_name: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    middle_name: str | None = None
    company_name: str | None = None
    reference: str | None = None
    tax_reference: str | None = None
    beneficiary_id: str | None = None
    country_iso3: str | None = None
    country_iso2: str | None = None
    account: str | None = None
    city: str | None = None
    postal_code: str | None = None
    address_line: str | None = None
    street: str | None = None
    building: str | None = None
    flat: str | None = None
    state: str | None = None
    ipv4: str | None = None
    ipv6: str | None = None
    document: str | None = None
    currency: str | None = None
    bank_name: str | None = None
    registration_number: str | None = None
    date_of_incorporation: str | None = None
    msisdn: str | None = None
    email: str | None = None
    code: str | None = None
    swift_bic_code: str | None = None
    description: str | None = None
    identity_document: IdentityDocument | None = None
    wallet_id: str | None = None
    #: The PHP SDK's spelling; the transfers docs write ``citizenship_country_iso3`` (accepted
    #: on input too).
    citizenship_country_iso_3: str | None = attrs.field(
        default=None, metadata=alias("citizenship_country_iso3")
    )
    date_of_birth: date | None = None


@frozen(kw_only=True)
class ParticipantDetails:
    """Who sends and who receives the money::

        ParticipantDetails(recipient=Participant(full_name="Ivan Ivanov"))

    Card payouts need ``recipient.full_name``; escrow and settlement account payouts name the
    paying account in ``sender.account``.
    """

    sender: Participant | None = None
    recipient: Participant | None = None


@frozen(kw_only=True)
class TransactionInfo:
    """Identifiers of the transaction at the card network or FPS (RRN, ARN, authorisation
    code, FPS message id).
    """

    rrn: str | None = None
    arn: str | None = None
    auth_code: str | None = None
    fp_message_id: str | None = None
    external_subscription_token: str | None = None
    bank_account_ru_token: str | None = None


@frozen(kw_only=True)
class CustomRoutingTag:
    """One routing tag of ``custom_routing`` (values agreed with the bank)."""

    root_tag: str
    values: tuple[str, ...] = ()


@frozen(kw_only=True)
class CustomRouting:
    """Routing hints agreed with the bank (``custom_routing``)."""

    tags: tuple[CustomRoutingTag, ...] = ()


@frozen(kw_only=True)
class RevenueSplitInfoItem:
    """One contractor's share of a payment (``revenue_split_info``): a ``percent``, an
    ``amount`` in minor units, or the ``remains``.
    """

    contractor_alias: str
    percent: str | None = None
    remains: bool | None = None
    amount: int | None = None


#: Free-form JSON the bank echoes back (``metadata``): any JSON value.
Metadata = Any
JsonObject = Mapping[str, Any]
