"""A repeated X-PARTNER-IDEMPOTENCY-KEY answers 409 and does nothing; the journal proves it."""

from __future__ import annotations

import pytest

from bank131_async.mock import MockBankApp
from tests.mock.mockbank_helpers import Bank, card_payout

pytestmark = pytest.mark.asyncio


async def test_replay_is_rejected_and_pays_once(bank: Bank, mock_app: MockBankApp) -> None:
    first = await bank.session("session/init/payout", card_payout(), idempotency_key="order-1")
    for _ in range(3):
        status, code, description = await bank.error(
            "session/init/payout", card_payout(), idempotency_key="order-1"
        )
        assert (status, code) == (409, "idempotency_key_already_exists")
        assert "order-1" in description
    assert list(mock_app.state.sessions) == [first["id"]]
    assert mock_app.state.payouts_by_idempotency_key() == {
        "order-1": [first["payout_list"][0]["id"]]
    }


async def test_key_is_spent_only_by_success(bank: Bank) -> None:
    bad = card_payout()
    del bad["amount_details"]
    status, code, _ = await bank.error("session/init/payout", bad, idempotency_key="k")
    assert (status, code) == (400, "invalid_request")
    await bank.session("session/init/payout", card_payout(), idempotency_key="k")


async def test_key_is_global_across_methods(bank: Bank) -> None:
    created = await bank.session("session/create", {}, idempotency_key="k2")
    status, code, _ = await bank.error(
        "session/cancel", {"session_id": created["id"]}, idempotency_key="k2"
    )
    assert (status, code) == (409, "idempotency_key_already_exists")


async def test_read_only_calls_ignore_the_key(bank: Bank, mock_app: MockBankApp) -> None:
    created = await bank.session("session/create", {})
    for _ in range(2):
        status = await bank.session(
            "session/status", {"session_id": created["id"]}, idempotency_key="s"
        )
        assert status["id"] == created["id"]
    assert "s" not in mock_app.state.idempotency_keys


async def test_distinct_keys_are_distinct_payouts(bank: Bank, mock_app: MockBankApp) -> None:
    for key in ("a", "b"):
        await bank.session("session/init/payout", card_payout(), idempotency_key=key)
    by_key = mock_app.state.payouts_by_idempotency_key()
    assert sorted(by_key, key=str) == ["a", "b"]
    assert all(len(ids) == 1 for ids in by_key.values())
