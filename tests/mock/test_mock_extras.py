"""Methods beyond sessions answer well-formed, state-consistent data."""

from __future__ import annotations

from typing import Any

import pytest

from tests.mock.mockbank_helpers import Bank

pytestmark = pytest.mark.asyncio


async def _ok(bank: Bank, method: str, body: dict[str, Any]) -> dict[str, Any]:
    response = await bank.call(method, body, version=1)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    assert data["status"] == "ok"
    return data


async def test_public_token_round_trip(bank: Bank) -> None:
    session = await bank.session("session/create", {})
    issued = await _ok(bank, "token", {"acquiring_widget": {"session_id": session["id"]}})
    token = issued["public_token"]
    info = await _ok(bank, "token/info", {"type": "public_token", "public_token": {"token": token}})
    assert info["info"]["token"] == token
    assert info["info"]["is_active"] is True


async def test_token_needs_a_widget(bank: Bank) -> None:
    status, code, _ = await bank.error("token", {}, version=1)
    assert (status, code) == (400, "invalid_request")


async def test_token_info_for_a_card_is_masked(bank: Bank) -> None:
    card = {"type": "bank_card", "bank_card": {"number": "2200000000000004"}}
    info = await _ok(bank, "token/info", {"type": "card", "card": card})
    assert info["info"] == {"type": "card", "brand": "mir", "last4": "0004"}


async def test_unknown_token_is_404(bank: Bank) -> None:
    body = {"type": "recurrent_token", "recurrent_token": {"token": "rt_nope"}}
    status, code, _ = await bank.error("token/info", body, version=1)
    assert (status, code) == (404, "invalid_request")


async def test_tokenize_is_deterministic_and_masked(bank: Bank) -> None:
    body = {
        "type": "bank_account_ru",
        "bank_account_ru": {"bik": "049205131", "account": "40702810200000000025"},
    }
    first = await _ok(bank, "tokenize", body)
    second = await _ok(bank, "tokenize", body)
    assert first["token"] == second["token"]
    assert first["data"] == {"masked_account": "40702***0025"}


@pytest.mark.parametrize(
    ("inn", "self_employed", "bound"),
    [("500000000001", True, True), ("500000000000", True, False), ("500000001111", False, False)],
)
async def test_npd_check(bank: Bank, inn: str, self_employed: bool, bound: bool) -> None:
    started = await _ok(bank, "npd/check", {"tax_reference": inn})
    result = await _ok(bank, "npd/request/status", {"request_id": started["request_id"]})
    assert (result["is_self_employed"], result["is_bound"]) == (self_employed, bound)


async def test_account_balance(bank: Bank) -> None:
    data = await _ok(bank, "report/account_balance", {"account_number": "40702810400000000333"})
    assert data["balance"] == {"current_balance": 1_000_000_000_000}
    status, code, description = await bank.error(
        "report/account_balance", {"account_number": "12345810400000000333"}, version=1
    )
    assert (status, code) == (400, "invalid_request")
    assert description.startswith("account_number")


async def test_sberpay_push_needs_a_session(bank: Bank) -> None:
    session = await bank.session("session/create", {})
    await _ok(bank, "sberpay/push", {"phone": "79876543210", "session_id": session["id"]})
    status, code, _ = await bank.error(
        "sberpay/push", {"phone": "79876543210", "session_id": "ps_0"}, version=1
    )
    assert (status, code) == (404, "invalid_request")


async def test_subscription_calls(bank: Bank) -> None:
    await _ok(bank, "subscription/cancel", {"subscription_id": "sub_1"})
    status, code, _ = await bank.error("subscription/restore", {}, version=1)
    assert (status, code) == (400, "invalid_request")
