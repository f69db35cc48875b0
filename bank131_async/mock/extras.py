"""Methods beyond sessions: wallet, recurrent tokens, widget tokens, tokenization,
subscriptions, SberPay push, self-employed (NPD) checks, account balance.

Shapes follow ``endpoints.md`` where the bank documents them. ``npd/request/status`` is only
named by the bank, so its reply is this emulator's invention, kept consistent with the outcome
table (``tax_reference`` ending ``0000``: self-employed but not bound; ending ``1111``: not
self-employed).
"""

from __future__ import annotations

import hashlib
from typing import Any

from . import validate as v
from .context import Context, find_session
from .wire import ApiFailure, dumps, invalid, now_iso

_OK = b'{"status":"ok"}'


# -- wallet, recurrent, tokens ------------------------------------------------------------------------


def wallet_balance(ctx: Context, body: dict[str, Any], version: int, key: str | None) -> bytes:
    balance = {"amount": ctx.state.wallet_balance, "currency": "rub"}
    return dumps({"status": "ok", "wallets": [{"id": "131", "amount_details": balance}]})


def _recurrent(ctx: Context, body: dict[str, Any]) -> dict[str, Any]:
    token = v.string(v.obj(body.get("recurrent"), "recurrent").get("token"), "recurrent.token")
    info = ctx.state.recurrent_tokens.get(token)
    if info is None:
        raise ApiFailure(404, "invalid_request", "recurrent.token: unknown token")
    return info


def recurrent_status(ctx: Context, body: dict[str, Any], version: int, key: str | None) -> bytes:
    return dumps({"status": "ok", "recurrent": _recurrent(ctx, body)})


def recurrent_disable(ctx: Context, body: dict[str, Any], version: int, key: str | None) -> bytes:
    info = _recurrent(ctx, body)
    info["is_active"] = False
    info.setdefault("finished_at", now_iso())
    return dumps({"status": "ok", "recurrent": info})


def token(ctx: Context, body: dict[str, Any], version: int, key: str | None) -> bytes:
    widgets = ("tokenize_widget", "acquiring_widget", "self_employed_widget")
    if not any(body.get(w) is not None for w in widgets):
        raise invalid("tokenize_widget", f"one of {', '.join(widgets)} is required")
    acquiring = v.optional_obj(body, "acquiring_widget")
    if acquiring is not None:
        find_session(ctx, acquiring)
    public_token = ctx.state.new_id("pt")
    ctx.state.public_tokens[public_token] = {
        "token": public_token,
        "created_at": now_iso(),
        "is_active": True,
    }
    return dumps({"status": "ok", "public_token": public_token})


def subscription(ctx: Context, body: dict[str, Any], version: int, key: str | None) -> bytes:
    v.string(body.get("subscription_id"), "subscription_id")
    return _OK


def token_info(ctx: Context, body: dict[str, Any], version: int, key: str | None) -> bytes:
    kind = body.get("type")
    if kind == "public_token":
        token = v.string(
            v.obj(body.get("public_token"), "public_token").get("token"), "public_token.token"
        )
        info = ctx.state.public_tokens.get(token)
    elif kind == "recurrent_token":
        path = "recurrent_token"
        token = v.string(v.obj(body.get(path), path).get("token"), f"{path}.token")
        info = ctx.state.recurrent_tokens.get(token)
    elif kind == "card":
        masked, facts = v.card(body.get("card"), "card", payment=False)
        card = masked["card"]
        info = {"type": "card", "brand": card["brand"], "last4": card.get("last4", facts.suffix)}
    else:
        raise invalid("type", "expected 'card', 'public_token' or 'recurrent_token'")
    if info is None:
        raise ApiFailure(404, "invalid_request", f"{kind}.token: unknown token")
    return dumps({"status": "ok", "info": info})


def tokenize(ctx: Context, body: dict[str, Any], version: int, key: str | None) -> bytes:
    if body.get("type") != "bank_account_ru":
        raise invalid("type", "expected 'bank_account_ru'")
    account = v.obj(body.get("bank_account_ru"), "bank_account_ru")
    v.digits(account.get("bik"), "bank_account_ru.bik", (9,))
    number = v.digits(account.get("account"), "bank_account_ru.account", (20,))
    # Deterministic, so tokenizing one account twice gives one token, as a vault would.
    token = hashlib.sha256(f"{account['bik']}:{number}".encode()).hexdigest()[:32]
    masked = f"{number[:5]}***{number[-4:]}"
    return dumps({"status": "ok", "token": token, "data": {"masked_account": masked}})


def sberpay_push(ctx: Context, body: dict[str, Any], version: int, key: str | None) -> bytes:
    v.digits(body.get("phone"), "phone", range(10, 16))
    find_session(ctx, body)
    return _OK


def npd_check(ctx: Context, body: dict[str, Any], version: int, key: str | None) -> bytes:
    inn = v.digits(body.get("tax_reference"), "tax_reference", (12,))
    request_id = ctx.state.new_id("npd")
    ctx.state.npd_requests[request_id] = {
        "request_id": request_id,
        "tax_reference": inn,
        "is_self_employed": not inn.endswith("1111"),
        "is_bound": not inn.endswith(("0000", "1111")),
        "created_at": now_iso(),
    }
    return dumps({"status": "ok", "request_id": request_id})


def npd_request_status(ctx: Context, body: dict[str, Any], version: int, key: str | None) -> bytes:
    request_id = v.string(body.get("request_id"), "request_id")
    result = ctx.state.npd_requests.get(request_id)
    if result is None:
        raise ApiFailure(404, "invalid_request", f"request_id: unknown request {request_id!r}")
    return dumps({"status": "ok", **result})


_ACCOUNT_PREFIXES = ("40702", "40703", "40802", "40807", "40701")


def account_balance(ctx: Context, body: dict[str, Any], version: int, key: str | None) -> bytes:
    number = v.digits(body.get("account_number"), "account_number", (20,))
    if not number.startswith(_ACCOUNT_PREFIXES):
        raise invalid("account_number", f"must start with one of {', '.join(_ACCOUNT_PREFIXES)}")
    return dumps(
        {
            "status": "ok",
            "account_number": number,
            "account_currency": "RUB",
            "balance": {"current_balance": ctx.state.wallet_balance},
        }
    )
