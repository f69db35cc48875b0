"""Card payouts from an escrow (``nominal``) or settlement (``rko``) account: the ``multi``
session variants ``session/multi/{create,init/payment,start/payment}/{nominal,rko}`` (v1).

A request carries the card in ``payment_method`` and the debit of the account in
``payment_details = {type: "internal_transfer", internal_transfer: {type:
"transfer_from_nominal_account" | "transfer_from_bank_account", <type>: {description}}}``.
Card payouts need ``participant_details.recipient.full_name``; escrow ones also
``participant_details.sender.beneficiary_id`` (the beneficiary's INN). The session then runs
like the other account payouts: ``ready_to_confirm`` with ``confirm_information``, which
``session/confirm`` must echo.
"""

from __future__ import annotations

from typing import Any

from . import shapes
from . import validate as v
from .context import Context, Handler, Method, find_session, session_reply
from .lifecycle import Call, require
from .ops import collect, payout_op
from .state import Session
from .wire import invalid, wrong_state

__all__ = ["METHODS"]

_TRANSFER_TYPES = {
    "nominal": "transfer_from_nominal_account",
    "rko": "transfer_from_bank_account",
}


def _check_transfer(body: dict[str, Any], kind: str, *, required: bool) -> None:
    details = body.get("payment_details")
    if details is None:
        if required:
            raise invalid("payment_details", "required (the internal transfer from the account)")
        return
    path = "payment_details"
    details = v.obj(details, path)
    if details.get("type") != "internal_transfer":
        raise invalid(f"{path}.type", "expected 'internal_transfer'")
    transfer = v.obj(details.get("internal_transfer"), f"{path}.internal_transfer")
    expected = _TRANSFER_TYPES[kind]
    if transfer.get("type") != expected:
        raise invalid(f"{path}.internal_transfer.type", f"expected {expected!r} for {kind}")
    described = v.obj(transfer.get(expected), f"{path}.internal_transfer.{expected}")
    v.string(described.get("description"), f"{path}.internal_transfer.{expected}.description")


def _check_parties(fields: dict[str, Any], kind: str) -> None:
    if kind != "nominal":
        return
    sender = (fields.get("participant_details") or {}).get("sender") or {}
    v.digits(sender.get("beneficiary_id"), "participant_details.sender.beneficiary_id", (10, 12))


def _start(
    ctx: Context, session: Session, fields: dict[str, Any], kind: str, key: str | None
) -> None:
    if fields.get("payout") is not None and fields["payout"][1].channel != "card":
        raise invalid("payment_method.type", "the multi variants pay out to cards")
    _check_parties(fields, kind)
    op = payout_op(ctx, fields, 1, key)
    session.account_kind = kind
    ctx.machine.start(session, [], [op])


def _fields(body: dict[str, Any], kind: str, version: int, *, required: bool) -> dict[str, Any]:
    """The session fields of a multi request; the account debit is checked, not kept."""
    _check_transfer(body, kind, required=required)
    fields = collect(body, version)
    fields.pop("payment", None)
    return fields


def _create(kind: str) -> Handler:
    def handler(ctx: Context, body: dict[str, Any], version: int, key: str | None) -> bytes:
        fields = _fields(body, kind, version, required=False)
        session = ctx.state.new_session()
        session.draft = fields
        session.account_kind = kind
        session.multi = True
        return session_reply(session, version)

    return handler


def _init(kind: str) -> Handler:
    def handler(ctx: Context, body: dict[str, Any], version: int, key: str | None) -> bytes:
        fields = _fields(body, kind, version, required=True)
        session = ctx.state.new_session()
        _start(ctx, session, fields, kind, key)
        return session_reply(session, version)

    return handler


def _start_existing(kind: str) -> Handler:
    def handler(ctx: Context, body: dict[str, Any], version: int, key: str | None) -> bytes:
        session = find_session(ctx, body)
        if not session.multi or session.account_kind != kind:
            raise wrong_state(
                f"session {session.id} was not created by session/multi/create/{kind}"
            )
        require(session, Call.START)
        fields = _fields(body, kind, version, required=False)
        _start(ctx, session, {**(session.draft or {}), **fields}, kind, key)
        return session_reply(session, version)

    return handler


#: v1 method name -> method
METHODS: dict[str, Method] = {}
for _kind in _TRANSFER_TYPES:
    METHODS[f"session/multi/create/{_kind}"] = Method(_create(_kind), shapes.NEW_SESSION, True)
    METHODS[f"session/multi/init/payment/{_kind}"] = Method(_init(_kind), shapes.NEW_SESSION, True)
    METHODS[f"session/multi/start/payment/{_kind}"] = Method(
        _start_existing(_kind), shapes.START_SESSION, True
    )
