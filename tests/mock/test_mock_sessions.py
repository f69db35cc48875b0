"""Session flows through the state machine, in-process over ASGITransport."""

from __future__ import annotations

import re
from typing import Any

import pytest

from bank131_async.mock import MockBankApp
from tests.mock.mockbank_helpers import CARD, Bank, card_payment, card_payout

pytestmark = pytest.mark.asyncio

TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")


async def test_payout_two_step_flow(bank: Bank, mock_app: MockBankApp) -> None:
    session = await bank.session("session/init/payout", card_payout(amount=12_345))
    assert session["id"].startswith("ps_")
    assert session["status"] == "in_progress"
    assert "next_action" not in session
    [payout] = session["payout_list"]
    assert payout["id"].startswith("po_")
    assert payout["status"] == "in_progress"
    assert payout["payout_details"] == {
        "type": "card",
        "card": {"brand": "visa", "last4": "4242", "bin": "424242"},
    }
    assert TIMESTAMP.match(session["created_at"])
    assert TIMESTAMP.match(payout["created_at"])

    session = await bank.wait_action(session["id"], "confirm")
    assert session["payout_list"][0]["status"] == "pending"
    balance = mock_app.state.wallet_balance

    session = await bank.session("session/confirm", {"session_id": session["id"]})
    assert "next_action" not in session
    assert session["payout_list"][0]["status"] == "in_progress"

    session = await bank.wait_final(session["id"])
    assert session["status"] == "accepted"
    payout = session["payout_list"][0]
    assert payout["status"] == "succeeded"
    assert TIMESTAMP.match(payout["finished_at"])
    assert payout["transaction_info"]["rrn"]
    assert mock_app.state.wallet_balance == balance - 12_345
    assert mock_app.state.paid_out() == 12_345


async def test_v1_spelling(bank: Bank) -> None:
    session = await bank.session("session/init/payout", card_payout(version=1), version=1)
    assert "payout_list" not in session
    [payout] = session["payments"]
    assert payout["payment_method"]["card"]["last4"] == "4242"
    v2 = await bank.session("session/status", {"session_id": session["id"]}, version=2)
    assert v2["payout_list"][0]["payout_details"]["card"]["last4"] == "4242"


async def test_create_then_start_payout_merges_fields(bank: Bank) -> None:
    body = card_payout()
    amount = body.pop("amount_details")
    created = await bank.session("session/create", body)
    assert created["status"] == "created"
    assert "payout_list" not in created
    started = await bank.session(
        "session/start/payout", {"session_id": created["id"], "amount_details": amount}
    )
    assert started["status"] == "in_progress"
    assert started["payout_list"][0]["amount_details"] == amount
    status, code, _ = await bank.error(
        "session/start/payout", {"session_id": created["id"], "amount_details": amount}
    )
    assert (status, code) == (400, "session_wrong_state")


async def test_responses_never_echo_pan_or_cvc(bank: Bank) -> None:
    payout = await bank.call("session/init/payout", card_payout())
    payment = await bank.call("session/init/payment", card_payment())
    for response in (payout, payment):
        assert CARD not in response.text
        assert '"123"' not in response.text
        assert "security_code" not in response.text
        assert "expiration" not in response.text


async def test_card_payment_immediate_capture(bank: Bank) -> None:
    session = await bank.session("session/init/payment", card_payment(amount=5_000))
    [payment] = session["payment_list"]
    assert payment["id"].startswith("pm_")
    assert payment["customer"] == {"reference": "user-1"}
    session = await bank.wait_action(session["id"], "confirm")
    session = await bank.session("session/confirm", {"session_id": session["id"]})
    interaction = session["payment_list"][0]["customer_interaction"]
    assert interaction["type"] == "redirect"
    assert interaction["redirect"]["base_url"].startswith("https://")
    session = await bank.wait_final(session["id"])
    assert session["status"] == "accepted"
    assert session["payment_list"][0]["status"] == "succeeded"
    assert "customer_interaction" not in session["payment_list"][0]


async def test_v1_payment_spelling(bank: Bank) -> None:
    session = await bank.session("session/init/payment", card_payment(), version=1)
    assert session["acquiring_payments"][0]["payment_details"]["card"]["last4"] == "4242"


