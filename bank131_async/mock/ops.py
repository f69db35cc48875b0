"""Operations out of request bodies: collect the session fields a body carries (checked and
sanitised by :mod:`.validate`), then build the payout or payment they describe.

Shared by every method that opens or starts a session (plain, escrow/settlement, multi,
transfers), so a payout is built, and its requirements checked, in one place.
"""

from __future__ import annotations

from typing import Any

from . import validate as v
from .context import Context
from .state import Operation
from .wire import invalid

__all__ = ["collect", "echo", "payment_op", "payout_key", "payout_op", "required"]

#: Request fields a session shows back unchanged.
_ECHOED = ("participant_details", "customer", "metadata", "payment_options", "revenue_split_info")


def payout_key(version: int) -> str:
    return "payment_method" if version == 1 else "payout_details"


def collect(body: dict[str, Any], version: int, prefix: str = "") -> dict[str, Any]:
    """Checks and sanitises the optional session fields present in ``body``."""
    v.reject_other_spelling(body, version)
    fields: dict[str, Any] = {}
    key = payout_key(version)
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


def echo(fields: dict[str, Any], keys: tuple[str, ...] = _ECHOED) -> dict[str, Any]:
    return {k: fields[k] for k in keys if k in fields}


def required(fields: dict[str, Any], name: str, path: str) -> Any:
    """``fields[name]``, or ``invalid_request`` naming ``path``."""
    value = fields.get(name)
    if value is None:
        raise invalid(path, "required")
    return value


def payout_op(
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
    masked, facts = required(fields, "payout", prefix + payout_key(version))
    amount = required(fields, "amount", prefix + "amount_details")
    if facts.channel == "card" and not v.has_recipient_name(fields.get("participant_details")):
        raise invalid(
            prefix + "participant_details.recipient.full_name", "required for card payouts"
        )
    echoed = echo(fields)
    echoed.pop("payment_options", None)
    tax_reference = None
    if fiscal or "fiscalization_details" in fields:
        path = prefix + "fiscalization_details"
        details, tax_reference = v.fiscalization_details(
            fields.get("fiscalization_details"), amount[0], path
        )
        echoed["fiscalization_details"] = details
    return ctx.state.new_operation(
        "payout", amount, masked, facts, echoed, key, tax_reference=tax_reference
    )


def payment_op(
    ctx: Context,
    fields: dict[str, Any],
    key: str | None,
    *,
    prefix: str = "",
    need_customer: bool = True,
) -> Operation:
    masked, facts = required(fields, "payment", prefix + "payment_details")
    amount = required(fields, "amount", prefix + "amount_details")
    if need_customer and "customer" not in fields:
        raise invalid(prefix + "customer", "required for incoming payments")
    return ctx.state.new_operation("payment", amount, masked, facts, echo(fields), key)


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
