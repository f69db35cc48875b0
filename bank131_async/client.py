"""``AsyncBank131``: one pooled HTTP client, the signer, and the resources."""

from __future__ import annotations

from collections.abc import Sequence
from types import TracebackType
from typing import Any, Literal, Self

import anyio
import attrs
import httpx

from ._fast_transport import FastSender
from ._retry import RetryPolicy
from ._signing_pool import SigningPool
from ._transport import Transport
from .config import ApiVersion, Config, Environment, TimeoutInput
from .errors import ConfigurationError
from .resources.account_sessions import NominalSessionsResource, RkoSessionsResource
from .resources.fiscalization import FiscalizationResource
from .resources.fps import FpsResource
from .resources.kyc import KycResource, KycSigner
from .resources.recurrent import RecurrentResource
from .resources.reports import ReportsResource
from .resources.sberpay import SberPayResource
from .resources.self_employed import SelfEmployedResource
from .resources.sessions import SessionsResource
from .resources.subscriptions import SubscriptionsResource
from .resources.tokens import TokensResource
from .resources.transfers import TransfersResource
from .resources.wallet import WalletResource
from .signing import PrivateKeyInput, PublicKeyInput, RequestSigner, SignatureVerifier
from .webhooks import SessionEventHub, WebhooksResource

__all__ = ["AsyncBank131"]

_UNSET: Any = object()


