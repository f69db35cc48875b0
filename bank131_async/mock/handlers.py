"""One function per bank method: check the body, act on the state machine, render the reply.

A handler gets the decoded JSON body, the API major version of the path and the idempotency
key, and returns the bytes of a 200 answer or raises :class:`~.wire.ApiFailure`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import validate as v
from .machine import Machine
from .state import MockState, Operation, Session
from .wire import ApiFailure, dumps, invalid, now_iso, wrong_state

__all__ = ["Context", "Handler", "Route"]


@dataclass(slots=True)
class Context:
    state: MockState
    machine: Machine


Handler = Callable[[Context, dict[str, Any], int, "str | None"], bytes]


@dataclass(frozen=True, slots=True)
class Route:
    handler: Handler
    version: int
    #: Mutating calls honour ``X-PARTNER-IDEMPOTENCY-KEY``; read-only ones ignore it.
    mutating: bool
    #: Method name without version, e.g. ``session/init/payout`` (fault rules match on it).
    name: str


_ECHOED = ("participant_details", "customer", "metadata", "payment_options", "revenue_split_info")


def _session_reply(session: Session, version: int) -> bytes:
    reply = b'{"status":"ok","session":' + session.json(version)
    confirm_information = session.confirm_information_for(version)
    if confirm_information is not None:
        reply += b',"confirm_information":' + dumps(confirm_information)
    return reply + b"}"


def find_session(ctx: Context, body: dict[str, Any]) -> Session:
    sid = v.session_id(body)
    session = ctx.state.sessions.get(sid)
    if session is None:
        raise ApiFailure(404, "invalid_request", f"session_id: unknown session {sid!r}")
    return session


def _payout_key(version: int) -> str:
    return "payment_method" if version == 1 else "payout_details"


def _collect(body: dict[str, Any], version: int, prefix: str = "") -> dict[str, Any]:
    """Checks and sanitises the optional session fields present in ``body``."""
    v.reject_other_spelling(body, version)
    fields: dict[str, Any] = {}
    key = _payout_key(version)
    if body.get(key) is not None:
        fields["payout"] = v.payout_instrument(body[key], prefix + key)
    if body.get("payment_details") is not None:
        fields["payment"] = v.payment_instrument(
            body["payment_details"], prefix + "payment_details"
        )
    if body.get("amount_details") is not None:
        fields["amount"] = v.amount_details(body["amount_details"], prefix + "amount_details")
    if body.get("participant_details") is not None:
        path = prefix + "participant_details"
        fields["participant_details"] = v.participant_details(body["participant_details"], path)
    if body.get("customer") is not None:
        fields["customer"] = v.customer(body["customer"], prefix + "customer")
    for key in ("payment_options", "fiscalization_details"):
        if body.get(key) is not None:
            fields[key] = v.obj(body[key], prefix + key)
    if body.get("revenue_split_info") is not None:
        if not isinstance(body["revenue_split_info"], list):
            raise invalid(prefix + "revenue_split_info", "expected an array")
        fields["revenue_split_info"] = body["revenue_split_info"]
    if "metadata" in body:
        fields["metadata"] = body["metadata"]
    return fields


def _echo(fields: dict[str, Any]) -> dict[str, Any]:
    return {k: fields[k] for k in _ECHOED if k in fields}


def _payout_op(
    ctx: Context,
    fields: dict[str, Any],
    version: int,
    key: str | None,
    *,
    prefix: str = "",
    fiscal: bool = False,
    account_kind: str | None = None,
) -> Operation:
    if account_kind is not None:
        _check_account_participants(fields.get("participant_details"), account_kind, prefix)
    instrument = fields.get("payout")
    if instrument is None:
        raise invalid(prefix + _payout_key(version), "required")
    amount = fields.get("amount")
    if amount is None:
        raise invalid(prefix + "amount_details", "required")
    masked, facts = instrument
    if facts.channel == "card" and not v.has_recipient_name(fields.get("participant_details")):
        raise invalid(
            prefix + "participant_details.recipient.full_name", "required for card payouts"
        )
    echo = _echo(fields)
    echo.pop("payment_options", None)
    tax_reference = None
    if fiscal or "fiscalization_details" in fields:
        path = prefix + "fiscalization_details"
        details, tax_reference = v.fiscalization_details(
            fields.get("fiscalization_details"), amount[0], path
        )
        echo["fiscalization_details"] = details
    return Operation(
        id=ctx.state.new_id("po"),
        kind="payout",
        created_at=now_iso(),
        amount=amount[0],
        currency=amount[1],
        instrument=masked,
        facts=facts,
        echo=echo,
        idempotency_key=key,
        tax_reference=tax_reference,
    )


def _payment_op(
    ctx: Context,
    fields: dict[str, Any],
    key: str | None,
    *,
    prefix: str = "",
    need_customer: bool = True,
) -> Operation:
    instrument = fields.get("payment")
    if instrument is None:
        raise invalid(prefix + "payment_details", "required")
    amount = fields.get("amount")
    if amount is None:
        raise invalid(prefix + "amount_details", "required")
    if need_customer and "customer" not in fields:
        raise invalid(prefix + "customer", "required for incoming payments")
    masked, facts = instrument
    return Operation(
        id=ctx.state.new_id("pm"),
        kind="payment",
        created_at=now_iso(),
        amount=amount[0],
        currency=amount[1],
        instrument=masked,
        facts=facts,
        echo=_echo(fields),
        idempotency_key=key,
    )


def _check_account_participants(
    participants: dict[str, Any] | None, account_kind: str, prefix: str
) -> None:
    """Escrow (nominal) and settlement (rko) payouts name the paying account, and escrow
    payouts the beneficiary's INN."""
    path = prefix + "participant_details"
    sender = (participants or {}).get("sender") or {}
    v.digits(sender.get("account"), f"{path}.sender.account", (20,))
    if account_kind == "nominal":
        recipient = (participants or {}).get("recipient") or {}
        if not (sender.get("beneficiary_id") or recipient.get("beneficiary_id")):
            raise invalid(f"{path}.recipient.beneficiary_id", "required for escrow payouts")


