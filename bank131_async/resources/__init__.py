"""Endpoint groups, one module per API area."""

from .account_sessions import NominalSessionsResource, RkoSessionsResource
from .fiscalization import FiscalizationResource
from .fps import FpsResource
from .kyc import KycResource, KycSigner, kyc_payload, kyc_payload_bytes
from .recurrent import RecurrentResource
from .reports import ReportsResource
from .sberpay import SberPayResource
from .self_employed import SelfEmployedResource
from .sessions import SessionsResource
from .subscriptions import SubscriptionsResource
from .tokens import TokensResource
from .transfers import TransfersResource
from .wallet import WalletResource

__all__ = [
    "FiscalizationResource",
    "FpsResource",
    "KycResource",
    "KycSigner",
    "NominalSessionsResource",
    "RecurrentResource",
    "ReportsResource",
    "RkoSessionsResource",
    "SberPayResource",
    "SelfEmployedResource",
    "SessionsResource",
    "SubscriptionsResource",
    "TokensResource",
    "TransfersResource",
    "WalletResource",
    "kyc_payload",
    "kyc_payload_bytes",
]