class AsyncBank131:
    """The Bank 131 client. Use it as an async context manager::

        async with AsyncBank131(project="my_project", private_key=Path("partner.pem"),
                                bank_public_key=Path("bank131.pub.pem")) as bank:
            session = await bank.sessions.init_payout(...)

    It holds one pooled ``httpx.AsyncClient`` (closed on exit). Pass ``http_client=`` to use
    your own (it is never closed by the SDK) or ``transport=`` to plug an httpx transport.
    Construction loads and checks the keys (a bad key raises ``ConfigurationError`` here, not
    at the first payout) and needs no running event loop.

    ``max_connections`` bounds the requests in flight: excess calls queue inside the SDK
    (without a pool timeout) instead of inside httpx. ``retry_policy`` replaces the default
    backoff (its ``max_retries`` then wins over ``max_retries``).

    ``http_backend="auto"`` (the default) is the fast path: on asyncio, the SDK's own requests
    skip the ``AsyncClient`` layer and go through a minimal keep-alive HTTP/1.1 client of its
    own, and under sustained concurrency request bodies are signed in a helper process on the
    second core. It steps aside by itself: while respx, pytest-httpx or any other patch of
    httpx's send path is active, for URLs the ``AsyncClient`` sends through a proxy
    (``HTTPS_PROXY`` ...), and under trio, requests go through the ``AsyncClient`` as plain
    httpx would send them. ``http_backend="httpx"`` always sends through the ``AsyncClient``
    and signs on the loop; ``"aiohttp"`` plugs an aiohttp-backed httpx transport into the
    ``AsyncClient`` (extra ``aiohttp``). See ``benchmarks/``.

    ``kyc_signer`` signs passport-verification requests (``bank.kyc``) with your CryptoPro
    certificate: a callable, sync or async, from payload bytes to signature text (see
    ``bank131_async.resources.kyc``). The SDK itself cannot produce GOST signatures.
    """

    def __init__(
        self,
        project: str | None = None,
        private_key: PrivateKeyInput | None = None,
        *,
        private_key_password: str | bytes | None = None,
        bank_public_key: PublicKeyInput | Sequence[PublicKeyInput] | None = None,
        environment: Environment = "demo",
        base_url: str | None = None,
        kyc_base_url: str | None = None,
        submerchant: str | None = None,
        timeout: TimeoutInput | None = None,
        max_retries: int | None = None,
        api_version: ApiVersion = "v2",
        max_connections: int | None = None,
        retry_policy: RetryPolicy | None = None,
        http_backend: Literal["auto", "httpx", "aiohttp"] = "auto",
        config: Config | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        http_client: httpx.AsyncClient | None = None,
        kyc_signer: KycSigner | None = None,
    ) -> None:
        if config is None:
            if project is None or private_key is None:
                raise ConfigurationError(
                    "AsyncBank131 needs project= and private_key= (or config=Config.from_env())"
                )
            settings: dict[str, Any] = {
                "project": project,
                "private_key": private_key,
                "private_key_password": private_key_password,
                "bank_public_key": bank_public_key,
                "environment": environment,
                "base_url": base_url,
                "kyc_base_url": kyc_base_url,
                "submerchant": submerchant,
                "api_version": api_version,
            }
            for name, value in (
                ("timeout", timeout),
                ("max_retries", max_retries),
                ("max_connections", max_connections),
            ):
                if value is not None:
                    settings[name] = value
            config = Config(**settings)
        if transport is not None and http_client is not None:
            raise ConfigurationError("pass transport= or http_client=, not both")
        fast = http_backend == "auto" and transport is None and http_client is None
        if http_backend == "aiohttp":
            if transport is not None or http_client is not None:
                raise ConfigurationError(
                    "http_backend='aiohttp' builds its own transport; do not pass transport= "
                    "or http_client= with it"
                )
            from .aiohttp_transport import AiohttpTransport

            transport = AiohttpTransport(config.max_connections)
        elif http_backend not in ("auto", "httpx"):
            raise ConfigurationError(
                f"http_backend must be 'auto', 'httpx' or 'aiohttp', got {http_backend!r}"
            )
        self._config = config
        self._signer = RequestSigner(config.private_key, password=config.private_key_password)
        self._verifier = (
            SignatureVerifier(config.bank_public_key)
            if config.bank_public_key is not None
            else None
        )
        self._owns_http = http_client is None
        self._http = http_client or httpx.AsyncClient(
            transport=transport,
            limits=httpx.Limits(
                max_connections=config.max_connections,
                max_keepalive_connections=config.max_connections,
            ),
            timeout=config.timeout,
            follow_redirects=False,
        )
        # The fast path (see _fast_transport, _http11 and _signing_pool) only for a client the SDK
        # built: an injected client or transport is used exactly as given.
        self._fast = FastSender(self._http) if fast else None
        self._signing = SigningPool(self._signer) if fast else None
        # fast_acquire: an uncontended acquire does not yield to the event loop (one loop
        # step per request is measurable at thousands of requests per second).
        self._limiter = anyio.Semaphore(config.max_connections, fast_acquire=True)
        self._policy = retry_policy or RetryPolicy(max_retries=config.max_retries)
        # Webhook-fed session snapshots; one per client, shared by its with_options views.
        self._webhook_hub = SessionEventHub()
        #: Signs KYC bodies (CryptoPro); see ``bank131_async.resources.kyc``.
        self._kyc_signer = kyc_signer
        self._closed = False
        self._wire()

    def _wire(self) -> None:
        config = self._config
        self._transport = Transport(
            self._http,
            base_url=config.url,
            kyc_base_url=config.kyc_url,
            project=config.project,
            signer=self._signer,
            submerchant=config.submerchant,
            timeout=config.timeout,
            policy=self._policy,
            limiter=self._limiter,
            max_in_flight=config.max_connections,
            signing=self._signing,
            fast=self._fast,
        )
        #: ``session/*`` methods and the polling helpers.
        self.sessions = SessionsResource(
            self._transport, config.api_version, events=self._webhook_hub
        )
        #: Webhooks: ``parse`` (verified, typed) and ``attach(router)`` (webhook-driven waits).
        self.webhooks = WebhooksResource(self._verifier, self._webhook_hub)
        #: ``token``, ``token/info``, ``tokenize``, ``tokenize/elements``.
        self.tokens = TokensResource(self._transport, config.api_version)
        #: ``recurrent/status``, ``recurrent/disable``.
        self.recurrent = RecurrentResource(self._transport, config.api_version)
        #: ``subscription/cancel``, ``subscription/restore``.
        self.subscriptions = SubscriptionsResource(self._transport, config.api_version)
        #: ``wallet/balance`` (collateral balance).
        self.wallet = WalletResource(self._transport, config.api_version)
        #: ``report/account_balance``, ``report/account_statement``.
        self.reports = ReportsResource(self._transport, config.api_version)
        #: ``fps/banks``, ``fps/customer_verification`` (v1/v2 by ``api_version``).
        self.fps = FpsResource(self._transport, config.api_version)
        #: ``sberpay/push``.
        self.sberpay = SberPayResource(self._transport, config.api_version)
        #: ``fiscalization`` (receipts for the self-employed without a payout).
        self.fiscalization = FiscalizationResource(self._transport, config.api_version)
        #: ``npd/*``: self-employed checks and tax-service notifications.
        self.self_employed = SelfEmployedResource(self._transport)
        #: ``session/*/nominal``: payouts from an escrow (nominal) account.
        self.nominal = NominalSessionsResource(self._transport)
        #: ``session/*/rko``: payouts from a settlement (RKO) account.
        self.rko = RkoSessionsResource(self._transport)
        #: ``calculate``, ``bpa/session/init/payment``, ``cash/payout/session/init``.
        self.transfers = TransfersResource(self._transport)
        #: ``check``, ``check/{id}`` on the KYC host (signed with ``kyc_signer``).
        self.kyc = KycResource(self._transport, self._kyc_signer)

    # ------------------------------------------------------------------ construction helpers

    @classmethod
    def from_env(
        cls,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        http_client: httpx.AsyncClient | None = None,
        kyc_signer: KycSigner | None = None,
        **overrides: Any,
    ) -> AsyncBank131:
        """A client configured by ``BANK131_*`` variables (see :meth:`Config.from_env`)."""
        return cls(
            config=Config.from_env(**overrides),
            transport=transport,
            http_client=http_client,
            kyc_signer=kyc_signer,
        )

    def with_options(
        self,
        *,
        timeout: TimeoutInput | None = None,
        max_retries: int | None = None,
        submerchant: str | None = _UNSET,
        api_version: ApiVersion | None = None,
    ) -> AsyncBank131:
        """A view with other per-request settings that shares this client's pool and keys.

        Closing the view does not close the pool; close the original client.
        """
        changes: dict[str, Any] = {}
        if timeout is not None:
            changes["timeout"] = timeout
        if max_retries is not None:
            changes["max_retries"] = max_retries
        if submerchant is not _UNSET:
            changes["submerchant"] = submerchant
        if api_version is not None:
            changes["api_version"] = api_version
        view = object.__new__(type(self))
        view._config = attrs.evolve(self._config, **changes)
        view._signer = self._signer
        view._verifier = self._verifier
        view._kyc_signer = self._kyc_signer
        view._webhook_hub = self._webhook_hub
        view._http = self._http
        view._owns_http = False
        view._limiter = self._limiter
        view._fast = self._fast
        view._signing = self._signing
        view._policy = (
            attrs.evolve(self._policy, max_retries=max_retries)
            if max_retries is not None
            else self._policy
        )
        view._closed = False
        view._wire()
        return view

    # ------------------------------------------------------------------ properties

    @property
    def config(self) -> Config:
        return self._config

    @property
    def signer(self) -> RequestSigner:
        return self._signer

    @property
    def verifier(self) -> SignatureVerifier:
        """Verifies bank signatures (webhooks); needs ``bank_public_key``."""
        if self._verifier is None:
            raise ConfigurationError(
                "bank_public_key is not configured; pass the Bank 131 public key to verify webhooks"
            )
        return self._verifier

    @property
    def is_closed(self) -> bool:
        return self._closed

    # ------------------------------------------------------------------ lifecycle

    async def aclose(self) -> None:
        """Close the pooled HTTP client (unless it was passed in). Idempotent."""
        if self._closed:
            return
        self._closed = True
        if self._owns_http:
            try:
                if self._signing is not None:
                    self._signing.close()
                if self._fast is not None:
                    await self._fast.aclose()
            finally:
                await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return (
            f"AsyncBank131(project={self._config.project!r}, url={self._config.url!r}, "
            f"api_version={self._config.api_version!r})"
        )
