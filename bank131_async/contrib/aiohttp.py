"""aiohttp receiver for Bank 131 webhooks (``pip install 'bank131-async[aiohttp]'``).

It reads the raw body, verifies ``X-PARTNER-SIGN``, dispatches to your router and answers 200
(handled, duplicate, unknown type), 400 (bad signature or body) or 500 (a handler raised: the
bank re-sends)::

    from aiohttp import web
    from bank131_async.contrib.aiohttp import webhook_app, webhook_handler

    app = web.Application()
    app.router.add_post("/bank131/webhooks", webhook_handler(bank, router))
    # or a whole app to mount: app.add_subapp("/bank131", webhook_app(bank, router, path="/webhooks"))

Passing the client (not just a ``SignatureVerifier``) also attaches ``router`` to it, so
``bank.sessions.wait_*`` resolve from these webhooks.
"""

# ruff: noqa: E402 -- the imports below come after the check that names a missing extra
from __future__ import annotations

from .._extras import require

require("bank131_async.contrib.aiohttp", "aiohttp", "aiohttp")

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from aiohttp import web

from ..resources.webhooks import WebhooksResource
from ..signing import SignatureVerifier
from ..webhooks import (
    DEFAULT_MAX_BODY_SIZE,
    SIGNATURE_HEADER,
    WebhookRouter,
    read_capped,
    receive_webhook,
)
from ._source import resolve_source

if TYPE_CHECKING:
    from ..client import AsyncBank131

__all__ = ["DEFAULT_PATH", "webhook_app", "webhook_handler"]

DEFAULT_PATH = "/bank131/webhooks"

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def webhook_handler(
    source: AsyncBank131 | WebhooksResource | SignatureVerifier,
    router: WebhookRouter,
    *,
    max_body_size: int = DEFAULT_MAX_BODY_SIZE,
) -> Handler:
    """An aiohttp handler receiving Bank 131 webhooks (route it with ``add_post``).

    A body over ``max_body_size`` bytes is answered 413 without being read into memory.
    """
    verifier = resolve_source(source, router)

    async def bank131_webhook(request: web.Request) -> web.StreamResponse:
        body = await read_capped(
            request.content.iter_chunked(64 * 1024),
            declared=request.headers.get("Content-Length"),
            limit=max_body_size,
        )
        reply = await receive_webhook(
            body, request.headers.get(SIGNATURE_HEADER), verifier=verifier, router=router
        )
        return web.Response(body=reply.body, status=reply.status, content_type="application/json")

    return bank131_webhook


def webhook_app(
    source: AsyncBank131 | WebhooksResource | SignatureVerifier,
    router: WebhookRouter,
    *,
    path: str = DEFAULT_PATH,
    max_body_size: int = DEFAULT_MAX_BODY_SIZE,
) -> web.Application:
    """A ``web.Application`` with one ``POST path`` route (run it, or ``add_subapp`` it)."""
    # aiohttp's own cap (client_max_size) applies to request.read(); the handler streams, so
    # its own limit is the one that counts.
    app = web.Application(client_max_size=max_body_size)
    app.router.add_post(path, webhook_handler(source, router, max_body_size=max_body_size))
    return app
