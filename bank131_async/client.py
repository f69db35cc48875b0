"""``AsyncBank131``: one pooled HTTP client, the signer, and the resources."""

from __future__ import annotations

import asyncio
import warnings
from collections.abc import Awaitable, Sequence
from types import TracebackType
from typing import Any, Literal, Self, TypeVar

import anyio
import attrs
import httpx

from ._fast_transport import FastSender
from ._retry import RetryPolicy
from ._signing_pool import SigningPool
from ._transport import Transport
from .config import NOT_GIVEN, ApiVersion, Config, Environment, NotGiven, TimeoutInput
from .errors import ConfigurationError
from .hub import SessionEventHub
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
from .resources.webhooks import WebhooksResource
from .response import RawResponse, capture_answer
from .signing import PrivateKeyInput, PublicKeyInput, RequestSigner, SignatureVerifier

__all__ = ["AsyncBank131"]

T = TypeVar("T")


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
        environment: Environment | None = None,
        base_url: str | None = None,
        kyc_base_url: str | None = None,
        submerchant: str | None = None,
        timeout: TimeoutInput | None = None,
        max_retries: int | None = None,
        api_version: ApiVersion | None = None,
        max_connections: int | None = None,
        retry_policy: RetryPolicy | None = None,
        http_backend: Literal["auto", "httpx", "aiohttp"] = "auto",
        config: Config | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        http_client: httpx.AsyncClient | None = None,
        kyc_signer: KycSigner | None = None,
        _parent: AsyncBank131 | None = None,
    ) -> None:
        given: dict[str, Any] = {
            name: value
            for name, value in (
                ("project", project),
                ("private_key", private_key),
                ("private_key_password", private_key_password),
                ("bank_public_key", bank_public_key),
                ("environment", environment),
                ("base_url", base_url),
                ("kyc_base_url", kyc_base_url),
                ("submerchant", submerchant),
                ("timeout", timeout),
                ("max_retries", max_retries),
                ("api_version", api_version),
                ("max_connections", max_connections),
            )
            if value is not None
        }
        if config is None:
            if project is None or private_key is None:
                raise ConfigurationError(
                    "AsyncBank131 needs project= and private_key= (or config=Config.from_env())"
                )
            config = Config(**given)
        elif given:
            raise ConfigurationError(
                f"config= already holds every setting, so {', '.join(sorted(given))} would be "
                "ignored; pass them in the Config (attrs.evolve(config, ...), or "
                "Config.from_env(**overrides)) or drop config="
            )
        if retry_policy is not None and max_retries is not None:
            raise ConfigurationError(
                "pass max_retries= or retry_policy=, not both: the policy's max_retries is the "
                "retry budget (RetryPolicy(max_retries=...))"
            )
        self._config = config
        self._policy = retry_policy or RetryPolicy(max_retries=config.max_retries)
        #: Signs KYC bodies (CryptoPro); see ``bank131_async.resources.kyc``.
        self._kyc_signer = kyc_signer
        self._closed = False
        if _parent is not None:
            self._share(_parent)
        else:
            self._build(http_backend, transport, http_client)
        self._wire()

    def _build(
        self,
        http_backend: str,
        transport: httpx.AsyncBaseTransport | None,
        http_client: httpx.AsyncClient | None,
    ) -> None:
        """What a client owns and its ``with_options`` views share: keys, pool, hub."""
        config = self._config
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
        # Webhook-fed session snapshots; one per client, shared by its with_options views.
        self._webhook_hub = SessionEventHub()
        self._is_view = False
        self._home_loop: asyncio.AbstractEventLoop | None = None

    def _share(self, parent: AsyncBank131) -> None:
        self._signer = parent._signer
        self._verifier = parent._verifier
        self._http = parent._http
        self._owns_http = False
        self._limiter = parent._limiter
        self._fast = parent._fast
        self._signing = parent._signing
        self._webhook_hub = parent._webhook_hub
        self._is_view = True
        self._home_loop = parent._home_loop

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
        self._transport.home_loop = self._home_loop
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
        timeout: TimeoutInput | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
        retry_policy: RetryPolicy | NotGiven = NOT_GIVEN,
        submerchant: str | NotGiven | None = NOT_GIVEN,
        api_version: ApiVersion | NotGiven = NOT_GIVEN,
        base_url: str | NotGiven | None = NOT_GIVEN,
        kyc_base_url: str | NotGiven | None = NOT_GIVEN,
        kyc_signer: KycSigner | NotGiven | None = NOT_GIVEN,
    ) -> AsyncBank131:
        """A view with other per-request settings that shares this client's pool, keys and
        webhook hub; an argument left out keeps this client's value (``submerchant=None``
        removes the submerchant).

        It is built by the constructor, like any client, so every setting is checked the same
        way. Closing the view does not close the pool; close the original client.
        """
        changes: dict[str, Any] = {
            name: value
            for name, value in (
                ("timeout", timeout),
                ("max_retries", max_retries),
                ("submerchant", submerchant),
                ("api_version", api_version),
                ("base_url", base_url),
                ("kyc_base_url", kyc_base_url),
            )
            if value is not NOT_GIVEN
        }
        if not isinstance(retry_policy, NotGiven) and not isinstance(max_retries, NotGiven):
            raise ConfigurationError("pass max_retries= or retry_policy=, not both")
        if not isinstance(retry_policy, NotGiven):
            policy = retry_policy
            changes["max_retries"] = retry_policy.max_retries
        elif not isinstance(max_retries, NotGiven):
            policy = attrs.evolve(self._policy, max_retries=max_retries)
        else:
            policy = self._policy
        return type(self)(
            config=attrs.evolve(self._config, **changes),
            retry_policy=policy,
            kyc_signer=self._kyc_signer if isinstance(kyc_signer, NotGiven) else kyc_signer,
            _parent=self,
        )

    # ------------------------------------------------------------------ properties

    @property
    def config(self) -> Config:
        """The settings this client (or view) was built with."""
        return self._config

    @property
    def signer(self) -> RequestSigner:
        """Signs request bodies with the partner's private key (``repr`` shows no key)."""
        return self._signer

    @property
    def is_closed(self) -> bool:
        """Whether :meth:`aclose` ran (calls then raise ``ClientClosedError``)."""
        return self._closed

    async def with_raw_response(self, call: Awaitable[T]) -> RawResponse[T]:
        """Await ``call`` (any method of this client) and return its parsed result with the
        HTTP answer: ``http_status``, ``headers``, ``request_id``, ``attempts``,
        ``idempotency_key``::

            response = await bank.with_raw_response(bank.sessions.status("ps_1"))
            response.http_status, response.parsed.status
        """
        return await capture_answer(call)

    # ------------------------------------------------------------------ lifecycle

    def _pin_to_loop(self, loop: asyncio.AbstractEventLoop | None) -> None:
        """Refuse requests from any other event loop, at once, with an error that says why
        (an in-loop mock bank cannot answer them)."""
        self._home_loop = self._transport.home_loop = loop

    def _mark_closed(self) -> None:
        """Closed without I/O: for a client whose HTTP client is not its own (the testing
        fixture's), where closing has nothing to release."""
        self._closed = True
        self.webhooks.detach_all()

    async def aclose(self) -> None:
        """Close the pooled HTTP client (unless it was passed in). Idempotent."""
        if self._closed:
            return
        self._closed = True
        if not self._is_view:
            self.webhooks.detach_all()
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

    def __del__(self) -> None:
        # No I/O here (the loop may be gone): only say that the pool was never closed. A client
        # that never sent a request has no connection open, so it is not worth a warning.
        if getattr(self, "_closed", True) or getattr(self, "_is_view", True):
            return
        transport = getattr(self, "_transport", None)
        if getattr(self, "_owns_http", False) and transport is not None and transport.used:
            warnings.warn(
                f"{self!r} was never closed, so its connections stay open: use it as "
                "`async with AsyncBank131(...) as bank:` or call `await bank.aclose()`",
                ResourceWarning,
                source=self,
                stacklevel=2,
            )

    def __repr__(self) -> str:
        return (
            f"AsyncBank131(project={self._config.project!r}, url={self._config.url!r}, "
            f"api_version={self._config.api_version!r})"
        )