async def test_delayed_capture_partial(bank: Bank, mock_app: MockBankApp) -> None:
    mock_app.config.delayed_capture = True
    session = await bank.session("session/init/payment", card_payment(amount=10_000))
    sid = session["id"]
    await bank.wait_action(sid, "confirm")
    await bank.session("session/confirm", {"session_id": sid})
    session = await bank.wait_action(sid, "capture")
    assert session["payment_list"][0]["status"] == "pending"
    too_much = {"session_id": sid, "amount_details": {"amount": 10_001, "currency": "rub"}}
    status, code, description = await bank.error("session/capture", too_much)
    assert (status, code) == (400, "invalid_request")
    assert description.startswith("amount_details.amount")
    partial = {"session_id": sid, "amount_details": {"amount": 7_000, "currency": "rub"}}
    session = await bank.session("session/capture", partial)
    assert "next_action" not in session
    session = await bank.wait_final(sid)
    assert session["status"] == "accepted"
    assert session["payment_list"][0]["amount_details"]["amount"] == 7_000


async def test_capture_without_hold_is_wrong_state(bank: Bank) -> None:
    session = await bank.session("session/init/payment", card_payment())
    status, code, _ = await bank.error("session/capture", {"session_id": session["id"]})
    assert (status, code) == (400, "session_wrong_state")


async def test_cancel_before_confirm(bank: Bank, mock_app: MockBankApp) -> None:
    session = await bank.session("session/init/payout", card_payout())
    sid = session["id"]
    await bank.wait_action(sid, "confirm")
    replied = await bank.session("session/cancel", {"session_id": sid})
    assert replied["status"] == "in_progress"  # the bank cancels after answering
    status, code, _ = await bank.error("session/confirm", {"session_id": sid})
    assert (status, code) == (400, "session_wrong_state")
    session = await bank.wait_final(sid)
    assert session["status"] == "cancelled"
    assert session["error"]["code"] == "session_cancelled_by_partner"
    assert session["payout_list"][0]["status"] == "failed"
    assert mock_app.state.paid_out() == 0


async def test_cancel_created_session(bank: Bank) -> None:
    created = await bank.session("session/create", {})
    await bank.session("session/cancel", {"session_id": created["id"]})
    session = await bank.wait_final(created["id"])
    assert session["status"] == "cancelled"


async def test_calls_after_the_end_are_wrong_state(bank: Bank) -> None:
    session = await bank.session("session/init/payout", card_payout())
    sid = session["id"]
    await bank.wait_action(sid, "confirm")
    await bank.session("session/confirm", {"session_id": sid})
    await bank.wait_final(sid)
    for method in ("session/confirm", "session/cancel", "session/capture", "session/refund"):
        status, code, _ = await bank.error(method, {"session_id": sid})
        assert (status, code) == (400, "session_wrong_state"), method


async def test_confirm_too_early_is_wrong_state(bank: Bank) -> None:
    session = await bank.session("session/init/payout", card_payout())
    status, code, description = await bank.error("session/confirm", {"session_id": session["id"]})
    assert (status, code) == (400, "session_wrong_state")
    assert session["id"] in description


async def _paid(bank: Bank, amount: int = 10_000) -> str:
    session = await bank.session("session/init/payment", card_payment(amount=amount))
    sid: str = session["id"]
    await bank.wait_action(sid, "confirm")
    await bank.session("session/confirm", {"session_id": sid})
    assert (await bank.wait_final(sid))["status"] == "accepted"
    return sid


def _refunds(session: Any) -> list[Any]:
    refunds: list[Any] = session["payment_list"][0].get("refunds", [])
    return refunds


