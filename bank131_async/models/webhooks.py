"""Webhook events: a tagged union on ``type``, with a fallback for types the SDK does not know.

Every known event but ``nominal_topup`` carries the full ``session`` (the same object
``session/status`` returns, v1 or v2 spelling). Every event keeps the decoded body in ``raw``
(extra fields the bank adds are never lost) and ``digest``, the SHA-256 of the exact bytes
received (the de-duplication key of :class:`~bank131_async.webhooks.WebhookRouter`).

>>> match event:                                              # doctest: +SKIP
...     case ReadyToConfirm(session=session):
...         await bank.sessions.confirm(session.id)
...     case PaymentFinished(session=session) if session.status == "accepted":
...         mark_paid(session.id)
...     case UnknownWebhook(type=kind, raw=raw):
...         log.warning("new webhook type %s", kind)
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any, Literal, TypeAlias

import attrs
from attrs import frozen

from ._fields import raw_field
from .sessions import ConfirmInformation, Session

__all__ = [
    "ActionRequired",
    "NominalTopup",
    "PaymentFinished",
    "PaymentRefunded",
    "ReadyToCapture",
    "ReadyToConfirm",
    "SessionWebhook",
    "UnknownWebhook",
    "WebhookEvent",
    "WebhookType",
]


class WebhookType(StrEnum):
    """The ``type`` of a webhook; each has its event class (an unknown type parses as
    :class:`UnknownWebhook`).
    """

    READY_TO_CONFIRM = "ready_to_confirm"
    READY_TO_CAPTURE = "ready_to_capture"
    ACTION_REQUIRED = "action_required"
    PAYMENT_FINISHED = "payment_finished"
    PAYMENT_REFUNDED = "payment_refunded"
    NOMINAL_TOPUP = "nominal_topup"


def _digest_field() -> Any:
    return attrs.field(default="", eq=False, repr=False)


@frozen(kw_only=True)
class ReadyToConfirm:
    """The bank validated the operation and waits for ``sessions.confirm`` or ``cancel``.

    ``confirm_information`` (escrow, settlement and FX payouts) is also attached to
    ``session.confirm_information``; pass it back when confirming.
    """

    type: Literal["ready_to_confirm"] = "ready_to_confirm"
    session: Session
    confirm_information: ConfirmInformation | None = None
    raw: Mapping[str, Any] = raw_field()
    digest: str = _digest_field()


@frozen(kw_only=True)
class ReadyToCapture:
    """Funds are held on the payer's card: ``sessions.capture`` or ``sessions.cancel``."""

    type: Literal["ready_to_capture"] = "ready_to_capture"
    session: Session
    raw: Mapping[str, Any] = raw_field()
    digest: str = _digest_field()


@frozen(kw_only=True)
class ActionRequired:
    """The payer must act: 3-D Secure redirect or an FPS QR code, in the operation's
    ``customer_interaction``."""

    type: Literal["action_required"] = "action_required"
    session: Session
    raw: Mapping[str, Any] = raw_field()
    digest: str = _digest_field()


@frozen(kw_only=True)
class PaymentFinished:
    """An operation reached its final state; read ``session.status`` and the operation's
    ``status``/``error`` (``failed`` + session ``error`` is not final)."""

    type: Literal["payment_finished"] = "payment_finished"
    session: Session
    raw: Mapping[str, Any] = raw_field()
    digest: str = _digest_field()


@frozen(kw_only=True)
class PaymentRefunded:
    """A refund completed (or a payout came back): see the operation's ``refunds``."""

    type: Literal["payment_refunded"] = "payment_refunded"
    session: Session
    raw: Mapping[str, Any] = raw_field()
    digest: str = _digest_field()


@frozen(kw_only=True)
class NominalTopup:
    """Money arrived on the escrow (nominal) account.

    The bank does not document this body: everything is in ``raw``; ``session`` is parsed only
    when the body has a session-shaped ``session`` (``None`` otherwise).
    """

    type: Literal["nominal_topup"] = "nominal_topup"
    session: Session | None = None
    raw: Mapping[str, Any] = raw_field()
    digest: str = _digest_field()


@frozen(kw_only=True)
class UnknownWebhook:
    """A ``type`` this SDK version does not know; the decoded body is in ``raw``.

    Receivers answer these with 200 (the bank would otherwise re-send them for a long time):
    log them and upgrade the SDK.
    """

    type: str
    raw: Mapping[str, Any] = raw_field()
    digest: str = _digest_field()
    #: The ``session``, when the body has a session-shaped one.
    session: Session | None = None


#: The webhooks that always carry a session.
SessionWebhook: TypeAlias = (
    ReadyToConfirm | ReadyToCapture | ActionRequired | PaymentFinished | PaymentRefunded
)

#: Every webhook event, tagged by ``type``.
WebhookEvent: TypeAlias = SessionWebhook | NominalTopup | UnknownWebhook
