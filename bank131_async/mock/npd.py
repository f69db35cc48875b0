"""Self-employed (NPD) methods beyond ``npd/check``: personal-data checks and tax-service
notifications.

The bank names these methods but does not publish their shapes; the emulator accepts the
shapes the SDK documents (``bank131_async.resources.self_employed``) and answers in them:

* ``npd/taxpayer/check_personal_info`` ``{tax_reference, last_name, first_name,
  middle_name?, phone?}`` -> ``{request_id}``; ``npd/request/status`` then reports
  ``personal_info_valid`` (``false`` when ``tax_reference`` ends ``2222``).
* ``npd/notifications/count`` / ``read`` ``{tax_reference_list: [...]}`` ->
  ``{notifications_count: [{tax_reference, count}]}`` /
  ``{notifications: [{tax_reference, notifications: [...]}]}``. Every person starts with two
  ``NEW`` notifications (``<inn>-1``, ``<inn>-2``); ``count`` counts the ``NEW`` ones.
* ``npd/notifications/mark_as_delivered`` / ``update`` ``{notification_list: [{tax_reference,
  message_id_list}]}`` -> ``{status: ok}``; ``update`` makes them ``ACKNOWLEDGED``, an unknown
  message id is ``invalid_request``.
"""

from __future__ import annotations

from typing import Any

from . import shapes
from . import validate as v
from .context import Context, Handler, Method
from .state import MockState
from .wire import dumps, invalid, now_iso

__all__ = ["METHODS"]

_OK = b'{"status":"ok"}'


def _inbox(state: MockState, inn: str) -> dict[str, dict[str, Any]]:
    people = state.npd_notifications
    if inn not in people:
        created = now_iso()
        people[inn] = {
            f"{inn}-{n}": {
                "id": f"{inn}-{n}",
                "title": title,
                "message": message,
                "status": "NEW",
                "created_at": created,
            }
            for n, title, message in (
                (1, "Начислен налог", "Сумма налога к уплате за прошлый месяц: 1200 рублей"),
                (2, "Напоминание", "Срок уплаты налога истекает 28 числа."),
            )
        }
    return people[inn]


def _inns(body: dict[str, Any]) -> list[str]:
    inns = body.get("tax_reference_list")
    if not isinstance(inns, list) or not inns:
        raise invalid("tax_reference_list", "expected a non-empty array of 12-digit INNs")
    return [v.digits(inn, f"tax_reference_list[{i}]", (12,)) for i, inn in enumerate(inns)]


def check_personal_info(ctx: Context, body: dict[str, Any], version: int, key: str | None) -> bytes:
    inn = v.digits(body.get("tax_reference"), "tax_reference", (12,))
    v.string(body.get("last_name"), "last_name")
    v.string(body.get("first_name"), "first_name")
    if body.get("middle_name") is not None:
        v.string(body["middle_name"], "middle_name")
    if body.get("phone") is not None:
        v.digits(body["phone"], "phone", range(10, 16))
    request_id = ctx.state.new_id("npd")
    ctx.state.npd_requests[request_id] = {
        "request_id": request_id,
        "tax_reference": inn,
        "is_self_employed": not inn.endswith("1111"),
        "personal_info_valid": not inn.endswith("2222"),
        "created_at": now_iso(),
    }
    return dumps({"status": "ok", "request_id": request_id})


def notifications_count(ctx: Context, body: dict[str, Any], version: int, key: str | None) -> bytes:
    counts = [
        {
            "tax_reference": inn,
            "count": sum(n["status"] == "NEW" for n in _inbox(ctx.state, inn).values()),
        }
        for inn in _inns(body)
    ]
    return dumps({"status": "ok", "notifications_count": counts})


def notifications_read(ctx: Context, body: dict[str, Any], version: int, key: str | None) -> bytes:
    items = [
        {"tax_reference": inn, "notifications": list(_inbox(ctx.state, inn).values())}
        for inn in _inns(body)
    ]
    return dumps({"status": "ok", "notifications": items})


def _report(new_status: str | None) -> Handler:
    def handler(ctx: Context, body: dict[str, Any], version: int, key: str | None) -> bytes:
        items = body.get("notification_list")
        if not isinstance(items, list) or not items:
            raise invalid("notification_list", "expected a non-empty array")
        found: list[dict[str, Any]] = []
        for i, item in enumerate(items):
            path = f"notification_list[{i}]"
            entry = v.obj(item, path)
            inn = v.digits(entry.get("tax_reference"), f"{path}.tax_reference", (12,))
            ids = entry.get("message_id_list")
            if not isinstance(ids, list) or not ids:
                raise invalid(f"{path}.message_id_list", "expected a non-empty array")
            inbox = _inbox(ctx.state, inn)
            for j, message_id in enumerate(ids):
                note = inbox.get(v.string(message_id, f"{path}.message_id_list[{j}]"))
                if note is None:
                    raise invalid(f"{path}.message_id_list[{j}]", "unknown message id")
                found.append(note)
        for note in found:
            note["delivered"] = True
            if new_status is not None:
                note["status"] = new_status
        return _OK

    return handler


#: v1 method name -> method
METHODS: dict[str, Method] = {
    "npd/taxpayer/check_personal_info": Method(check_personal_info, shapes.NPD_PERSONAL_INFO, True),
    "npd/notifications/count": Method(notifications_count, shapes.NPD_TAX_REFERENCES, False),
    "npd/notifications/read": Method(notifications_read, shapes.NPD_TAX_REFERENCES, False),
    "npd/notifications/mark_as_delivered": Method(
        _report(None), shapes.NPD_NOTIFICATION_LIST, True
    ),
    "npd/notifications/update": Method(_report("ACKNOWLEDGED"), shapes.NPD_NOTIFICATION_LIST, True),
}
