"""The session methods: check the body, act on the state machine, render the reply.

Each handler has the :data:`~.context.Handler` signature; the checks that make a payout or a
payment are shared with the other products in :mod:`.ops`.
"""

from __future__ import annotations

from typing import Any

from . import validate as v
from .context import Context, Handler, find_session, session_reply
from .lifecycle import Call, require
from .ops import collect, echo, payment_op, payout_key, payout_op
from .wire import dumps, invalid, wrong_state

# The handler records, re-exported for code that calls handlers directly (the benchmarks).
__all__ = ["Context", "Handler"]

# -- sessions -------------------------------------------------------------------------------


def _init_payout(fiscal: bool, account_kind: str | None = None) -> Handler:
    def handler(ctx: Context, body: dict[str, Any], version: int, key: str | None) -> bytes:
        fields = collect(body, version)
        op = payout_op(ctx, fields, version, key, fiscal=fiscal, account_kind=account_kind)
        session = ctx.state.new_session()
        session.account_kind = account_kind
        ctx.machine.start(session, [], [op])
        return session_reply(session, version)

    return handler


def _start_payout(fiscal: bool, account_kind: str | None = None) -> Handler:
    def handler(ctx: Context, body: dict[str, Any], version: int, key: str | None) -> bytes:
        session = find_session(ctx, body)
        require(session, Call.START)
        if session.account_kind != account_kind:
            raise wrong_state(
                f"session {session.id} was created for {session.account_kind or 'plain'} "
                f"payouts, not {account_kind or 'plain'} ones"
            )
        fields = {**(session.draft or {}), **collect(body, version)}
        op = payout_op(ctx, fields, version, key, fiscal=fiscal, account_kind=account_kind)
        ctx.machine.start(session, [], [op])
        return session_reply(session, version)

    return handler


def _create(account_kind: str | None) -> Handler:
    def handler(ctx: Context, body: dict[str, Any], version: int, key: str | None) -> bytes:
        fields = collect(body, version)
        session = ctx.state.new_session()
        session.draft = fields
        session.account_kind = account_kind
        return session_reply(session, version)

    return handler


def init_payment(ctx: Context, body: dict[str, Any], version: int, key: str | None) -> bytes:
    op = payment_op(ctx, collect(body, version), key)
    session = ctx.state.new_session()
    ctx.machine.start(session, [op], [])
    return session_reply(session, version)


def start_payment(ctx: Context, body: dict[str, Any], version: int, key: str | None) -> bytes:
    session = find_session(ctx, body)
    require(session, Call.START)
    op = payment_op(ctx, {**(session.draft or {}), **collect(body, version)}, key)
    ctx.machine.start(session, [op], [])
    return session_reply(session, version)


def multi_init(ctx: Context, body: dict[str, Any], version: int, key: str | None) -> bytes:
    lists: dict[str, list[Any]] = {}
    for name in ("payment_list", "payout_list"):
        items = body.get(name)
        if not isinstance(items, list) or not items:
            raise invalid(name, "expected a non-empty array")
        lists[name] = [v.obj(item, f"{name}[{i}]") for i, item in enumerate(items)]
    payments = [
        payment_op(
            ctx,
            collect(item, version, f"payment_list[{i}]."),
            key,
            prefix=f"payment_list[{i}].",
            need_customer=False,
        )
        for i, item in enumerate(lists["payment_list"])
    ]
    payouts = [
        payout_op(
            ctx,
            collect(item, version, f"payout_list[{i}]."),
            version,
            key,
            prefix=f"payout_list[{i}].",
        )
        for i, item in enumerate(lists["payout_list"])
    ]
    session = ctx.state.new_session()
    ctx.machine.start(session, payments, payouts)
    return session_reply(session, version)


def confirm(ctx: Context, body: dict[str, Any], version: int, key: str | None) -> bytes:
    session = find_session(ctx, body)
    ctx.machine.confirm(session, v.optional_obj(body, "confirm_information"), version)
    return session_reply(session, version)


def cancel(ctx: Context, body: dict[str, Any], version: int, key: str | None) -> bytes:
    session = find_session(ctx, body)
    ctx.machine.cancel(session, v.optional_obj(body, "confirm_information"), version)
    return session_reply(session, version)


def _optional_amount(body: dict[str, Any]) -> tuple[int | None, str | None]:
    if body.get("amount_details") is None:
        return None, None
    return v.amount_details(body["amount_details"])


def capture(ctx: Context, body: dict[str, Any], version: int, key: str | None) -> bytes:
    session = find_session(ctx, body)
    ctx.machine.capture(session, *_optional_amount(body))
    return session_reply(session, version)


def refund(ctx: Context, body: dict[str, Any], version: int, key: str | None) -> bytes:
    session = find_session(ctx, body)
    ctx.machine.refund(session, *_optional_amount(body), body.get("metadata"))
    return session_reply(session, version)


def chargeback(ctx: Context, body: dict[str, Any], version: int, key: str | None) -> bytes:
    session = find_session(ctx, body)
    ctx.machine.refund(session, None, None, None, chargeback=True)
    return session_reply(session, version)


def status(ctx: Context, body: dict[str, Any], version: int, key: str | None) -> bytes:
    return session_reply(find_session(ctx, body), version)


# -- FPS ------------------------------------------------------------------------------------


def fps_customer_verification(
    ctx: Context, body: dict[str, Any], version: int, key: str | None
) -> bytes:
    fields = collect(body, version)
    instrument = fields.get("payout")
    path = payout_key(version)
    if instrument is None or instrument[1].channel != "verification":
        raise invalid(
            path,
            "expected a bank_account with system_type 'faster_payment_system_verification'",
        )
    recipient = (fields.get("participant_details") or {}).get("recipient")
    if not isinstance(recipient, dict):
        raise invalid("participant_details.recipient", "required")
    if body.get("session_id") is None:
        session = ctx.state.new_session()
    else:
        session = find_session(ctx, body)
        require(session, Call.START)
    masked, facts = instrument
    op = ctx.state.new_operation("payout", (0, "rub"), masked, facts, echo(fields), key)
    ctx.machine.start_verification(session, op)
    return session_reply(session, version)


_FPS_BANKS = dumps(
    {
        "status": "ok",
        "banks": [
            {"id": "100000000069", "eng_name": "Bank 131", "ru_name": "Банк 131"},
            {"id": "100000000111", "eng_name": "Sberbank", "ru_name": "Сбербанк"},
            {"id": "100000000004", "eng_name": "T-Bank", "ru_name": "Т-Банк"},
        ],
    }
)


def fps_banks(ctx: Context, body: dict[str, Any], version: int, key: str | None) -> bytes:
    return _FPS_BANKS


create = _create(None)
init_payout = _init_payout(fiscal=False)
init_payout_fiscalization = _init_payout(fiscal=True)
start_payout = _start_payout(fiscal=False)
start_payout_fiscalization = _start_payout(fiscal=True)
create_nominal = _create("nominal")
init_payout_nominal = _init_payout(fiscal=False, account_kind="nominal")
start_payout_nominal = _start_payout(fiscal=False, account_kind="nominal")
create_rko = _create("rko")
init_payout_rko = _init_payout(fiscal=False, account_kind="rko")
start_payout_rko = _start_payout(fiscal=False, account_kind="rko")
