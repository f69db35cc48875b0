"""bank131_async: the async Python SDK for the Bank 131 partner API.

>>> from bank131_async import AsyncBank131
>>> from bank131_async.models import AmountDetails, BankCard, PayoutDetails
"""

from ._retry import RetryPolicy
from ._version import __version__
from .client import AsyncBank131
from .config import DEMO_URL, PRODUCTION_URL, Config
from .errors import (
    ApiError,
    Bank131Error,
    ConfigurationError,
    IdempotencyConflictError,
    InvalidSignatureError,
    RequestValidationError,
    ResponseDecodeError,
    SessionWrongStateError,
    TransportError,
    UnexpectedSessionStateError,
    WaitTimeoutError,
)
from .polling import PollSchedule
from .resources.kyc import KycSigner, kyc_payload_bytes
from .signing import RequestSigner, SignatureVerifier
from .webhooks import WebhookRouter, parse_webhook

__all__ = [
    "DEMO_URL",
    "PRODUCTION_URL",
    "ApiError",
    "AsyncBank131",
    "Bank131Error",
    "Config",
    "ConfigurationError",
    "IdempotencyConflictError",
    "InvalidSignatureError",
    "KycSigner",
    "PollSchedule",
    "RequestSigner",
    "RequestValidationError",
    "ResponseDecodeError",
    "RetryPolicy",
    "SessionWrongStateError",
    "SignatureVerifier",
    "TransportError",
    "UnexpectedSessionStateError",
    "WaitTimeoutError",
    "WebhookRouter",
    "__version__",
    "kyc_payload_bytes",
    "parse_webhook",
]
