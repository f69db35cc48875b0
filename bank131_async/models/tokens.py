"""Public widget tokens, token information and tokenization (``token``, ``token/info``,
``tokenize``, ``tokenize/elements``).

Build a widget token request from one or more of the widget metadata classes::

    token = await bank.tokens.issue(
        acquiring_widget=AcquiringWidget(session_id="ps_1", success_return_url="https://shop/ok"),
    )

Tokens, card numbers and hashes never appear in ``repr()`` in clear.

Results of methods whose response schema the bank documents only partly (``token/info`` for
account tokens, ``tokenize/elements``) carry the whole decoded response envelope in ``raw``:
an attribute that is neither a constructor argument nor compared nor serialised, so nothing the
bank sends beyond the documented fields is lost.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from typing import Any

import attrs
from attrs import frozen

from ._fields import raw_field
from .enums import RecurrentInitiator

__all__ = [
    "AccountToken",
    "AccountTokenData",
    "AcquiringWidget",
    "AcquiringWidgetMetadata",
    "CardElements",
    "CardToken",
    "CardTokenInfo",
    "PublicToken",
    "PublicTokenInfo",
    "RecurrentToken",
    "SelfEmployedWidget",
    "SelfEmployedWidgetMetadata",
    "TokenInfo",
    "TokenInfoType",
    "TokenizeWidget",
    "TokenizeWidgetMetadata",
]


class TokenInfoType(StrEnum):
    """``type`` of a ``token/info`` request."""

    CARD = "card"
    PUBLIC_TOKEN = "public_token"  # noqa: S105 (a type name, not a secret)
    RECURRENT_TOKEN = "recurrent_token"  # noqa: S105


def _masked(value: str | None) -> str:
    if value is None:
        return "None"
    return repr(value[:4] + "..." + value[-4:]) if len(value) > 12 else "'***'"


def _mask_pan(value: str) -> str:
    digits = value.replace(" ", "")
    if len(digits) <= 10:
        return "'****'"
    return repr(digits[:6] + "*" * (len(digits) - 10) + digits[-4:])


# --------------------------------------------------------------------------- widget metadata


@frozen(kw_only=True)
class TokenizeWidget:
    """Metadata of the card / bank-account tokenization widget (``{"access": true}``)."""

    access: bool = True


@frozen(kw_only=True)
class AcquiringWidget:
    """Metadata of the payment form for an existing session.

    ``show_recurrent_checkbox`` is sent only when set (the PHP SDK sends ``false`` by
    default; the bank treats a missing flag the same way).
    """

    session_id: str
    success_return_url: str | None = None
    failure_return_url: str | None = None
    show_recurrent_checkbox: bool | None = None
    success_on_hold: bool | None = None


@frozen(kw_only=True)
class SelfEmployedWidget:
    """Metadata of the widget that links a self-employed person (12-digit INN) to the bank."""

    tax_reference: str


@frozen(kw_only=True)
class PublicToken:
    """A public (widget) token, as referenced in ``token/info`` requests."""

    token: str = attrs.field(repr=_masked)


@frozen(kw_only=True)
class RecurrentToken:
    """A recurrent token, as referenced in ``recurrent/*`` and ``token/info`` requests."""

    token: str = attrs.field(repr=_masked)


# --------------------------------------------------------------------------- token/info


@frozen(kw_only=True)
class TokenInfo:
    """The ``info`` object of ``token/info``: one flat class for every token type.

    The bank answers with a CardTokenInfo (``number_hash``, ``brand``, ``last4``, ``type``,
    ``token``, ``country_iso3``), a PublicTokenInfo or RecurrentTokenInfo (``token``,
    ``created_at``, ``finished_at``, ``is_active``, ``initiator``); their fields do not clash,
    so they share this class and the ones the answer lacks stay ``None``. The answer for a
    tokenized bank account is not documented (most likely ``masked_account``); the whole
    envelope is in ``raw``.
    """

    type: str | None = None
    token: str | None = attrs.field(default=None, repr=_masked)
    number_hash: str | None = attrs.field(default=None, repr=_masked)
    brand: str | None = None
    last4: str | None = None
    country_iso3: str | None = None
    created_at: datetime | None = None
    finished_at: datetime | None = None
    is_active: bool | None = None
    initiator: RecurrentInitiator | str | None = None
    masked_account: str | None = None
    raw: Mapping[str, Any] = raw_field()


# --------------------------------------------------------------------------- tokenize


@frozen(kw_only=True)
class AccountTokenData:
    """``data`` of a ``tokenize`` answer: the first 5 and last 4 digits of the account."""

    masked_account: str | None = None


@frozen(kw_only=True)
class AccountToken:
    """A tokenized Russian bank account: pass ``token`` as ``BankAccountRu(token=...)``."""

    token: str = attrs.field(repr=_masked)
    data: AccountTokenData | None = None


@frozen(kw_only=True)
class CardElements:
    """One element of a ``tokenize/elements`` request: the card number to tokenize."""

    ref: str = "number"
    type: str = "card_number"
    card_number: str = attrs.field(repr=_mask_pan)


@frozen(kw_only=True)
class CardToken:
    """The answer of ``tokenize/elements``; use ``token`` as ``TokenizedCard(token=...)``.

    The response schema is not documented: the SDK reads ``token`` from the envelope (or from
    the first item of a ``tokens`` list, the other plausible shape) and keeps the envelope in
    ``raw``.
    """

    token: str | None = attrs.field(default=None, repr=_masked)
    raw: Mapping[str, Any] = raw_field()


# The names the bank's object reference uses, for readers coming from it.
TokenizeWidgetMetadata = TokenizeWidget
AcquiringWidgetMetadata = AcquiringWidget
SelfEmployedWidgetMetadata = SelfEmployedWidget
#: ``token/info`` answers share one class (see :class:`TokenInfo`).
CardTokenInfo = TokenInfo
PublicTokenInfo = TokenInfo
