"""Receipts, card tokenization and statements: ``fiscalization``, ``tokenize/elements`` and
``report/account_statement``.

* ``fiscalization`` registers a self-employed person's receipt in a created session without
  moving money: the operation is auto-confirmed and free like an FPS verification, finishes
  through the state machine (so the tax-reference outcomes apply: INN ending ``0000`` -> not
  bound, ``9999`` -> over the annual limit) and carries the receipt afterwards.
* ``tokenize/elements`` answers ``{"status": "ok", "token": ...}`` -- the bank does not document
  the reply, this is the shape the SDK reads. The token is deterministic and ends with the
  card's last four digits, so a payout to the tokenized card meets the same outcome as a payout
  to the card itself.
* ``report/account_statement`` lists the day's successful payouts (``debet``) and incoming
  payments (``credit``) from the journal, nested under ``method`` as in the newest docs.
"""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

from . import validate as v
from .context import Context, find_session, session_reply
from .lifecycle import Call, require
from .outcomes import Facts
from .wire import dumps, invalid

__all__ = ["account_statement", "fiscalization", "tokenize_elements"]

#: No money moves: the machine's "verification" channel is the free, auto-confirmed one.
_NO_MONEY = "verification"


def fiscalization(ctx: Context, body: dict[str, Any], version: int, key: str | None) -> bytes:
    session = find_session(ctx, body)
    require(session, Call.START)
    v.reject_other_spelling(body, version)
    amount = currency = None
    if body.get("amount_details") is not None:
        amount, currency = v.amount_details(body["amount_details"])
    details, inn = v.fiscalization_details(
        body.get("fiscalization_details"), amount, "fiscalization_details"
    )
    if amount is None:
        amount = _services_total(details)
    instrument: dict[str, Any] = {}
    if body.get("payment_method") is not None:
        instrument, _ = v.payout_instrument(body["payment_method"], "payment_method")
    echo: dict[str, Any] = {"fiscalization_details": details}
    if body.get("participant_details") is not None:
        echo["participant_details"] = v.participant_details(body["participant_details"])
    if body.get("customer") is not None:
        echo["customer"] = v.customer(body["customer"])
    if "metadata" in body:
        echo["metadata"] = body["metadata"]
    op = ctx.state.new_operation(
        "payout",
        (amount, currency or "rub"),
        instrument,
        Facts(_NO_MONEY),
        echo,
        key,
        tax_reference=inn,
    )
    ctx.machine.start_verification(session, op)
    return session_reply(session, version)


def _services_total(details: dict[str, Any]) -> int:
    services = details["professional_income_taxpayer"]["services"]
    return sum(s["amount_details"]["amount"] * s.get("quantity", 1) for s in services)


def tokenize_elements(ctx: Context, body: dict[str, Any], version: int, key: str | None) -> bytes:
    elements = body.get("elements")
    if not isinstance(elements, list) or not elements:
        raise invalid("elements", "expected a non-empty array of CardElements")
    pan: str | None = None
    for i, element in enumerate(elements):
        path = f"elements[{i}]"
        item = v.obj(element, path)
        if item.get("ref") != "number":
            raise invalid(f"{path}.ref", "expected 'number'")
        if item.get("type") != "card_number":
            raise invalid(f"{path}.type", "expected 'card_number'")
        pan = v.digits(item.get("card_number"), f"{path}.card_number", range(14, 20))
    assert pan is not None
    token = hashlib.sha256(f"card:{pan}".encode()).hexdigest()[:28] + pan[-4:]
    return dumps({"status": "ok", "token": token})


def _day(value: Any, path: str) -> str:
    text = v.string(value, path)
    try:
        if len(text) == 10:
            return date.fromisoformat(text).isoformat()
    except ValueError:
        pass
    raise invalid(path, "expected a date as YYYY-MM-DD")


def account_statement(ctx: Context, body: dict[str, Any], version: int, key: str | None) -> bytes:
    day = _day(body.get("date_from"), "date_from")
    if _day(body.get("date_to"), "date_to") != day:
        raise invalid("date_to", "must equal date_from (one-day statements only)")
    number = v.digits(body.get("account_number"), "account_number", (20,))
    lines: list[dict[str, Any]] = []
    turnover = {"debet": 0, "credit": 0}
    for entry in ctx.state.journal:
        if not entry.at.startswith(day):
            continue
        if entry.event == "payout_succeeded":
            kind = "debet"
        elif entry.event == "payment_succeeded":
            kind = "credit"
        else:
            continue
        turnover[kind] += entry.amount
        lines.append(
            {
                "amount": entry.amount,
                "currency": entry.currency.upper(),
                "payment_date": day,
                "bank_system_id": entry.operation_id,
                "transaction_id": entry.operation_id,
                "session_id": entry.session_id,
                "purpose": f"{'Payout' if kind == 'debet' else 'Payment'} {entry.operation_id}",
                "counter_party": {
                    "name": "Mock counterparty",
                    "account_number": "40817810000000000000",
                    "bank_code": "044525974",
                },
                "type": kind,
            }
        )
    closing = ctx.state.wallet_balance
    statement = {
        "date_from": day,
        "date_to": day,
        "account_number": number,
        "total_turnover": turnover,
        "total_balance": {
            "opening": closing + turnover["debet"] - turnover["credit"],
            "closing": closing,
        },
        "transactions": lines,
    }
    return dumps(
        {"status": "ok", "method": {"name": "account_statement", "account_statement": statement}}
    )
