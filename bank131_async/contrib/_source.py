"""What a receiver is built from: the client, its ``webhooks``, or a bare verifier."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..resources.webhooks import WebhooksResource
from ..signing import SignatureVerifier
from ..webhooks.router import WebhookRouter

if TYPE_CHECKING:
    from ..client import AsyncBank131

__all__ = ["resolve_source"]


def resolve_source(
    source: AsyncBank131 | WebhooksResource | SignatureVerifier, router: WebhookRouter
) -> SignatureVerifier:
    """The verifier behind a receiver's ``source``; a client (or its ``webhooks``) also gets
    ``router`` attached, so its waits resolve from the webhooks this receiver gets."""
    if isinstance(source, SignatureVerifier):
        return source
    resource = source if isinstance(source, WebhooksResource) else source.webhooks
    verifier = resource.verifier  # ConfigurationError now, not at the first webhook
    resource.attach(router)
    return verifier
