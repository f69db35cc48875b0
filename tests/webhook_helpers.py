"""Webhook events, session snapshots, a handler that fails once, and a count of status polls
(what webhooks should save), for the router, hub, runner and webhook end-to-end tests."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bank131_async.converter import structure
from bank131_async.models import Session, WebhookEvent
from bank131_async.resources.sessions import SessionsResource
from bank131_async.testing import WebhookSigner, webhook_payload
from bank131_async.webhooks import parse_webhook

__all__ = ["T0", "FailsFirst", "StatusCounter", "event_of", "session"]

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


class FailsFirst:
    """A webhook handler whose first call fails (a database briefly down) and whose later
    calls succeed; ``before_failing`` runs inside the first call, before it raises. ``seen``:
    the type of every event it was called with."""

    def __init__(
        self,
        message: str = "database down",
        before_failing: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self.message = message
        self.before_failing = before_failing
        self.seen: list[str] = []

    async def __call__(self, event: WebhookEvent) -> None:
        self.seen.append(event.type)
        if len(self.seen) == 1:
            if self.before_failing is not None:
                await self.before_failing()
            raise RuntimeError(self.message)


class StatusCounter:
    """Counts ``sessions.status`` calls of every client (the waits poll through it) while
    ``patch`` is in place; the ``status_calls`` fixture sets it up."""

    def __init__(self) -> None:
        self.calls = 0

    def patch(self, monkeypatch: pytest.MonkeyPatch) -> StatusCounter:
        original = SessionsResource.status

        async def status(resource: SessionsResource, session_id: str, **kw: Any) -> Session:
            self.calls += 1
            return await original(resource, session_id, **kw)

        monkeypatch.setattr(SessionsResource, "status", status)
        return self
