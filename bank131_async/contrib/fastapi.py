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

from ..errors import InvalidSignatureError, WebhookDecodeError
from ..models.webhooks import WebhookEvent
from ..resources.webhooks import WebhooksResource
from ..signing import SignatureVerifier
from ..webhooks import (
    DEFAULT_MAX_BODY_SIZE,
    SIGNATURE_HEADER,
    TOO_LARGE,
    WebhookRouter,
    parse_webhook,
    read_capped,
    receive_webhook,
)
from ._source import resolve_source

if TYPE_CHECKING:
    from ..client import AsyncBank131

__all__ = ["DEFAULT_PATH", "verified_webhook", "webhook_router"]

DEFAULT_PATH = "/bank131/webhooks"


def webhook_router(
    source: AsyncBank131 | WebhooksResource | SignatureVerifier,
    router: WebhookRouter,
    *,
    path: str = DEFAULT_PATH,
    max_body_size: int = DEFAULT_MAX_BODY_SIZE,
    **api_router_options: Any,
) -> APIRouter:
    """An ``APIRouter`` with one ``POST path`` route receiving Bank 131 webhooks.

    ``source`` verifies signatures: the client (``bank_public_key`` must be configured; the
    router is then attached to it for webhook-driven waits), its ``webhooks``, or a
    ``SignatureVerifier``. A body over ``max_body_size`` bytes is answered 413 without being
    read into memory.
    """
    verifier = resolve_source(source, router)
    api = APIRouter(**api_router_options)

    async def bank131_webhook(request: Request) -> Response:
        body = await _read(request, max_body_size)
        reply = (
            TOO_LARGE
            if body is None
            else await receive_webhook(
                body, request.headers.get(SIGNATURE_HEADER), verifier=verifier, router=router
            )
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