def _require_created(session: Session) -> None:
    if session.status != "created" or session.cancelling:
        raise wrong_state(f"start is not allowed: session {session.id} is {session.status}")


# -- sessions -------------------------------------------------------------------------------


def _init_payout(fiscal: bool, account_kind: str | None = None) -> Handler:
    def handler(ctx: Context, body: dict[str, Any], version: int, key: str | None) -> bytes:
        fields = _collect(body, version)
        op = _payout_op(ctx, fields, version, key, fiscal=fiscal, account_kind=account_kind)
        session = ctx.state.new_session()
        session.account_kind = account_kind
        ctx.machine.start(session, [], [op])
        return _session_reply(session, version)

    return handler


def _start_payout(fiscal: bool, account_kind: str | None = None) -> Handler:
    def handler(ctx: Context, body: dict[str, Any], version: int, key: str | None) -> bytes:
        session = find_session(ctx, body)
        _require_created(session)
        if session.account_kind != account_kind:
            raise wrong_state(
                f"session {session.id} was created for {session.account_kind or 'plain'} "
                f"payouts, not {account_kind or 'plain'} ones"
            )
        fields = {**(session.draft or {}), **_collect(body, version)}
        op = _payout_op(ctx, fields, version, key, fiscal=fiscal, account_kind=account_kind)
        ctx.machine.start(session, [], [op])
        return _session_reply(session, version)

    return handler


def _create(account_kind: str | None) -> Handler:
    def handler(ctx: Context, body: dict[str, Any], version: int, key: str | None) -> bytes:
        fields = _collect(body, version)
        session = ctx.state.new_session()
        session.draft = fields
        session.account_kind = account_kind
        return _session_reply(session, version)

    return handler


