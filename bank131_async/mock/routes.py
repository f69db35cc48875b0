"""The route table: URL path -> route (handler, API version, body shape, whether it mutates).

Every path the emulator answers is here, KYC included; each route's gate makes its API's
checks (:func:`.partner.admit` for the main API, :func:`.kyc.admit` for KYC). A path whose last
segment is ``{id}`` matches any value there (see :func:`~.context.lookup`).
"""

from __future__ import annotations

from . import account_sessions, extras, finance, kyc, npd, transfers
from . import handlers as h
from . import shapes as s
from .context import Method, Route, lookup
from .partner import admit

__all__ = ["ROUTES", "resolve"]

#: Methods served under /api/v1 and /api/v2.
_SESSION: dict[str, Method] = {
    "session/create": Method(h.create, s.NEW_SESSION, True),
    "session/init/payout": Method(h.init_payout, s.NEW_SESSION, True),
    "session/init/payout/fiscalization": Method(h.init_payout_fiscalization, s.NEW_SESSION, True),
    "session/start/payout": Method(h.start_payout, s.START_SESSION, True),
    "session/start/payout/fiscalization": Method(
        h.start_payout_fiscalization, s.START_SESSION, True
    ),
    "session/init/payment": Method(h.init_payment, s.NEW_SESSION, True),
    "session/start/payment": Method(h.start_payment, s.START_SESSION, True),
    "session/confirm": Method(h.confirm, s.DECISION, True),
    "session/cancel": Method(h.cancel, s.DECISION, True),
    "session/capture": Method(h.capture, s.CAPTURE, True),
    "session/refund": Method(h.refund, s.REFUND, True),
    "session/chargeback": Method(h.chargeback, s.SESSION_ID, True),
    "session/status": Method(h.status, s.SESSION_ID, False),
    "fps/banks": Method(h.fps_banks, s.EMPTY, False),
    "fps/customer_verification": Method(h.fps_customer_verification, s.START_SESSION, True),
}
#: Methods served under /api/v1 only.
_V1_ONLY: dict[str, Method] = {
    "session/create/nominal": Method(h.create_nominal, s.NEW_SESSION, True),
    "session/init/payout/nominal": Method(h.init_payout_nominal, s.NEW_SESSION, True),
    "session/start/payout/nominal": Method(h.start_payout_nominal, s.START_SESSION, True),
    "session/create/rko": Method(h.create_rko, s.NEW_SESSION, True),
    "session/init/payout/rko": Method(h.init_payout_rko, s.NEW_SESSION, True),
    "session/start/payout/rko": Method(h.start_payout_rko, s.START_SESSION, True),
    "wallet/balance": Method(extras.wallet_balance, s.WALLET_BALANCE, False),
    "recurrent/status": Method(extras.recurrent_status, s.RECURRENT, False),
    "recurrent/disable": Method(extras.recurrent_disable, s.RECURRENT, True),
    "token": Method(extras.token, s.TOKEN, True),
    "token/info": Method(extras.token_info, s.TOKEN_INFO, False),
    "tokenize": Method(extras.tokenize, s.TOKENIZE, True),
    "subscription/cancel": Method(extras.subscription, s.SUBSCRIPTION, True),
    "subscription/restore": Method(extras.subscription, s.SUBSCRIPTION, True),
    "sberpay/push": Method(extras.sberpay_push, s.SBERPAY_PUSH, True),
    "npd/check": Method(extras.npd_check, s.NPD_CHECK, True),
    "npd/request/status": Method(extras.npd_request_status, s.NPD_REQUEST_STATUS, False),
    "report/account_balance": Method(extras.account_balance, s.ACCOUNT_BALANCE, False),
    "report/account_statement": Method(finance.account_statement, s.ACCOUNT_STATEMENT, False),
    "fiscalization": Method(finance.fiscalization, s.FISCALIZATION, True),
    "tokenize/elements": Method(finance.tokenize_elements, s.TOKENIZE_ELEMENTS, True),
    **npd.METHODS,
    **transfers.METHODS,
    **account_sessions.METHODS,
}
#: ``fps/banks`` is a GET in the PHP SDK; every other method is a POST.
_ALSO_GET = frozenset({"fps/banks"})


def _routes() -> dict[str, Route]:
    routes: dict[str, Route] = {}

    def add(version: int, name: str, method: Method) -> None:
        verbs = frozenset({"GET", "POST"} if name in _ALSO_GET else {"POST"})
        routes[f"/api/v{version}/{name}"] = Route(
            method.handler, version, name, method.mutating, method.body, admit, verbs
        )

    for version in (1, 2):
        for name, method in _SESSION.items():
            add(version, name, method)
    add(2, "session/multi/init", Method(h.multi_init, s.MULTI_INIT, True))
    for name, method in _V1_ONLY.items():
        add(1, name, method)
    routes.update(kyc.ROUTES)
    return routes


#: Path -> route.
ROUTES = _routes()


def resolve(path: str) -> tuple[Route | None, str]:
    """The route for ``path`` and its ``{id}`` parameter (empty where the path has none)."""
    return lookup(ROUTES, path)
