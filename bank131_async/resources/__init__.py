"""Endpoint groups, one module per API area."""

from .fiscalization import FiscalizationResource
from .fps import FpsResource
from .recurrent import RecurrentResource
from .reports import ReportsResource
from .sberpay import SberPayResource
from .sessions import SessionsResource
from .subscriptions import SubscriptionsResource
from .tokens import TokensResource
from .wallet import WalletResource

__all__ = ["SessionsResource"]
__all__ += [
    "FiscalizationResource",
    "FpsResource",
    "RecurrentResource",
    "ReportsResource",
    "SberPayResource",
    "SubscriptionsResource",
    "TokensResource",
    "WalletResource",
]
