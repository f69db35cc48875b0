"""``npd/*``: self-employed (NPD) checks and the tax service's notifications (API v1 only).

::

    check = await bank.self_employed.check("500100732259")
    result = await bank.self_employed.request_status(check.request_id)
    if result.is_self_employed and result.is_bound:
        ...  # payouts with fiscalization are possible

    counts = await bank.self_employed.notifications_count(["500100732259"])
    texts = await bank.self_employed.notifications_read(["500100732259"])
    ids = [n.id for n in texts.for_inn("500100732259")]
    await bank.self_employed.notifications_mark_as_delivered(
        [NotificationList(tax_reference="500100732259", message_id_list=ids)]
    )

The bank names these methods but publishes only the ``npd/check`` request; every other shape
is the SDK's best reading of the bank's object names (``endpoints.md`` §9), noted on each
method. Every result keeps the whole decoded answer in ``.raw``. Answers are parsed
tolerantly (``inn`` is accepted for ``tax_reference``; the list of per-person entries is taken
from whichever key holds it).

Linking a person to Bank 131 is done by the self-employed widget (``bank.tokens``), not here.
No ``npd/*`` call is de-duplicated by the bank, so the mutating ones send no idempotency key
and are not repeated after a request that may have reached the bank.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from .._transport import Endpoint, parse_result
from .._validation import check_tax_reference
from ..errors import RequestValidationError
from ..models.self_employed import (
    NotificationCountInformation,
    NotificationInformation,
    NotificationList,
    NpdCheckResult,
    NpdNotificationCounts,
    NpdNotifications,
    NpdRequestStatus,
)
from ._base import Resource, Timeout, require_id

__all__ = ["ENDPOINTS", "SelfEmployedResource"]

T = TypeVar("T")

# npd/check and check_personal_info start an asynchronous request on the bank's side (a new
# request id each time): mutating, not de-duplicated.
CHECK = Endpoint("npd/check", version="v1")
REQUEST_STATUS = Endpoint("npd/request/status", read_only=True, version="v1")
CHECK_PERSONAL_INFO = Endpoint("npd/taxpayer/check_personal_info", version="v1")
NOTIFICATIONS_COUNT = Endpoint("npd/notifications/count", read_only=True, version="v1")
NOTIFICATIONS_READ = Endpoint("npd/notifications/read", read_only=True, version="v1")
NOTIFICATIONS_MARK_AS_DELIVERED = Endpoint("npd/notifications/mark_as_delivered", version="v1")
NOTIFICATIONS_UPDATE = Endpoint("npd/notifications/update", version="v1")

#: Every endpoint this resource calls (the coverage test compares it with endpoints.md).
ENDPOINTS = (
    CHECK,
    REQUEST_STATUS,
    CHECK_PERSONAL_INFO,
    NOTIFICATIONS_COUNT,
    NOTIFICATIONS_READ,
    NOTIFICATIONS_MARK_AS_DELIVERED,
    NOTIFICATIONS_UPDATE,
)

#: Keys that may hold the per-person list of a notifications answer, tried first.
_LIST_KEYS = ("notifications", "items", "data", "result", "tax_references", "notification_list")


class SelfEmployedResource(Resource):
    """``bank.self_employed``: the ``npd/*`` methods."""

    __slots__ = ()

    async def check(self, tax_reference: str, *, timeout: Timeout = None) -> NpdCheckResult:
        """``npd/check``: start checking whether the 12-digit INN belongs to a self-employed
        person bound to Bank 131. Poll :meth:`request_status` with the returned
        ``request_id``."""
        check_tax_reference(tax_reference)
        data = await self._request(CHECK, {"tax_reference": tax_reference}, timeout=timeout)
        return parse_result(data, NpdCheckResult, "the npd/check answer", raw=data)

    async def request_status(self, request_id: str, *, timeout: Timeout = None) -> NpdRequestStatus:
        """``npd/request/status``: the result of :meth:`check` or :meth:`check_personal_info`.

        The answer's schema is not published: ``is_self_employed``, ``is_bound`` and ``error``
        are read when present (at the top level or under ``result``); ``.raw`` has the rest.
        """
        body = {"request_id": require_id(request_id, "request_id")}
        data = await self._request(REQUEST_STATUS, body, timeout=timeout)
        nested = data.get("result")
        payload = {**data, **nested} if isinstance(nested, Mapping) else data
        payload = {k: v for k, v in payload.items() if k != "status"}
        return parse_result(payload, NpdRequestStatus, "the request status", raw=data)

    async def check_personal_info(
        self,
        tax_reference: str,
        *,
        last_name: str,
        first_name: str,
        middle_name: str | None = None,
        phone: str | None = None,
        timeout: Timeout = None,
    ) -> NpdCheckResult:
        """``npd/taxpayer/check_personal_info``: compare a person's data with the tax service's
        records; the result comes from :meth:`request_status`.

        The bank names the inputs (INN, full name, phone) but not their keys; the SDK sends
        ``tax_reference``, ``last_name``, ``first_name``, ``middle_name``, ``phone`` -- the
        spellings the rest of the API uses for a person.
        """
        check_tax_reference(tax_reference)
        for name, value in (("last_name", last_name), ("first_name", first_name)):
            require_id(value, name)
        if phone is not None and not (phone.isascii() and phone.isdigit()):
            raise RequestValidationError(
                f"phone must be digits only (e.g. 79001234567), got {phone!r}"
            )
        body = {
            "tax_reference": tax_reference,
            "last_name": last_name,
            "first_name": first_name,
            "middle_name": middle_name,
            "phone": phone,
        }
        data = await self._request(CHECK_PERSONAL_INFO, body, timeout=timeout)
        return parse_result(data, NpdCheckResult, "the check_personal_info answer", raw=data)

    async def notifications_count(
        self, tax_references: str | Sequence[str], *, timeout: Timeout = None
    ) -> NpdNotificationCounts:
        """``npd/notifications/count``: unread tax-service notifications per INN.

        Sends ``{"tax_reference_list": [...]}`` (the tax service counts for a list of INNs;
        the bank's key is not published). The answer's list of
        ``NotificationCountInformation`` (``{tax_reference, count}``) is read from whichever
        key holds it, or from the top level for a single person.
        """
        data, counts = await self._per_person(
            NOTIFICATIONS_COUNT, tax_references, NotificationCountInformation, "a count", timeout
        )
        return NpdNotificationCounts(counts=counts, raw=data)

    async def notifications_read(
        self, tax_references: str | Sequence[str], *, timeout: Timeout = None
    ) -> NpdNotifications:
        """``npd/notifications/read``: the notification texts per INN.

        Sends ``{"tax_reference_list": [...]}``; reads ``NotificationInformation``
        (``{tax_reference, notifications: [{id, title, message, status, created_at}]}``) for
        each person from the answer (a list under any key, or one object at the top level).
        """
        data, parsed = await self._per_person(
            NOTIFICATIONS_READ, tax_references, NotificationInformation, "notifications", timeout
        )
        return NpdNotifications(items=parsed, raw=data)

    async def notifications_mark_as_delivered(
        self, notification_list: Sequence[NotificationList], *, timeout: Timeout = None
    ) -> Mapping[str, Any]:
        """``npd/notifications/mark_as_delivered``: report that you showed these notifications
        to the person. Sends ``{"notification_list": [{tax_reference, message_id_list}]}``;
        returns the decoded answer (its schema is not published)."""
        body = {"notification_list": _notification_list(notification_list)}
        return await self._request(NOTIFICATIONS_MARK_AS_DELIVERED, body, timeout=timeout)

    async def notifications_update(
        self, notification_list: Sequence[NotificationList], *, timeout: Timeout = None
    ) -> Mapping[str, Any]:
        """``npd/notifications/update``: report that the person read these notifications.
        Same body and answer as :meth:`notifications_mark_as_delivered`."""
        body = {"notification_list": _notification_list(notification_list)}
        return await self._request(NOTIFICATIONS_UPDATE, body, timeout=timeout)

    async def _per_person(
        self,
        endpoint: Endpoint,
        tax_references: str | Sequence[str],
        entry: type[T],
        what: str,
        timeout: Timeout,
    ) -> tuple[dict[str, Any], tuple[T, ...]]:
        """Send ``{"tax_reference_list": [...]}``; return the answer and each person's entry
        in it (see :func:`_entries`)."""
        body = {"tax_reference_list": _inns(tax_references)}
        data = await self._request(endpoint, body, timeout=timeout)
        return data, tuple(parse_result(item, entry, what) for item in _entries(data))


def _inns(tax_references: str | Sequence[str]) -> list[str]:
    inns = [tax_references] if isinstance(tax_references, str) else list(tax_references)
    if not inns:
        raise RequestValidationError("pass at least one tax_reference (12-digit INN)")
    for i, inn in enumerate(inns):
        check_tax_reference(inn, f"tax_references[{i}]")
    return inns


def _notification_list(items: Sequence[NotificationList]) -> list[NotificationList]:
    if isinstance(items, NotificationList):
        items = [items]
    if not items:
        raise RequestValidationError("notification_list needs at least one NotificationList")
    for i, item in enumerate(items):
        if not isinstance(item, NotificationList):
            raise RequestValidationError(
                f"notification_list[{i}] must be a NotificationList, got {type(item).__name__}"
            )
        check_tax_reference(item.tax_reference, f"notification_list[{i}].tax_reference")
        if not item.message_id_list or not all(
            isinstance(m, str) and m for m in item.message_id_list
        ):
            raise RequestValidationError(
                f"notification_list[{i}].message_id_list must hold at least one message id"
            )
    return list(items)


def _entries(data: Mapping[str, Any]) -> list[Any]:
    """The per-person entries of an answer: the first list of objects carrying
    ``tax_reference`` (or ``inn``) -- under a likely key, else under any key --, else the top
    level as one entry, else none (``.raw`` still holds the answer)."""
    keys = [*_LIST_KEYS, *(k for k in data if k not in _LIST_KEYS)]
    for key in keys:
        value = data.get(key)
        if isinstance(value, list) and all(
            isinstance(v, Mapping) and ("tax_reference" in v or "inn" in v) for v in value
        ):
            return value
    if "tax_reference" in data or "inn" in data:
        return [{k: v for k, v in data.items() if k != "status"}]
    return []
