"""Webhook delivery: POST each event, signed with the bank key, retrying with growing intervals.

Bodies are ``{"type": ..., "session": ...}`` with the session as ``session/status`` shows it
(spelling per ``MockConfig.webhook_api_version``), frozen at the moment of the event.
"""

from __future__ import annotations

import asyncio
import base64
import threading
from collections import deque
from typing import Any

import anyio
import attrs
import httpx
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from .config import MockConfig
from .state import Session
from .wire import dumps

__all__ = ["OUTBOX", "WebhookDelivery", "WebhookSender", "deliver_to_app"]

#: ``MockConfig.webhook_url`` value that keeps webhooks for :func:`deliver_to_app`.
OUTBOX = "outbox"


@attrs.define(eq=False)
class WebhookDelivery:
    """What happened to one webhook; tests read these."""

    type: str
    session_id: str
    body: bytes = attrs.field(repr=False)
    signature: str = attrs.field(default="", repr=False)
    #: Per attempt: the HTTP status, or the name of the transport error.
    outcomes: list[int | str] = attrs.field(factory=list)
    delivered: bool = False
    finished: bool = False


#: Deliveries in flight at once. Bursts queue on this semaphore (O(1) per waiter) instead of
#: in httpx's pool, whose per-event scan over waiting requests starved the event loop when
#: 1,000 webhooks went out together (pool timeouts, lost deliveries).
MAX_CONCURRENT_DELIVERIES = 20


class WebhookSender:
    def __init__(self, config: MockConfig, bank_key: rsa.RSAPrivateKey) -> None:
        self.config = config
        self._key = bank_key
        self.deliveries: list[WebhookDelivery] = []
        self._tasks: set[asyncio.Task[None]] = set()
        self._client: httpx.AsyncClient | None = None
        self._slots = asyncio.Semaphore(MAX_CONCURRENT_DELIVERIES)
        #: Signed webhooks waiting for :func:`deliver_to_app` (``webhook_url="outbox"``).
        #: A deque: the mock may run in another thread than the test that delivers them.
        self.outbox: deque[WebhookDelivery] = deque()
        self.outbox_filled = threading.Event()

    def send(self, kind: str, session: Session) -> None:
        url = self.config.webhook_url
        if url is None:
            return
        version = self.config.webhook_api_version
        event: dict[str, Any] = {"type": kind, "session": session.render(version)}
        if kind == "ready_to_confirm":
            confirm_information = session.confirm_information_for(version)
            if confirm_information is not None:
                event["confirm_information"] = confirm_information
        body = dumps(event)
        signature = base64.b64encode(self._key.sign(body, padding.PKCS1v15(), hashes.SHA256()))
        delivery = WebhookDelivery(kind, session.id, body, signature=signature.decode())
        self.deliveries.append(delivery)
        if url == OUTBOX:
            self.outbox.append(delivery)
            self.outbox_filled.set()
            return
        task = asyncio.get_running_loop().create_task(
            self._deliver(url, body, signature.decode(), delivery)
        )
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _deliver(
        self, url: str, body: bytes, signature: str, delivery: WebhookDelivery
    ) -> None:
        if self._client is None:
            limits = httpx.Limits(max_connections=MAX_CONCURRENT_DELIVERIES)
            self._client = httpx.AsyncClient(timeout=self.config.webhook_timeout, limits=limits)
        headers = {"Content-Type": "application/json", "X-PARTNER-SIGN": signature}
        delay = self.config.webhook_retry_delay
        try:
            for attempt in range(1, self.config.webhook_max_attempts + 1):
                try:
                    async with self._slots:
                        response = await self._client.post(url, content=body, headers=headers)
                except httpx.HTTPError as exc:
                    delivery.outcomes.append(type(exc).__name__)
                else:
                    delivery.outcomes.append(response.status_code)
                    if response.status_code == 200:
                        delivery.delivered = True
                        return
                if attempt < self.config.webhook_max_attempts:
                    await asyncio.sleep(delay)
                    delay *= 2
        finally:
            delivery.finished = True

    async def wait_idle(self, timeout: float = 5.0) -> None:
        """Until every webhook sent so far is delivered or given up (bounded by ``timeout``)."""
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=timeout)

    async def aclose(self) -> None:
        for task in self._tasks:
            task.cancel()
        if self._tasks:
            await asyncio.wait(set(self._tasks))
        if self._client is not None:
            await self._client.aclose()
            self._client = None


async def deliver_to_app(
    sender: WebhookSender,
    app: Any,
    path: str = "/bank131/webhooks",
    *,
    at_least: int = 0,
    timeout: float = 5.0,
) -> list[WebhookDelivery]:
    """POST the outbox's webhooks, signed as the bank signs them, into the ASGI ``app`` (your
    FastAPI app) in the *calling* event loop, without a server; returns them with the answer of
    this attempt in ``outcomes``. A delivery answered with anything but 200 goes back to the
    outbox (the bank re-sends). ``at_least``: first wait (up to ``timeout`` seconds) until
    that many are waiting -- the mock emits them on its own timers.
    """
    with anyio.fail_after(timeout):
        while len(sender.outbox) < at_least:
            sender.outbox_filled.clear()
            if len(sender.outbox) >= at_least:
                break
            await anyio.to_thread.run_sync(sender.outbox_filled.wait, 0.05)
    taken: list[WebhookDelivery] = []
    while sender.outbox:
        taken.append(sender.outbox.popleft())
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bank131-mock") as client:
        for delivery in taken:
            headers = {"Content-Type": "application/json", "X-PARTNER-SIGN": delivery.signature}
            response = await client.post(path, content=delivery.body, headers=headers)
            delivery.outcomes.append(response.status_code)
            if response.status_code == 200:
                delivery.delivered = delivery.finished = True
            else:
                sender.outbox.append(delivery)
    return taken
