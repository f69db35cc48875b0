"""bank131_async: the async Python SDK for the Bank 131 partner API.

>>> from bank131_async import AsyncBank131
>>> from bank131_async.models import AmountDetails, BankCard, PayoutDetails

Every error the README's money-safety table names is importable from here; the rest of the
surface lives in its module (``bank131_async.models``, ``.webhooks``, ``.mock``, ``.testing``).
"""

from ._logging import setup_from_env as _setup_logging
from ._retry import RetryPolicy
from ._version import __version__
from .client import AsyncBank131
from .config import DEMO_URL, PRODUCTION_URL, Config
from .errors import (
    ApiError,
    AuthenticationError,
    Bank131Error,
    BankInternalError,
    ClientClosedError,
    ConfigurationError,
    DeclinedError,
    IdempotencyConflictError,
    InsufficientFundsError,
    InvalidRequestError,
    InvalidSignatureError,
    RateLimitError,
    RequestTimeoutError,
    RequestValidationError,
    ResponseDecodeError,
    SessionWrongStateError,
    TransportConnectionError,
    TransportError,
    UnexpectedSessionStateError,
    WaitTimeoutError,
    WebhookDecodeError,
)
from .polling import PollSchedule
from .resources.kyc import KycSigner, kyc_payload_bytes
from .signing import RequestSigner, SignatureVerifier
from .webhooks import WebhookRouter

_setup_logging()

__all__ = [
    "DEMO_URL",
    "PRODUCTION_URL",
    "ApiError",
    "AsyncBank131",
    "AuthenticationError",
    "Bank131Error",
    "BankInternalError",
    "ClientClosedError",
    "Config",
    "ConfigurationError",
    "DeclinedError",
    "IdempotencyConflictError",
    "InsufficientFundsError",
    "InvalidRequestError",
    "InvalidSignatureError",
    "KycSigner",
    "PollSchedule",
    "RateLimitError",
    "RequestSigner",
    "RequestTimeoutError",
    "RequestValidationError",
    "ResponseDecodeError",
    "RetryPolicy",
    "SessionWrongStateError",
    "SignatureVerifier",
    "TransportConnectionError",
    "TransportError",
    "UnexpectedSessionStateError",
    "WaitTimeoutError",
    "WebhookDecodeError",
    "WebhookRouter",
    "__version__",
    "kyc_payload_bytes",
]