async def test_partial_refunds_are_capped(bank: Bank, mock_app: MockBankApp) -> None:
    sid = await _paid(bank)
    part = {"session_id": sid, "amount_details": {"amount": 6_000, "currency": "rub"}}
    session = await bank.session("session/refund", part)
    [refund] = _refunds(session)
    assert refund["id"].startswith("rf_")
    assert refund["status"] == "in_progress"
    status, code, _ = await bank.error("session/refund", part)
    assert (status, code) == (400, "refund_amount_too_large")
    session = await bank.session("session/refund", {"session_id": sid})  # the rest
    assert [r["amount_details"]["amount"] for r in _refunds(session)] == [6_000, 4_000]
    session = await bank.wait(sid, lambda s: all(r["status"] == "accepted" for r in _refunds(s)))
    assert session["status"] == "accepted"
    assert [e.amount for e in mock_app.state.entries("refund_accepted")] == [6_000, 4_000]
    status, code, _ = await bank.error("session/refund", {"session_id": sid})
    assert code == "refund_amount_too_large"


async def test_refund_of_payout_is_wrong_state(bank: Bank) -> None:
    session = await bank.session("session/init/payout", card_payout())
    await bank.wait_action(session["id"], "confirm")
    await bank.session("session/confirm", {"session_id": session["id"]})
    await bank.wait_final(session["id"])
    status, code, _ = await bank.error("session/refund", {"session_id": session["id"]})
    assert (status, code) == (400, "session_wrong_state")


async def test_chargeback(bank: Bank) -> None:
    sid = await _paid(bank, 3_000)
    session = await bank.session("session/chargeback", {"session_id": sid})
    [refund] = _refunds(session)
    assert refund["is_chargeback"] is True
    assert refund["amount_details"]["amount"] == 3_000


async def test_recurrent_token_after_payment(bank: Bank) -> None:
    body = card_payment(payment_options={"recurrent": True, "return_url": "https://x.test/"})
    session = await bank.session("session/init/payment", body)
    sid = session["id"]
    await bank.wait_action(sid, "confirm")
    await bank.session("session/confirm", {"session_id": sid})
    session = await bank.wait_final(sid)
    token = session["payment_list"][0]["recurrent"]["token"]
    response = await bank.call("recurrent/disable", {"recurrent": {"token": token}}, version=1)
    assert response.json()["recurrent"]["is_active"] is False


async def test_multi_session(bank: Bank, mock_app: MockBankApp) -> None:
    payment = card_payment(amount=20_000)
    del payment["customer"]
    body = {"payment_list": [payment], "payout_list": [card_payout(amount=19_000)]}
    session = await bank.session("session/multi/init", body)
    sid = session["id"]
    assert len(session["payment_list"]) == len(session["payout_list"]) == 1
    await bank.wait_action(sid, "confirm")
    await bank.session("session/confirm", {"session_id": sid})
    session = await bank.wait_final(sid)
    assert session["status"] == "accepted"
    assert session["payout_list"][0]["status"] == "succeeded"
    assert mock_app.state.paid_out() == 19_000


async def test_multi_payout_fails_when_payment_leg_fails(bank: Bank) -> None:
    payment = card_payment(number="4000000000000002")
    body = {"payment_list": [payment], "payout_list": [card_payout()]}
    sid = (await bank.session("session/multi/init", body))["id"]
    await bank.wait_action(sid, "confirm")
    await bank.session("session/confirm", {"session_id": sid})
    session = await bank.wait_final(sid)
    assert session["status"] == "cancelled"
    assert session["payout_list"][0]["error"]["code"] == "operation_rejected"