def init_payment(ctx: Context, body: dict[str, Any], version: int, key: str | None) -> bytes:
    op = _payment_op(ctx, _collect(body, version), key)
    session = ctx.state.new_session()
    ctx.machine.start(session, [op], [])
    return _session_reply(session, version)


def start_payment(ctx: Context, body: dict[str, Any], version: int, key: str | None) -> bytes:
    session = find_session(ctx, body)
    _require_created(session)
    op = _payment_op(ctx, {**(session.draft or {}), **_collect(body, version)}, key)
    ctx.machine.start(session, [op], [])
    return _session_reply(session, version)


def multi_init(ctx: Context, body: dict[str, Any], version: int, key: str | None) -> bytes:
    lists: dict[str, list[Any]] = {}
    for name in ("payment_list", "payout_list"):
        items = body.get(name)
        if not isinstance(items, list) or not items:
            raise invalid(name, "expected a non-empty array")
        lists[name] = [v.obj(item, f"{name}[{i}]") for i, item in enumerate(items)]
    payments = [
        _payment_op(
            ctx,
            _collect(item, version, f"payment_list[{i}]."),
            key,
            prefix=f"payment_list[{i}].",
            need_customer=False,
        )
        for i, item in enumerate(lists["payment_list"])
    ]
    payouts = [
        _payout_op(
            ctx,
            _collect(item, version, f"payout_list[{i}]."),
            version,
            key,
            prefix=f"payout_list[{i}].",
        )
        for i, item in enumerate(lists["payout_list"])
    ]
    session = ctx.state.new_session()
    ctx.machine.start(session, payments, payouts)
    return _session_reply(session, version)


def confirm(ctx: Context, body: dict[str, Any], version: int, key: str | None) -> bytes:
    session = find_session(ctx, body)
    ctx.machine.confirm(session, v.optional_obj(body, "confirm_information"))
    return _session_reply(session, version)


def cancel(ctx: Context, body: dict[str, Any], version: int, key: str | None) -> bytes:
    session = find_session(ctx, body)
    ctx.machine.cancel(session)
    return _session_reply(session, version)


def _optional_amount(body: dict[str, Any]) -> tuple[int | None, str | None]:
    if body.get("amount_details") is None:
        return None, None
    return v.amount_details(body["amount_details"])


def capture(ctx: Context, body: dict[str, Any], version: int, key: str | None) -> bytes:
    session = find_session(ctx, body)
    ctx.machine.capture(session, *_optional_amount(body))
    return _session_reply(session, version)


def refund(ctx: Context, body: dict[str, Any], version: int, key: str | None) -> bytes:
    session = find_session(ctx, body)
    ctx.machine.refund(session, *_optional_amount(body), body.get("metadata"))
    return _session_reply(session, version)


def chargeback(ctx: Context, body: dict[str, Any], version: int, key: str | None) -> bytes:
    session = find_session(ctx, body)
    ctx.machine.refund(session, None, None, None, chargeback=True)
    return _session_reply(session, version)


def status(ctx: Context, body: dict[str, Any], version: int, key: str | None) -> bytes:
    return _session_reply(find_session(ctx, body), version)


# -- FPS ------------------------------------------------------------------------------------


def fps_customer_verification(
    ctx: Context, body: dict[str, Any], version: int, key: str | None
) -> bytes:
    fields = _collect(body, version)
    instrument = fields.get("payout")
    path = _payout_key(version)
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
        _require_created(session)
    op = Operation(
        id=ctx.state.new_id("po"),
        kind="payout",
        created_at=now_iso(),
        amount=0,
        currency="rub",
        instrument=instrument[0],
        facts=instrument[1],
        echo=_echo(fields),
        idempotency_key=key,
    )
    ctx.machine.start_verification(session, op)
    return _session_reply(session, version)


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
