"""Escrow (nominal) and settlement (rko) payouts: the paying account, confirm_information."""

from __future__ import annotations

from typing import Any

import pytest

from bank131_async.mock import MockBankApp
from tests.mock.mockbank_helpers import Bank

pytestmark = pytest.mark.anyio

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
