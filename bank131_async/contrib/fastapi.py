"""FastAPI receiver for Bank 131 webhooks (``pip install 'bank131-async[fastapi]'``).

Mount the ready route; it reads the raw body, verifies ``X-PARTNER-SIGN``, dispatches to your
router and answers 200 (handled, duplicate, unknown type), 400 (bad signature or body) or 500
(a handler raised: the bank re-sends)::

    from fastapi import FastAPI
    from bank131_async.contrib.fastapi import webhook_router
    from bank131_async.webhooks import WebhookRouter

    router = WebhookRouter()

    @router.on("payment_finished")
    async def finished(event) -> None: ...

    app = FastAPI()
    app.include_router(webhook_router(bank, router, path="/bank131/webhooks"))

Passing the client (not just a ``SignatureVerifier``) also attaches ``router`` to it, so
``bank.sessions.wait_*`` resolve from these webhooks.

**Create the client in the app's lifespan** and let the route find it at request time, so a
lifespan that runs again (every test does) never stacks routes or listeners: the route looks
up ``app.state.<name>``, attaches ``router`` to that client once, and a closing client detaches
it again::

    router = WebhookRouter()                      # module level, handlers registered once

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with AsyncBank131.from_env() as bank:
            app.state.bank131 = bank
            yield

    app = FastAPI(lifespan=lifespan)
    app.include_router(webhook_router(from_app_state("bank131"), router))

Or verify inside your own route with the dependency::

    @app.post("/hooks")
    async def hooks(event: WebhookEvent = Depends(verified_webhook(bank))) -> dict[str, str]:
        ...   # 400 was already answered for a bad signature or body
        return {}
"""

# ruff: noqa: E402 -- the imports below come after the check that names a missing extra
from __future__ import annotations

from .._extras import require

require("bank131_async.contrib.fastapi", "fastapi", "fastapi")

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, HTTPException, Request, Response

from .._logging import logger
from ..errors import InvalidSignatureError, WebhookDecodeError
from ..models.webhooks import WebhookEvent
from ..resources.webhooks import WebhooksResource
from ..signing import SignatureVerifier
from ..webhooks import (
    DEFAULT_MAX_BODY_SIZE,
    SIGNATURE_HEADER,
    WebhookRouter,
    parse_webhook,
    read_capped,
    receive_webhook,
)
from ._source import resolve_source

if TYPE_CHECKING:
    from ..client import AsyncBank131

__all__ = ["DEFAULT_PATH", "AppStateLookup", "from_app_state", "verified_webhook", "webhook_router"]

DEFAULT_PATH = "/bank131/webhooks"


class AppStateLookup:
    """Finds the client on ``request.app.state.<name>`` at request time (see
    :func:`from_app_state`)."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __call__(self, request: Request) -> AsyncBank131 | WebhooksResource | SignatureVerifier:
        found = getattr(request.app.state, self.name, None)
        if found is None:
            raise LookupError(
                f"app.state.{self.name} is not set: create the client in the app's lifespan "
                f"(app.state.{self.name} = bank) before webhooks arrive"
            )
        return found  # type: ignore[no-any-return]

    def __repr__(self) -> str:
        return f"from_app_state({self.name!r})"


def from_app_state(name: str = "bank131") -> AppStateLookup:
    """A receiver ``source`` that is the client stored on ``app.state.<name>`` by the app's
    lifespan, looked up at each request."""
    return AppStateLookup(name)


_NOT_READY = Response(
    b'{"error":"client not ready"}', status_code=503, media_type="application/json"
)


def webhook_router(
    source: AsyncBank131 | WebhooksResource | SignatureVerifier | AppStateLookup,
    router: WebhookRouter,
    *,
    path: str = DEFAULT_PATH,
    max_body_size: int = DEFAULT_MAX_BODY_SIZE,
    **api_router_options: Any,
) -> APIRouter:
    """An ``APIRouter`` with one ``POST path`` route receiving Bank 131 webhooks.

    ``source`` verifies signatures: the client (``bank_public_key`` must be configured; the
    router is then attached to it for webhook-driven waits), its ``webhooks``, a
    ``SignatureVerifier``, or :func:`from_app_state` to find the client at request time
    (until the lifespan has set it, deliveries are answered 503 and the bank re-sends). A
    body over ``max_body_size`` bytes is answered 413 without being read into memory.
    """
    fixed = None if isinstance(source, AppStateLookup) else resolve_source(source, router)
    api = APIRouter(**api_router_options)

    async def bank131_webhook(request: Request) -> Response:
        if fixed is not None:
            verifier = fixed
        else:
            assert isinstance(source, AppStateLookup)
            try:
                verifier = resolve_source(source(request), router)  # attach() is idempotent
            except LookupError as exc:
                logger.error("webhook refused: %s", exc)
                return _NOT_READY
        body = await _read(request, max_body_size)
        reply = await receive_webhook(
            body, request.headers.get(SIGNATURE_HEADER), verifier=verifier, router=router
        )
        return Response(reply.body, status_code=reply.status, media_type="application/json")

    api.add_api_route(
        path, bank131_webhook, methods=["POST"], include_in_schema=False, name="bank131_webhook"
    )
    return api


async def _read(request: Request, limit: int) -> bytes | None:
    return await read_capped(
        request.stream(), declared=request.headers.get("content-length"), limit=limit
    )


def verified_webhook(
    source: AsyncBank131 | WebhooksResource | SignatureVerifier,
    *,
    max_body_size: int = DEFAULT_MAX_BODY_SIZE,
) -> Callable[[Request], Awaitable[WebhookEvent]]:
    """A dependency giving the verified, typed event of the request (400 otherwise, 413 for a
    body over ``max_body_size`` bytes).

    With a client (or its ``webhooks``) as ``source`` every event also feeds the client's
    session waits, which then become webhook-driven.
    """
    feed = WebhookRouter(dedupe=False)  # no handlers: it only feeds the client's waits
    verifier = resolve_source(source, feed)

    async def dependency(request: Request) -> WebhookEvent:
        body = await _read(request, max_body_size)
        if body is None:
            raise HTTPException(413, "body too large")
        try:
            event = parse_webhook(body, request.headers.get(SIGNATURE_HEADER), verifier)
        except InvalidSignatureError:
            raise HTTPException(400, "invalid signature") from None
        except WebhookDecodeError:
            raise HTTPException(400, "bad webhook body") from None
        await feed.dispatch(event)
        return event

    return dependency
