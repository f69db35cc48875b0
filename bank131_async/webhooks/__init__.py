"""Receive Bank 131 webhooks: verify, parse into typed events, route to handlers.

Parse one webhook (the signature is checked over the raw bytes before anything is parsed)::

    event = bank.webhooks.parse(raw_body, request.headers.get("X-PARTNER-SIGN"))

Route events to async handlers, each delivery handled once even though the bank re-sends::

    router = WebhookRouter()

    @router.on(ReadyToConfirm)
    async def confirm(event: ReadyToConfirm) -> None:
        await bank.sessions.confirm(event.session.id,
                                    confirm_information=event.confirm_information)

    @router.on("payment_finished")
    async def finished(event: WebhookEvent) -> None: ...

    bank.webhooks.attach(router)   # sessions.wait_* now resolve from webhooks

and mount a ready receiver: :mod:`bank131_async.contrib.fastapi` or
:mod:`bank131_async.contrib.aiohttp` (both built on :func:`receive_webhook`).

One module per job: :mod:`.parse` (verify and parse), :mod:`.seen` (the de-duplication
store), :mod:`.router` (handlers), :mod:`.receive` (the framework-free receiver).
"""

from .parse import SIGNATURE_HEADER, parse_webhook, webhook_digest
from .receive import DEFAULT_MAX_BODY_SIZE, TOO_LARGE, WebhookReply, read_capped, receive_webhook
from .router import DispatchResult, WebhookRouter
from .seen import MemorySeenStore, SeenStore

__all__ = [
    "DEFAULT_MAX_BODY_SIZE",
    "SIGNATURE_HEADER",
    "TOO_LARGE",
    "DispatchResult",
    "MemorySeenStore",
    "SeenStore",
    "WebhookReply",
    "WebhookRouter",
    "parse_webhook",
    "read_capped",
    "receive_webhook",
    "webhook_digest",
]