def _fiscal(amount: int, inn: str = "123456789012") -> dict[str, Any]:
    body = card_payout(amount=amount)
    service = {"name": "Design", "amount_details": {"amount": amount // 2, "currency": "rub"}}
    body["fiscalization_details"] = {
        "professional_income_taxpayer": {
            "tax_reference": inn,
            "services": [{**service, "quantity": 2}],
        }
    }
    return body


async def test_fiscalized_payout_gets_a_receipt(bank: Bank) -> None:
    session = await bank.session("session/init/payout/fiscalization", _fiscal(10_000))
    sid = session["id"]
    await bank.wait_action(sid, "confirm")
    await bank.session("session/confirm", {"session_id": sid})
    session = await bank.wait_final(sid)
    taxpayer = session["payout_list"][0]["fiscalization_details"]["professional_income_taxpayer"]
    assert taxpayer["receipt"]["id"].startswith("rc_")


async def test_fiscalization_sum_must_match(bank: Bank) -> None:
    body = _fiscal(10_000)
    body["amount_details"]["amount"] = 10_002
    status, code, description = await bank.error("session/init/payout/fiscalization", body)
    assert (status, code) == (400, "invalid_request")
    assert "services" in description


async def test_fiscalization_variant_requires_details(bank: Bank) -> None:
    status, code, description = await bank.error("session/init/payout/fiscalization", card_payout())
    assert (status, code) == (400, "invalid_request")
    assert description.startswith("fiscalization_details")


def _verification(phone: str) -> dict[str, Any]:
    fps = {"phone": phone, "bank_id": "100000000111"}
    return {
        "payout_details": {
            "type": "bank_account",
            "bank_account": {
                "system_type": "faster_payment_system_verification",
                "faster_payment_system_verification": fps,
            },
        },
        "participant_details": {"recipient": {"first_name": "Ivan", "last_name": "Ivanov"}},
    }


@pytest.mark.parametrize(
    ("phone", "final"), [("79991234567", "accepted"), ("79991230000", "cancelled")]
)
async def test_fps_customer_verification(bank: Bank, phone: str, final: str) -> None:
    session = await bank.session("fps/customer_verification", _verification(phone))
    session = await bank.wait_final(session["id"])
    assert session["status"] == final
    assert "next_action" not in session


async def test_unknown_session_is_404(bank: Bank) -> None:
    status, code, description = await bank.error("session/status", {"session_id": "ps_nope"})
    assert (status, code) == (404, "invalid_request")
    assert "ps_nope" in description


def _with(body: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    *parents, last = path.split(".")
    node = body
    for part in parents:
        node = node[part]
    if value is ...:
        del node[last]
    else:
        node[last] = value
    return body


@pytest.mark.parametrize(
    ("path", "value", "named"),
    [
        ("amount_details.amount", 100.0, "amount_details.amount"),
        ("amount_details.amount", True, "amount_details.amount"),
        ("amount_details.amount", -5, "amount_details.amount"),
        ("amount_details.amount", 0, "amount_details.amount"),
        ("amount_details.amount", "100", "amount_details.amount"),
        ("amount_details.currency", 643, "amount_details.currency"),
        ("amount_details", ..., "amount_details"),
        ("payout_details", ..., "payout_details"),
        ("payout_details.type", "cash", "payout_details.type"),
        ("payout_details.card.bank_card.number", "4242", "payout_details.card.bank_card.number"),
        ("participant_details", ..., "participant_details.recipient.full_name"),
    ],
)
async def test_payout_validation_names_the_field(
    bank: Bank, path: str, value: Any, named: str
) -> None:
    status, code, description = await bank.error(
        "session/init/payout", _with(card_payout(), path, value)
    )
    assert (status, code) == (400, "invalid_request")
    assert description.startswith(named + ":"), description


async def test_v1_key_in_v2_request_is_rejected(bank: Bank) -> None:
    status, code, description = await bank.error("session/init/payout", card_payout(version=1))
    assert (status, code) == (400, "invalid_request")
    assert description.startswith("payment_method:")


@pytest.mark.parametrize(
    ("path", "named"),
    [
        ("customer", "customer"),
        ("payment_details.card.bank_card.security_code", "payment_details.card.bank_card"),
    ],
)
async def test_payment_validation(bank: Bank, path: str, named: str) -> None:
    status, code, description = await bank.error(
        "session/init/payment", _with(card_payment(), path, ...)
    )
    assert (status, code) == (400, "invalid_request")
    assert description.startswith(named)


async def test_invalid_request_creates_nothing(bank: Bank, mock_app: MockBankApp) -> None:
    await bank.error("session/init/payout", _with(card_payout(), "amount_details.amount", 1.5))
    assert mock_app.state.sessions == {}
    assert mock_app.state.journal == []


async def test_wallet_balance_endpoint(bank: Bank, mock_app: MockBankApp) -> None:
    response = await bank.call("wallet/balance", {"request_datetime": "2026-01-01"}, version=1)
    [wallet] = response.json()["wallets"]
    assert wallet["amount_details"] == {"amount": mock_app.state.wallet_balance, "currency": "rub"}
