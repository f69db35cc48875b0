"""Self-employed (NPD, "налог на профессиональный доход") checks and tax-service notifications.

The bank names these methods but publishes almost none of their schemas (``endpoints.md``
§9). The shapes below are the most plausible reading of the object names the bank does publish
(``NotificationCountInformation``, ``NotificationInformation``, ``Notification_list``) and of
the tax service's own partner API they wrap. Every result object keeps the whole decoded
answer in ``raw`` (not a constructor argument, not in ``repr`` or ``==``), so a field the SDK
does not model yet is still one dictionary lookup away::

    result = await bank.self_employed.request_status(request_id)
    result.is_self_employed, result.raw.get("some_new_field")
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from typing import Any

import attrs
from attrs import frozen

from ._fields import alias, raw_field
from .common import ErrorInfo

__all__ = [
    "NotificationCountInformation",
    "NotificationInformation",
    "NotificationList",
    "NpdCheckResult",
    "NpdNotification",
    "NpdNotificationCounts",
    "NpdNotificationStatus",
    "NpdNotifications",
    "NpdRequestStatus",
]


class NpdNotificationStatus(StrEnum):
    """The status of a tax-service notification to a self-employed person."""

    NEW = "NEW"
    ACKNOWLEDGED = "ACKNOWLEDGED"
    ARCHIVED = "ARCHIVED"


@frozen(kw_only=True)
class NpdCheckResult:
    """The answer of ``npd/check`` and ``npd/taxpayer/check_personal_info``: the id of an
    asynchronous request whose result ``npd/request/status`` returns."""

    request_id: str
    raw: Mapping[str, Any] = raw_field()


@frozen(kw_only=True)
class NpdRequestStatus:
    """The answer of ``npd/request/status`` (schema not published by the bank).

    Modelled fields are the plausible ones (all optional): ``is_self_employed`` (the INN is
    registered as a self-employed person), ``is_bound`` (the person linked Bank 131 as a
    partner in the tax service), ``error`` when the check failed. Everything else the bank
    sends is in ``raw``.
    """

    request_id: str | None = None
    tax_reference: str | None = attrs.field(default=None, metadata=alias("inn"))
    is_self_employed: bool | None = None
    is_bound: bool | None = None
    created_at: datetime | None = None
    error: ErrorInfo | None = None
    raw: Mapping[str, Any] = raw_field()


@frozen(kw_only=True)
class NotificationCountInformation:
    """Unread tax-service notifications of one self-employed person."""

    tax_reference: str = attrs.field(metadata=alias("inn"))
    count: int


@frozen(kw_only=True)
class NpdNotification:
    """One tax-service notification (``created_at`` also accepted as ``createdAt``)."""

    id: str
    title: str | None = None
    message: str | None = None
    status: NpdNotificationStatus | str | None = None
    created_at: datetime | None = attrs.field(default=None, metadata=alias("createdAt"))


@frozen(kw_only=True)
class NotificationInformation:
    """The notifications of one self-employed person."""

    tax_reference: str = attrs.field(metadata=alias("inn"))
    notifications: tuple[NpdNotification, ...] = ()


@frozen(kw_only=True)
class NotificationList:
    """Request item of ``npd/notifications/mark_as_delivered`` and ``.../update``: which
    messages of one person to report to the tax service."""

    tax_reference: str
    message_id_list: tuple[str, ...]


@frozen(kw_only=True)
class NpdNotificationCounts:
    """The answer of ``npd/notifications/count``: one entry per requested INN."""

    counts: tuple[NotificationCountInformation, ...] = ()
    raw: Mapping[str, Any] = raw_field()

    def count_for(self, tax_reference: str) -> int:
        """The unread count of one INN (0 when the bank did not list it)."""
        return sum(c.count for c in self.counts if c.tax_reference == tax_reference)


@frozen(kw_only=True)
class NpdNotifications:
    """The answer of ``npd/notifications/read``: notifications grouped by INN."""

    items: tuple[NotificationInformation, ...] = ()
    raw: Mapping[str, Any] = raw_field()

    def for_inn(self, tax_reference: str) -> tuple[NpdNotification, ...]:
        """The notifications of one person (by INN) in this answer."""
        return tuple(
            n for i in self.items if i.tax_reference == tax_reference for n in i.notifications
        )
