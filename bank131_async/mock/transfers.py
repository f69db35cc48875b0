"""Transfers abroad: ``calculate``, ``bpa/session/init/payment``, ``cash/payout/session/init``.

* ``calculate`` uses a fixed rate table (RUB -> TRY 0.35, KGS 1.0, UZS 140, USD 0.011; other
  pairs 1.0), a 1 % transfer fee (at least 100 kopecks) and no SMS fee.
* ``bpa/session/init/payment`` opens a session with one incoming ``moneysend`` payment that
  runs the usual payment flow (``ready_to_confirm`` -> confirm -> ``payment_finished``). The
  sender needs ``first_name``, ``last_name`` and the citizenship, spelled as in the transfers
  docs (``citizenship_country_iso3``) or as in the PHP SDK (``citizenship_country_iso_3``):
  the sources disagree, so both are accepted.
* ``cash/payout/session/init`` opens a session with one ``moneysend`` payout; it needs
  ``tcn_code_encoded`` (base64) and ``payment_method.type = "moneysend"``.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from . import shapes
from . import validate as v
from .context import Context, Method, session_reply
from .ops import collect, echo, required
from .outcomes import Facts
from .wire import dumps, invalid

__all__ = ["METHODS"]

_RATES = {"try": 0.35, "kgs": 1.0, "uzs": 140.0, "usd": 0.011}


def _rate(source: str, destination: str) -> float:
    if source.lower() == "rub":
        return _RATES.get(destination.lower(), 1.0)
    if destination.lower() == "rub":
        return 1 / _RATES.get(source.lower(), 1.0)
    return 1.0


def calculate(ctx: Context, body: dict[str, Any], version: int, key: str | None) -> bytes:
    amounts = v.obj(body.get("amounts"), "amounts")
    sides = {
        name: v.obj(amounts.get(name), f"amounts.{name}") for name in ("source", "destination")
    }
    currencies = {
        name: v.string(side.get("currency"), f"amounts.{name}.currency")
        for name, side in sides.items()
    }
    given = [name for name, side in sides.items() if side.get("amount") is not None]
    if len(given) != 1:
        raise invalid("amounts", "fill exactly one of source.amount and destination.amount")
    (name,) = given
    amount = sides[name]["amount"]
    if type(amount) is not int or amount <= 0:
        raise invalid(f"amounts.{name}.amount", "expected a positive integer (minor units)")
    rate = _rate(currencies["source"], currencies["destination"])
    if name == "source":
        source, destination = amount, round(amount * rate)
    else:
        source, destination = round(amount / rate), amount
    fee = max(100, source // 100)

    def money(value: int, currency: str) -> dict[str, Any]:
        return {"amount": value, "currency": currency.upper()}

    src, dst = currencies["source"], currencies["destination"]
    return dumps(
        {
            "status": "ok",
            "amounts": {
                "source": money(source, src),
                "destination": money(destination, dst),
                "transfer_fee": money(fee, src),
                "sms_fee": money(0, src),
                "payment": money(source + fee, src),
            },
            "exchanges": {
                "source": src.upper(),
                "destination": dst.upper(),
                "rate": {"fx_rate": f"{rate:.6g}", "quantity": 1},
            },
        }
    )


def _moneysend(value: Any, path: str) -> dict[str, Any]:
    method = v.obj(value, path)
    if method.get("type") != "moneysend":
        raise invalid(f"{path}.type", "expected 'moneysend'")
    v.obj(method.get("moneysend"), f"{path}.moneysend")
    return dict(method)


def bpa_init_payment(ctx: Context, body: dict[str, Any], version: int, key: str | None) -> bytes:
    instrument = _moneysend(body.get("payment_details"), "payment_details")
    amount, currency = v.amount_details(body.get("amount_details"))
    participants = v.obj(body.get("participant_details"), "participant_details")
    sender = v.obj(participants.get("sender"), "participant_details.sender")
    for field in ("first_name", "last_name"):
        v.string(sender.get(field), f"participant_details.sender.{field}")
    citizenship = sender.get("citizenship_country_iso3", sender.get("citizenship_country_iso_3"))
    v.string(citizenship, "participant_details.sender.citizenship_country_iso3")
    echoed = {"participant_details": participants}
    if "metadata" in body:
        echoed["metadata"] = body["metadata"]
    if body.get("customer") is not None:
        echoed["customer"] = v.customer(body["customer"])
    op = ctx.state.new_operation(
        "payment", (amount, currency), instrument, Facts("other"), echoed, key
    )
    session = ctx.state.new_session()
    ctx.machine.start(session, [op], [])
    return session_reply(session, version)


def cash_payout_init(ctx: Context, body: dict[str, Any], version: int, key: str | None) -> bytes:
    code = v.string(body.get("tcn_code_encoded"), "tcn_code_encoded")
    try:
        base64.b64decode(code, validate=True)
    except (binascii.Error, ValueError):
        raise invalid("tcn_code_encoded", "expected base64") from None
    instrument = _moneysend(body.get("payment_method"), "payment_method")
    fields = collect({k: v_ for k, v_ in body.items() if k != "payment_method"}, version)
    amount = required(fields, "amount", "amount_details")
    echoed = echo(fields, ("participant_details", "metadata"))
    op = ctx.state.new_operation("payout", amount, instrument, Facts("other"), echoed, key)
    session = ctx.state.new_session()
    ctx.machine.start(session, [], [op])
    return session_reply(session, version)


#: v1 method name -> method
METHODS: dict[str, Method] = {
    "calculate": Method(calculate, shapes.CALCULATE, False),
    "bpa/session/init/payment": Method(bpa_init_payment, shapes.NEW_SESSION, True),
    "cash/payout/session/init": Method(cash_payout_init, shapes.CASH_PAYOUT, True),
}
