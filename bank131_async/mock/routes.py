"""The route table: URL path -> handler, API version, and whether the call mutates."""

from __future__ import annotations

from . import account_sessions, extras, finance, npd, transfers
from . import handlers as h
from .handlers import Handler, Route

__all__ = ["ROUTES"]

_SESSION: dict[str, tuple[Handler, bool]] = {
    "session/create": (h.create, True),
    "session/init/payout": (h.init_payout, True),
    "session/init/payout/fiscalization": (h.init_payout_fiscalization, True),
    "session/start/payout": (h.start_payout, True),
    "session/start/payout/fiscalization": (h.start_payout_fiscalization, True),
    "session/init/payment": (h.init_payment, True),
    "session/start/payment": (h.start_payment, True),
    "session/confirm": (h.confirm, True),
    "session/cancel": (h.cancel, True),
    "session/capture": (h.capture, True),
    "session/refund": (h.refund, True),
    "session/chargeback": (h.chargeback, True),
    "session/status": (h.status, False),
    "fps/banks": (h.fps_banks, False),
    "fps/customer_verification": (h.fps_customer_verification, True),
}
_V1_ONLY: dict[str, tuple[Handler, bool]] = {
    "session/create/nominal": (h.create_nominal, True),
    "session/init/payout/nominal": (h.init_payout_nominal, True),
    "session/start/payout/nominal": (h.start_payout_nominal, True),
    "session/create/rko": (h.create_rko, True),
    "session/init/payout/rko": (h.init_payout_rko, True),
    "session/start/payout/rko": (h.start_payout_rko, True),
    "wallet/balance": (extras.wallet_balance, False),
    "recurrent/status": (extras.recurrent_status, False),
    "recurrent/disable": (extras.recurrent_disable, True),
    "token": (extras.token, True),
    "token/info": (extras.token_info, False),
    "tokenize": (extras.tokenize, True),
    "subscription/cancel": (extras.subscription, True),
    "subscription/restore": (extras.subscription, True),
    "sberpay/push": (extras.sberpay_push, True),
    "npd/check": (extras.npd_check, True),
    "npd/request/status": (extras.npd_request_status, False),
    "report/account_balance": (extras.account_balance, False),
    "report/account_statement": (finance.account_statement, False),
    "fiscalization": (finance.fiscalization, True),
    "tokenize/elements": (finance.tokenize_elements, True),
}

# Part B: self-employed notifications, transfers, escrow/settlement card payouts (KYC is
# routed by the app itself: its status path holds the request id).
_V1_ONLY.update({**npd.ROUTES, **transfers.ROUTES, **account_sessions.ROUTES})


def _routes() -> dict[str, Route]:
    routes: dict[str, Route] = {}
    for version in (1, 2):
        for name, (handler, mutating) in _SESSION.items():
            routes[f"/api/v{version}/{name}"] = Route(handler, version, mutating, name)
    routes["/api/v2/session/multi/init"] = Route(h.multi_init, 2, True, "session/multi/init")
    for name, (handler, mutating) in _V1_ONLY.items():
        routes[f"/api/v1/{name}"] = Route(handler, 1, mutating, name)
    return routes


#: Path -> route. Every method answers POST; ``fps/banks`` also answers GET.
ROUTES = _routes()
