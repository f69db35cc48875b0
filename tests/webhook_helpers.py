"""Webhook events and session snapshots for the router and hub tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from bank131_async.converter import structure
from bank131_async.models import Session, WebhookEvent
from bank131_async.testing import WebhookSigner, webhook_payload
from bank131_async.webhooks import parse_webhook

__all__ = ["T0", "event_of", "session"]

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def event_of(signer: WebhookSigner, kind: str, **options: Any) -> WebhookEvent:
    """A verified, parsed event of ``kind`` (``webhook_payload`` options)."""
    return parse_webhook(*signer.sign(webhook_payload(kind, **options)), signer.verifier)


def session(kind: str, *, at: int | None = 0, **options: Any) -> Session:
    """The session of a ``kind`` webhook, updated ``at`` seconds after :data:`T0` (``None``:
    without ``updated_at``)."""
    data = webhook_payload(kind, updated_at=T0 + timedelta(seconds=at or 0), **options)["session"]
    if at is None:
        del data["updated_at"]
    return structure(data, Session)
