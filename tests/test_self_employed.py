"""Wire and parse tests for ``bank.self_employed`` (``npd/*``)."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from bank131_async import AsyncBank131
from bank131_async.errors import TaxpayerError
from bank131_async.models import (
    ErrorInfo,
    NotificationCountInformation,
    NotificationInformation,
    NotificationList,
    NpdCheckResult,
    NpdNotification,
    NpdNotificationStatus,
    NpdRequestStatus,
)
from bank131_async.resources import self_employed
from tests.resource_wire import BASE_URL, assert_not_sent, call_checked, call_once, ok, scripted

pytestmark = pytest.mark.asyncio

INN = "500100732259"
INN2 = "772345678901"
V1 = f"{BASE_URL}/api/v1/npd"


def test_endpoints_are_declared() -> None:
    declared = {
        (e.path, e.version, e.read_only, e.sends_idempotency_key) for e in self_employed.ENDPOINTS
    }
    assert declared == {
        ("npd/check", "v1", False, False),
        ("npd/request/status", "v1", True, False),
        ("npd/taxpayer/check_personal_info", "v1", False, False),
        ("npd/notifications/count", "v1", True, False),
        ("npd/notifications/read", "v1", True, False),
        ("npd/notifications/mark_as_delivered", "v1", False, False),
        ("npd/notifications/update", "v1", False, False),
    }
    assert all(e.host == "api" and e.header_signature for e in self_employed.ENDPOINTS)


Call = Callable[[AsyncBank131], Awaitable[Any]]

NOTES = [
    {
        "id": "msg-1",
        "title": "Новое уведомление",
        "message": "Сформирован налог к уплате",
        "status": "NEW",
        "created_at": "2024-03-01T10:00:00Z",
    },
    {"id": "msg-2", "title": "T", "message": "M", "status": "SOMETHING_NEW"},
]
PARSED_NOTES = (
    NpdNotification(
        id="msg-1",
        title="Новое уведомление",
        message="Сформирован налог к уплате",
        status=NpdNotificationStatus.NEW,
        created_at=datetime(2024, 3, 1, 10, tzinfo=UTC),
    ),
    NpdNotification(id="msg-2", title="T", message="M", status="SOMETHING_NEW"),
)
DELIVERED = [NotificationList(tax_reference=INN, message_id_list=("msg-1", "msg-2"))]
W_DELIVERED = (
    b'{"notification_list":[{"tax_reference":"500100732259","message_id_list":["msg-1","msg-2"]}]}'
)

# (id, path, call, exact body, answer, expected result)
CASES: list[tuple[str, str, Call, bytes, bytes, Any]] = [
    (
        "check",
        "check",
        lambda b: b.self_employed.check(INN),
        b'{"tax_reference":"500100732259"}',
        ok(request_id="npd_1"),
        NpdCheckResult(request_id="npd_1"),
    ),
    (
        "request-status",
        "request/status",
        lambda b: b.self_employed.request_status("npd_1"),
        b'{"request_id":"npd_1"}',
        ok(
            request_id="npd_1",
            tax_reference=INN,
            is_self_employed=True,
            is_bound=False,
            created_at="2024-03-01T10:00:00.000001Z",
            unknown={"x": 1},
        ),
        NpdRequestStatus(
            request_id="npd_1",
            tax_reference=INN,
            is_self_employed=True,
            is_bound=False,
            created_at=datetime(2024, 3, 1, 10, 0, 0, 1, tzinfo=UTC),
        ),
    ),
    (
        "check-personal-info",
        "taxpayer/check_personal_info",
        lambda b: b.self_employed.check_personal_info(
            INN, last_name="Иванов", first_name="Иван", middle_name="Иванович", phone="79001234567"
        ),
        '{"tax_reference":"500100732259","last_name":"Иванов","first_name":"Иван",'
        '"middle_name":"Иванович","phone":"79001234567"}'.encode(),
        ok(request_id="npd_2"),
        NpdCheckResult(request_id="npd_2"),
    ),
    (
        "check-personal-info-minimal",
        "taxpayer/check_personal_info",
        lambda b: b.self_employed.check_personal_info(INN, last_name="Ivanov", first_name="Ivan"),
        b'{"tax_reference":"500100732259","last_name":"Ivanov","first_name":"Ivan"}',
        ok(request_id="npd_3"),
        NpdCheckResult(request_id="npd_3"),
    ),
    (
        "notifications-count",
        "notifications/count",
        lambda b: b.self_employed.notifications_count([INN, INN2]),
        b'{"tax_reference_list":["500100732259","772345678901"]}',
        ok(
            notifications_count=[
                {"tax_reference": INN, "count": 2},
                {"tax_reference": INN2, "count": 0},
            ]
        ),
        (
            NotificationCountInformation(tax_reference=INN, count=2),
            NotificationCountInformation(tax_reference=INN2, count=0),
        ),
    ),
    (
        "notifications-read",
        "notifications/read",
        lambda b: b.self_employed.notifications_read(INN),
        b'{"tax_reference_list":["500100732259"]}',
        ok(notifications=[{"tax_reference": INN, "notifications": NOTES}]),
        (NotificationInformation(tax_reference=INN, notifications=PARSED_NOTES),),
    ),
    (
        "mark-as-delivered",
        "notifications/mark_as_delivered",
        lambda b: b.self_employed.notifications_mark_as_delivered(DELIVERED),
        W_DELIVERED,
        ok(),
        {"status": "ok"},
    ),
    (
        "update",
        "notifications/update",
        lambda b: b.self_employed.notifications_update(DELIVERED),
        W_DELIVERED,
        ok(),
        {"status": "ok"},
    ),
]


def _view(result: Any) -> Any:
    """The comparable part of a result (lists are compared as their entries)."""
    if hasattr(result, "counts"):
        return result.counts
    if hasattr(result, "items") and not isinstance(result, dict):
        return result.items
    return result


@pytest.mark.parametrize(
    ("path", "call", "body", "answer", "expected"),
    [c[1:] for c in CASES],
    ids=[c[0] for c in CASES],
)
async def test_wire_and_parse(
    path: str, call: Call, body: bytes, answer: bytes, expected: Any, partner_key: rsa.RSAPrivateKey
) -> None:
    result = await call_checked(partner_key, "POST", f"{V1}/{path}", answer, call, body=body)
    assert _view(result) == expected
    if not isinstance(result, dict):
        assert result.raw["status"] == "ok"


def test_every_method_has_a_wire_case() -> None:
    public = {
        n
        for n in dir(self_employed.SelfEmployedResource)
        if not n.startswith("_") and callable(getattr(self_employed.SelfEmployedResource, n))
    }
    assert public == {
        "check", "request_status", "check_personal_info", "notifications_count",
        "notifications_read", "notifications_mark_as_delivered", "notifications_update",
    }  # fmt: skip
    assert {c[1] for c in CASES} == {e.path.removeprefix("npd/") for e in self_employed.ENDPOINTS}


# --------------------------------------------------------------------------- parsing


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        pytest.param(
            ok(request_id="npd_9", result={"inn": INN, "is_self_employed": False}, extra=[1]),
            NpdRequestStatus(request_id="npd_9", tax_reference=INN, is_self_employed=False),
            id="nested-result-and-unknown-fields",
        ),
        pytest.param(
            ok(request_id="npd_9", error={"code": "taxpayer_unknown", "description": "no"}),
            NpdRequestStatus(
                request_id="npd_9", error=ErrorInfo(code="taxpayer_unknown", description="no")
            ),
            id="with-an-error",
        ),
    ],
)
async def test_request_status_answers(
    answer: bytes, expected: NpdRequestStatus, partner_key: rsa.RSAPrivateKey
) -> None:
    result, _ = await call_once(
        partner_key,
        "POST",
        f"{V1}/request/status",
        answer,
        lambda b: b.self_employed.request_status("npd_9"),
    )
    assert result == expected
    assert result.raw == json.loads(answer)  # unknown fields kept
    assert "raw" not in repr(result)


@pytest.mark.parametrize(
    "answer",
    [
        ok(tax_reference=INN, count=3),
        ok(inn=INN, count=3),
        ok(items=[{"inn": INN, "count": "3"}]),
    ],
    ids=["top-level", "inn-spelling", "items-list"],
)
async def test_count_shapes(answer: bytes, partner_key: rsa.RSAPrivateKey) -> None:
    result, _ = await call_once(
        partner_key,
        "POST",
        f"{V1}/notifications/count",
        answer,
        lambda b: b.self_employed.notifications_count(INN),
    )
    assert result.counts == (NotificationCountInformation(tax_reference=INN, count=3),)
    assert result.count_for(INN) == 3
    assert result.count_for(INN2) == 0


async def test_read_single_person_at_top_level(partner_key: rsa.RSAPrivateKey) -> None:
    answer = ok(tax_reference=INN, notifications=NOTES)
    result, _ = await call_once(
        partner_key,
        "POST",
        f"{V1}/notifications/read",
        answer,
        lambda b: b.self_employed.notifications_read([INN]),
    )
    assert result.for_inn(INN) == PARSED_NOTES
    assert result.for_inn(INN2) == ()


async def test_taxpayer_error_is_typed(partner_key: rsa.RSAPrivateKey) -> None:
    error = {"status": "error", "error": {"code": "taxpayer_unknown", "description": "x"}}
    answer = httpx.Response(400, json=error)
    async with scripted(partner_key, "POST", f"{V1}/check", answer) as (bank, _):
        with pytest.raises(TaxpayerError):
            await bank.self_employed.check(INN)


# --------------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda b: b.self_employed.check("12345678901"), "12 digits"),
        (lambda b: b.self_employed.check("50010073225x"), "digits"),
        (lambda b: b.self_employed.check(None), "required"),
        (lambda b: b.self_employed.request_status(""), "request_id"),
        (
            lambda b: b.self_employed.check_personal_info(INN, last_name="", first_name="I"),
            "last_name",
        ),
        (
            lambda b: b.self_employed.check_personal_info(
                INN, last_name="I", first_name="I", phone="+7 900"
            ),
            "phone",
        ),
        (lambda b: b.self_employed.notifications_count([]), "at least one"),
        (lambda b: b.self_employed.notifications_read([INN, "1"]), r"tax_references\[1\]"),
        (lambda b: b.self_employed.notifications_update([]), "at least one"),
        (
            lambda b: b.self_employed.notifications_mark_as_delivered(
                [NotificationList(tax_reference=INN, message_id_list=())]
            ),
            "message_id_list",
        ),
        (
            lambda b: b.self_employed.notifications_update(
                [NotificationList(tax_reference="123", message_id_list=("m",))]
            ),
            "tax_reference",
        ),
        (
            lambda b: b.self_employed.notifications_update([{"tax_reference": INN}]),
            "NotificationList",
        ),
    ],
)
async def test_validation_sends_nothing(
    call: Call, match: str, partner_key: rsa.RSAPrivateKey
) -> None:
    await assert_not_sent(partner_key, call, match)
