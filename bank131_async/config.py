"""Client configuration: hosts, timeouts, retries, keys, and ``Config.from_env()``."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Literal, TypeAlias

import attrs
import httpx

from .errors import ConfigurationError
from .signing import PrivateKeyInput, PublicKeyInput

__all__ = [
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_TIMEOUT",
    "DEMO_URL",
    "NOT_GIVEN",
    "PRODUCTION_URL",
    "ApiVersion",
    "Config",
    "Environment",
    "NotGiven",
]

DEMO_URL = "https://demo.bank131.ru"
PRODUCTION_URL = "https://proxy.bank131.ru"
ENVIRONMENTS: Mapping[str, str] = {"demo": DEMO_URL, "production": PRODUCTION_URL}
#: Passport/beneficiary verification (KYC) lives on its own hosts.
KYC_DEMO_URL = "https://kyc-stage.bank131.ru"
KYC_PRODUCTION_URL = "https://kyc.bank131.ru"
KYC_ENVIRONMENTS: Mapping[str, str] = {"demo": KYC_DEMO_URL, "production": KYC_PRODUCTION_URL}

#: The reference SDK uses 30 s; connecting and waiting for a pooled connection should fail
#: much sooner, because those failures are the ones that are always safe to retry.
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0, pool=10.0)
DEFAULT_MAX_RETRIES = 2
#: httpx's pool rescans every connection on every request event, so its throughput falls as
#: the pool grows (SDK at 100 concurrent calls, loopback: 576 req/s with 10 connections, 431
#: with 20, 96 with 100; the aiohttp backend holds ~1,300-1,400 at any size). 20 keeps httpx
#: out of that cliff and still allows ~600 req/s at a 30 ms round trip.
DEFAULT_MAX_CONNECTIONS = 20


class NotGiven:
    """The type of :data:`NOT_GIVEN`: "this argument was left out", where ``None`` is a value
    (``with_options(submerchant=None)`` removes the submerchant)."""

    _instance: NotGiven | None = None

    def __new__(cls) -> NotGiven:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "NOT_GIVEN"


#: The one "not given" sentinel of the SDK's signatures.
NOT_GIVEN = NotGiven()

Environment: TypeAlias = Literal["demo", "production"]
ApiVersion: TypeAlias = Literal["v1", "v2"]
TimeoutInput: TypeAlias = "float | httpx.Timeout"


def to_timeout(value: float | httpx.Timeout | None) -> httpx.Timeout:
    if value is None:
        return DEFAULT_TIMEOUT
    if isinstance(value, httpx.Timeout):
        return value
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise ConfigurationError(f"timeout must be a positive number of seconds, got {value!r}")
    return httpx.Timeout(float(value))


def _check_project(_: object, __: object, value: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ConfigurationError(
            "project must be the non-empty project id issued by your Bank 131 manager"
        )


def _check_retries(_: object, __: object, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ConfigurationError(f"max_retries must be an int >= 0, got {value!r}")


def _check_version(_: object, __: object, value: str) -> None:
    if value not in ("v1", "v2"):
        raise ConfigurationError(f"api_version must be 'v1' or 'v2', got {value!r}")


def _check_environment(_: object, __: object, value: str) -> None:
    if value not in ENVIRONMENTS:
        raise ConfigurationError(
            f"environment must be 'demo' or 'production' (or pass base_url=), got {value!r}"
        )


def _check_connections(_: object, __: object, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigurationError(f"max_connections must be an int >= 1, got {value!r}")


@attrs.frozen(kw_only=True)
class Config:
    """Everything an :class:`~bank131_async.AsyncBank131` needs. Key material never shows in
    ``repr()``.

    ``base_url`` is the host root (the SDK adds ``/api/v1|v2/...``) and overrides
    ``environment``. ``max_retries`` counts retries after the first attempt.
    """

    project: str = attrs.field(validator=_check_project)
    private_key: PrivateKeyInput = attrs.field(repr=False)
    private_key_password: str | bytes | None = attrs.field(default=None, repr=False)
    bank_public_key: PublicKeyInput | Sequence[PublicKeyInput] | None = attrs.field(
        default=None, repr=False
    )
    environment: Environment = attrs.field(default="demo", validator=_check_environment)
    base_url: str | None = None
    kyc_base_url: str | None = None
    submerchant: str | None = None
    timeout: httpx.Timeout = attrs.field(default=DEFAULT_TIMEOUT, converter=to_timeout)
    max_retries: int = attrs.field(default=DEFAULT_MAX_RETRIES, validator=_check_retries)
    api_version: ApiVersion = attrs.field(default="v2", validator=_check_version)
    max_connections: int = attrs.field(
        default=DEFAULT_MAX_CONNECTIONS, validator=_check_connections
    )

    @property
    def url(self) -> str:
        """The host root requests go to."""
        if self.base_url:
            return self.base_url.rstrip("/")
        return ENVIRONMENTS[self.environment]

    @property
    def kyc_url(self) -> str:
        """The KYC host root (``kyc_base_url``, else by ``environment``)."""
        if self.kyc_base_url:
            return self.kyc_base_url.rstrip("/")
        return KYC_ENVIRONMENTS[self.environment]

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: object) -> Config:
        """Read ``BANK131_*`` variables; keyword ``overrides`` win over the environment.

        ======================================  ============================================
        ``BANK131_PROJECT``                     project id (required)
        ``BANK131_PRIVATE_KEY``                 PEM text of the partner private key, or
        ``BANK131_PRIVATE_KEY_PATH``            a path to it (one of the two is required)
        ``BANK131_PRIVATE_KEY_PASSWORD``        its password, if encrypted
        ``BANK131_BANK_PUBLIC_KEY[_PATH]``      the bank's public key (for webhooks)
        ``BANK131_ENVIRONMENT``                 ``demo`` (default) or ``production``
        ``BANK131_BASE_URL``                    explicit host root (overrides environment)
        ``BANK131_KYC_BASE_URL``                explicit KYC host root
        ``BANK131_SUBMERCHANT``                 ``X-PARTNER-SUBMERCHANT`` value
        ``BANK131_TIMEOUT``                     seconds (float)
        ``BANK131_MAX_RETRIES``                 int
        ``BANK131_API_VERSION``                 ``v1`` or ``v2`` (default) for sessions
        ======================================  ============================================
        """
        env = os.environ if environ is None else environ

        def get(name: str) -> str | None:
            value = env.get(f"BANK131_{name}")
            return value if value else None

        values: dict[str, object] = {}
        if (project := get("PROJECT")) is not None:
            values["project"] = project
        for field, name in (("private_key", "PRIVATE_KEY"), ("bank_public_key", "BANK_PUBLIC_KEY")):
            if (pem := get(name)) is not None:
                values[field] = pem
            elif (path := get(f"{name}_PATH")) is not None:
                values[field] = Path(path)
        for field, name in (
            ("private_key_password", "PRIVATE_KEY_PASSWORD"),
            ("environment", "ENVIRONMENT"),
            ("base_url", "BASE_URL"),
            ("kyc_base_url", "KYC_BASE_URL"),
            ("submerchant", "SUBMERCHANT"),
            ("api_version", "API_VERSION"),
        ):
            if (value := get(name)) is not None:
                values[field] = value
        for field, name, kind in (
            ("timeout", "TIMEOUT", float),
            ("max_retries", "MAX_RETRIES", int),
        ):
            if (raw := get(name)) is not None:
                try:
                    values[field] = kind(raw)
                except ValueError:
                    raise ConfigurationError(
                        f"BANK131_{name} must be {kind.__name__}, got {raw!r}"
                    ) from None
        values.update(overrides)
        missing = [f for f in ("project", "private_key") if f not in values]
        if missing:
            names = {"project": "BANK131_PROJECT", "private_key": "BANK131_PRIVATE_KEY[_PATH]"}
            raise ConfigurationError(
                "missing configuration: " + ", ".join(names[m] for m in missing)
            )
        try:
            return cls(**values)  # type: ignore[arg-type]
        except TypeError as exc:
            raise ConfigurationError(f"invalid configuration: {exc}") from None
