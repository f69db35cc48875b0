"""``bank.webhooks``: verify and parse webhooks; attach routers that drive the session waits."""

from __future__ import annotations

from ..errors import ConfigurationError
from ..hub import SessionEventHub
from ..models.webhooks import WebhookEvent
from ..polling import PollSchedule
from ..signing import SignatureVerifier
from ..webhooks.parse import parse_webhook
from ..webhooks.router import WebhookRouter

__all__ = ["WebhooksResource"]


class WebhooksResource:
    """``bank.webhooks``: verify and parse webhooks; attach routers that drive the waits.

    ::

        event = bank.webhooks.parse(raw_body, signature)      # InvalidSignatureError if forged
        bank.webhooks.attach(router)                          # waits resolve from webhooks
    """

    __slots__ = ("_hub", "_verifier")

    def __init__(self, verifier: SignatureVerifier | None, hub: SessionEventHub) -> None:
        self._verifier = verifier
        self._hub = hub

    @property
    def verifier(self) -> SignatureVerifier:
        """The :class:`~bank131_async.signing.SignatureVerifier` of ``bank_public_key``; a
        :class:`~bank131_async.errors.ConfigurationError` if the client has no bank key.
        """
        if self._verifier is None:
            raise ConfigurationError(
                "bank_public_key is not configured; pass the Bank 131 public key "
                "(AsyncBank131(bank_public_key=...)) to verify webhooks"
            )
        return self._verifier

    @property
    def hub(self) -> SessionEventHub:
        """The client's session event hub (webhook-driven waits)."""
        return self._hub

    def parse(self, body: bytes | str, signature: str | None) -> WebhookEvent:
        """Verify over the raw ``body`` and parse; see :func:`parse_webhook`."""
        return parse_webhook(body, signature, self.verifier)

    def attach(
        self, router: WebhookRouter, *, fallback: PollSchedule | None = None
    ) -> WebhookRouter:
        """Feed every event ``router`` dispatches to this client's session waits.

        From then on ``sessions.wait_for_next_action`` / ``wait_for_finished`` resolve from
        webhooks and poll only on ``fallback`` (default every 5 s growing to 30 s).
        Idempotent per router. Returns ``router``.
        """
        if fallback is not None:
            self._hub.fallback = fallback
        if not router.has_listener(self._hub.publish_event):
            router.add_listener(self._hub.publish_event)
            self._hub.attach_source()
            self._hub.routers.add(router)
        return router

    def detach(self, router: WebhookRouter) -> None:
        """Stop feeding the waits from ``router`` (waits fall back to fast polling when no
        router is attached)."""
        if router.has_listener(self._hub.publish_event):
            router.remove_listener(self._hub.publish_event)
            self._hub.detach_source()
        self._hub.routers.discard(router)

    def detach_all(self) -> None:
        """Detach every router this client's hub is fed by (the client closes: a router that
        outlives it, such as a module-level one, must not keep feeding a dead client)."""
        for router in list(self._hub.routers):
            self.detach(router)

    def feed(self, event: WebhookEvent) -> None:
        """Publish an event you parsed yourself (without a router) to the waits."""
        self._hub.publish_event(event)

    def __repr__(self) -> str:
        return f"WebhooksResource(verifier={self._verifier!r}, active={self._hub.active})"
