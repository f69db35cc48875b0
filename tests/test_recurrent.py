"""Wire and parse tests for ``bank.recurrent``: recurrent/status, recurrent/disable."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from bank131_async import AsyncBank131
from bank131_async.models import RecurrentTokenInfo
from bank131_async.resources import recurrent
from tests.resource_wire import assert_not_sent, call_checked, declared, ok

pytestmark = pytest.mark.asyncio

TOKEN = "2d5f6c7e8a9b0c1d2e3f4a5b6c7d8e9f"
BODY = b'{"recurrent":{"token":"' + TOKEN.encode() + b'"}}'


def test_endpoints_are_declared() -> None:
    assert declared(recurrent.ENDPOINTS, "path", "version", "read_only", "idempotent") == [
        ("recurrent/status", "v1", True, False),
        ("recurrent/disable", "v1", False, False),
    ]


@pytest.mark.parametrize(
    ("path", "call", "active"),
    [
        ("recurrent/status", lambda b: b.recurrent.status(TOKEN), True),
        ("recurrent/disable", lambda b: b.recurrent.disable(TOKEN), False),
    ],
    ids=["status", "disable"],
)
async def test_wire_and_parse(
    path: str,
    call: Callable[[AsyncBank131], Awaitable[RecurrentTokenInfo]],
    active: bool,
    partner_key: rsa.RSAPrivateKey,
) -> None:
    # The official SDK's fixture shape.
    answer = ok(
        recurrent={
            "token": TOKEN,
            "created_at": "2020-07-14T13:17:11.000000Z",
            "finished_at": "2025-07-14T13:17:11.000000Z",
            "is_active": active,
        }
    )
    result = await call_checked(partner_key, "POST", f"/api/v1/{path}", answer, call, body=BODY)
    assert result == RecurrentTokenInfo(
        token=TOKEN,
        created_at=datetime(2020, 7, 14, 13, 17, 11, tzinfo=UTC),
        finished_at=datetime(2025, 7, 14, 13, 17, 11, tzinfo=UTC),
        is_active=active,
    )
    assert TOKEN not in repr(result)


@pytest.mark.parametrize("method", ["status", "disable"])
async def test_empty_token_sends_nothing(method: str, partner_key: rsa.RSAPrivateKey) -> None:
    await assert_not_sent(partner_key, lambda b: getattr(b.recurrent, method)(""), "token")
