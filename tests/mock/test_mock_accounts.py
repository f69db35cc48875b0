"""Escrow (nominal) and settlement (rko) payouts: the paying account, confirm_information."""

from __future__ import annotations

from typing import Any

import pytest

from bank131_async.mock import MockBankApp
from tests.mock.mockbank_helpers import Bank, card_payout

pytestmark = pytest.mark.asyncio

ESCROW = "40702810400000000333"


def _body(kind: str, **sender: str) -> dict[str, Any]:
    ru = {
        "bik": "044525974",
        "account": "40817810000000001234",
        "full_name": "Ivan Ivanov",
        "description": "Payout under contract 1",
    }
    recipient = {"full_name": "Ivan Ivanov"}
    if kind == "nominal":
        recipient["beneficiary_id"] = "123456789012"
    return {
        "payment_method": {"type": "bank_account", "bank_account": {"system_type": "ru", "ru": ru}},
        "amount_details": {"amount": 50_000, "currency": "rub"},
        "participant_details": {"sender": {"account": ESCROW, **sender}, "recipient": recipient},
    }


@pytest.mark.parametrize("kind", ["nominal", "rko"])
async def test_confirm_information_round_trip(bank: Bank, mock_app: MockBankApp, kind: str) -> None:
    sid = (await bank.session(f"session/init/payout/{kind}", _body(kind), version=1))["id"]
    await bank.wait_action(sid, "confirm", version=1)
    response = await bank.call("session/status", {"session_id": sid}, version=1)
    info = response.json()["confirm_information"]
    assert info["transfer_details"]["amount"] == {"amount": 50_000, "currency": "rub"}
    assert info["transfer_details"]["customer"]["account_number"] == ESCROW
    assert info["transfer_details"]["payment_method"]["type"] == "bank_account"
    status, code, description = await bank.error("session/confirm", {"session_id": sid}, version=1)
    assert (status, code) == (400, "invalid_request")
    assert description.startswith("confirm_information")
    await bank.session(
        "session/confirm", {"session_id": sid, "confirm_information": info}, version=1
    )
    final = await bank.wait_final(sid, version=1)
    assert final["status"] == "accepted"
    response = await bank.call("session/status", {"session_id": sid}, version=1)
    assert "confirm_information" not in response.json()
    assert mock_app.state.paid_out() == 50_000


@pytest.mark.parametrize(
    ("kind", "strip", "named"),
    [
        ("rko", "sender.account", "participant_details.sender.account"),
        ("nominal", "recipient.beneficiary_id", "participant_details.recipient.beneficiary_id"),
    ],
)
async def test_account_payouts_need_their_participants(
    bank: Bank, kind: str, strip: str, named: str
) -> None:
    body = _body(kind)
    role, key = strip.split(".")
    del body["participant_details"][role][key]
    status, code, description = await bank.error(f"session/init/payout/{kind}", body, version=1)
    assert (status, code) == (400, "invalid_request")
    assert description.startswith(named)


async def test_start_must_match_the_created_kind(bank: Bank) -> None:
    created = await bank.session("session/create/nominal", {}, version=1)
    body = {"session_id": created["id"], **_body("rko")}
    status, code, _ = await bank.error("session/start/payout/rko", body, version=1)
    assert (status, code) == (400, "session_wrong_state")
    body = {"session_id": created["id"], **_body("nominal")}
    started = await bank.session("session/start/payout/nominal", body, version=1)
    assert started["status"] == "in_progress"


async def _ready(bank: Bank, kind: str = "rko") -> tuple[str, dict[str, Any]]:
    """An account payout waiting for confirm, and the confirm_information the bank issued."""
    sid = (await bank.session(f"session/init/payout/{kind}", _body(kind), version=1))["id"]
    await bank.wait_action(sid, "confirm", version=1)
    response = await bank.call("session/status", {"session_id": sid}, version=1)
    info: dict[str, Any] = response.json()["confirm_information"]
    return sid, info


def _altered(info: dict[str, Any], **transfer: Any) -> dict[str, Any]:
    return {**info, "transfer_details": {**info["transfer_details"], **transfer}}


@pytest.mark.parametrize("call", ["session/confirm", "session/cancel"])
@pytest.mark.parametrize(
    "mangle",
    [
        lambda info: _altered(info, purpose="Something else"),
        lambda info: _altered(info, amount={"amount": 1, "currency": "rub"}),
        # the v2 spelling of the instrument, sent to /api/v1
        lambda info: _altered(
            {
                **info,
                "transfer_details": {
                    k: v for k, v in info["transfer_details"].items() if k != "payment_method"
                },
            },
            payout_details=info["transfer_details"]["payment_method"],
        ),
        lambda info: {},
    ],
    ids=["purpose", "amount", "spelling", "empty"],
)
async def test_a_mangled_echo_is_refused(
    bank: Bank, mock_app: MockBankApp, call: str, mangle: Any
) -> None:
    sid, info = await _ready(bank)
    body = {"session_id": sid, "confirm_information": mangle(info)}
    status, code, description = await bank.error(call, body, version=1)
    assert (status, code, description) == (
        400,
        "invalid_request",
        "confirm_information: differs from the one the bank issued: echo it unchanged",
    )
    session = mock_app.state.sessions[sid]
    assert (session.next_action, session.cancelling) == ("confirm", False)


async def test_cancel_with_the_echo_cancels(bank: Bank, mock_app: MockBankApp) -> None:
    sid, info = await _ready(bank, "nominal")
    await bank.session(
        "session/cancel", {"session_id": sid, "confirm_information": info}, version=1
    )
    assert (await bank.wait_final(sid, version=1))["status"] == "cancelled"
    assert mock_app.state.paid_out() == 0


async def test_an_unknown_key_in_the_echo_is_named(bank: Bank) -> None:
    sid, info = await _ready(bank)
    body = {"session_id": sid, "confirm_information": _altered(info, purpse="x")}
    status, code, description = await bank.error("session/confirm", body, version=1)
    assert (status, code, description) == (
        400,
        "invalid_request",
        "confirm_information.transfer_details.purpse: unknown field",
    )


@pytest.mark.parametrize("call", ["session/confirm", "session/cancel"])
async def test_an_echo_the_bank_never_issued_is_refused(bank: Bank, call: str) -> None:
    """Plain payouts get no confirm_information; sending one means the client mixed sessions."""
    sid = (await bank.session("session/init/payout", card_payout(amount=1_000)))["id"]
    await bank.wait_action(sid, "confirm")
    info = {"transfer_details": {"purpose": "x"}}
    status, code, description = await bank.error(
        call, {"session_id": sid, "confirm_information": info}
    )
    assert (status, code, description) == (
        400,
        "invalid_request",
        f"confirm_information: the bank issued none for session {sid}",
    )
    await bank.session("session/confirm", {"session_id": sid})  # without it: fine
