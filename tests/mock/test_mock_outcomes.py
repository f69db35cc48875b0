"""The documented outcome table, driven through the wire, and the wallet balance."""

from __future__ import annotations

from typing import Any

import pytest

from bank131_async.mock import MockBankApp
from bank131_async.mock.outcomes import Facts, payout_failure
from tests.mock.mockbank_helpers import Bank, card_payment, card_payout

pytestmark = pytest.mark.asyncio


async def _run(bank: Bank, method: str, body: dict[str, Any]) -> Any:
    sid = (await bank.session(method, body))["id"]
    await bank.wait_action(sid, "confirm")
    await bank.session("session/confirm", {"session_id": sid})
    return await bank.wait_final(sid)


def _fps(phone: str) -> dict[str, Any]:
    fps = {"phone": phone, "bank_id": "100000000111", "description": "salary"}
    body = card_payout()
    del body["payout_details"], body["participant_details"]
    body["payout_details"] = {
        "type": "bank_account",
        "bank_account": {"system_type": "faster_payment_system", "faster_payment_system": fps},
    }
    return body


def _account(number: str) -> dict[str, Any]:
    ru = {"bik": "044525974", "account": number, "full_name": "Ivan", "description": "salary"}
    body = _fps("79990000001")
    body["payout_details"] = {
        "type": "bank_account",
        "bank_account": {"system_type": "ru", "ru": ru},
    }
    return body


@pytest.mark.parametrize(
    ("body", "code", "session_status"),
    [
        (card_payout("4000000000000002"), "declined_by_issuer_bank", "cancelled"),
        (card_payout("4000000000000051"), "insufficient_funds", "cancelled"),
        (card_payout("4000000000000054"), "bank_card_expired", "cancelled"),
        (card_payout("4000000000000059"), "suspected_fraud", "cancelled"),
        (card_payout(amount=131313), "provider_timeout", "cancelled"),
        (card_payout(amount=500500), "internal_error", "error"),
        (_fps("79990000000"), "account_not_found", "cancelled"),
        (_account("40817810000000000000"), "account_not_found", "cancelled"),
        (_fps("79991112233"), None, "accepted"),
        (_account("40817810000000001234"), None, "accepted"),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
async def test_payout_outcomes(
    bank: Bank, mock_app: MockBankApp, body: dict[str, Any], code: str | None, session_status: str
) -> None:
    session = await _run(bank, "session/init/payout", body)
    assert session["status"] == session_status
    payout = session["payout_list"][0]
    assert payout["payout_details"]["type"] == next(iter(body["payout_details"].values()))
    assert payout["payout_details"] == body["payout_details"] or payout["payout_details"]["card"]
    if code is None:
        assert payout["status"] == "succeeded"
    else:
        assert payout["status"] == "failed"
        assert payout["error"]["code"] == code
        assert session["error"]["code"] == code
        assert mock_app.state.paid_out() == 0


@pytest.mark.parametrize(
    ("number", "code"),
    [("4000000000000002", "declined_by_issuer_bank"), ("4000000000000051", "insufficient_funds")],
)
async def test_payment_outcomes(bank: Bank, number: str, code: str) -> None:
    session = await _run(bank, "session/init/payment", card_payment(number))
    assert session["status"] == "cancelled"
    assert session["payment_list"][0]["error"]["code"] == code


@pytest.mark.parametrize(
    ("inn", "code"),
    [
        ("123456780000", "taxpayer_not_bound"),
        ("123456789999", "taxpayer_income_exceeds_amount_limit"),
    ],
)
async def test_self_employed_outcomes(bank: Bank, inn: str, code: str) -> None:
    body = card_payout(amount=1_000)
    service = {"name": "Work", "amount_details": {"amount": 1_000, "currency": "rub"}}
    body["fiscalization_details"] = {
        "professional_income_taxpayer": {"tax_reference": inn, "services": [service]}
    }
    session = await _run(bank, "session/init/payout/fiscalization", body)
    assert session["payout_list"][0]["error"]["code"] == code


async def test_wallet_is_debited_until_it_runs_dry(bank: Bank, mock_app: MockBankApp) -> None:
    mock_app.state.wallet_balance = 15_000
    first = await _run(bank, "session/init/payout", card_payout(amount=10_000))
    assert first["status"] == "accepted"
    assert mock_app.state.wallet_balance == 5_000
    second = await _run(bank, "session/init/payout", card_payout(amount=10_000))
    assert second["status"] == "cancelled"
    assert second["payout_list"][0]["error"]["code"] == "insufficient_wallet_balance"
    assert mock_app.state.wallet_balance == 5_000
    assert mock_app.state.paid_out() == 10_000


async def test_declined_refund(bank: Bank) -> None:
    session = await _run(bank, "session/init/payment", card_payment(amount=200_000))
    body = {"session_id": session["id"], "amount_details": {"amount": 131313, "currency": "rub"}}
    await bank.session("session/refund", body)
    session = await bank.wait(
        session["id"], lambda s: s["payment_list"][0]["refunds"][0]["status"] != "in_progress"
    )
    assert session["payment_list"][0]["refunds"][0]["status"] == "declined"


def test_outcome_function_is_pure() -> None:
    assert payout_failure(Facts("card", "4242"), 100, None, 1_000) is None
    failure = payout_failure(Facts("card", "4242"), 100, None, 99)
    assert failure is not None
    assert failure.code == "insufficient_wallet_balance"
