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

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from aiohttp import web

from ..signing import SignatureVerifier
from ..webhooks import (
    SIGNATURE_HEADER,
    WebhookRouter,
    WebhooksResource,
    receive_webhook,
    resolve_source,
)

if TYPE_CHECKING:
    from ..client import AsyncBank131

__all__ = ["DEFAULT_PATH", "webhook_app", "webhook_handler"]

DEFAULT_PATH = "/bank131/webhooks"

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def webhook_handler(
    source: AsyncBank131 | WebhooksResource | SignatureVerifier, router: WebhookRouter
) -> Handler:
    """An aiohttp handler receiving Bank 131 webhooks (route it with ``add_post``)."""
    verifier = resolve_source(source, router)

    async def bank131_webhook(request: web.Request) -> web.StreamResponse:
        reply = await receive_webhook(
            await request.read(),
            request.headers.get(SIGNATURE_HEADER),
            verifier=verifier,
            router=router,
        )
        return web.Response(body=reply.body, status=reply.status, content_type="application/json")

    return bank131_webhook


def webhook_app(
    source: AsyncBank131 | WebhooksResource | SignatureVerifier,
    router: WebhookRouter,
    *,
    path: str = DEFAULT_PATH,
) -> web.Application:
    """A ``web.Application`` with one ``POST path`` route (run it, or ``add_subapp`` it)."""
    app = web.Application()
    app.router.add_post(path, webhook_handler(source, router))
    return app
