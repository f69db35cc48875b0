"""Route webhook events to async handlers, each delivery handled once."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from enum import StrEnum
from typing import Any, TypeVar, overload

import anyio
import attrs

from .._logging import logger
from ..converter import converter
from ..models.webhooks import UnknownWebhook, WebhookEvent
from .parse import webhook_digest
from .seen import MemorySeenStore, SeenStore

__all__ = ["DispatchResult", "WebhookRouter"]

E = TypeVar("E")
H = TypeVar("H", bound=Callable[..., Awaitable[Any]])


class DispatchResult(StrEnum):
    """What :meth:`WebhookRouter.dispatch` did with an event (every value answers 200)."""

    #: At least one handler ran and none failed.
    HANDLED = "handled"
    #: No handler is registered for this event (still a success: answer 200).
    UNHANDLED = "unhandled"
    #: This exact delivery was already handled; handlers were not called again.
    DUPLICATE = "duplicate"


_ANY = "*"
_UNKNOWN = "__unknown__"


def _key_for(kind: object) -> str:
    if isinstance(kind, str):
        return str(kind)
    if kind is UnknownWebhook:
        return _UNKNOWN
    if isinstance(kind, type) and attrs.has(kind):
        default = attrs.fields_dict(kind).get("type")
        if default is not None and isinstance(default.default, str):
            return default.default
    raise TypeError(f"router.on() takes a webhook type name or event class, got {kind!r}")


def _event_key(event: WebhookEvent) -> str:
    if event.digest:
        return event.digest
    # An event built by hand (tests): a stable digest of its content.
    content = json.dumps(converter.unstructure(event), sort_keys=True, default=str)
    return webhook_digest(content.encode())


class WebhookRouter:
    """Async handlers per webhook type, with de-duplication of re-sent deliveries.

    ::

        router = WebhookRouter()

        @router.on(PaymentFinished)            # or @router.on("payment_finished")
        async def finished(event: PaymentFinished) -> None: ...

        @router.on(UnknownWebhook)             # every type this SDK does not know
        async def other(event: UnknownWebhook) -> None: ...

        result = await router.dispatch(event)  # DispatchResult

    ``"*"`` registers a handler for every event. Handlers run in registration order; the first
    exception propagates (receivers answer 500, so the bank re-sends) and the delivery is not
    marked as seen, so that re-send is processed again.

    De-duplication key: the SHA-256 of the raw body (``event.digest``). The bank re-sends the
    exact same bytes when it got no 200, and Bank 131 signatures carry no timestamp or
    delivery id, so identical bytes are the only reliable identity of a delivery. Distinct
    events differ in their bytes (type, session status, ``updated_at``), so they are never
    merged; the signature is not used because it changes when the bank rotates its key while
    the body stays the same. A re-send that arrives while the first delivery is still being
    handled in this process waits for it, then counts as a duplicate only if it succeeded.
    """

    def __init__(self, *, seen: SeenStore | None = None, dedupe: bool = True) -> None:
        self.seen: SeenStore = seen if seen is not None else MemorySeenStore()
        self.dedupe = dedupe
        self._handlers: dict[str, list[Callable[[Any], Awaitable[Any]]]] = {}
        self._listeners: list[Callable[[WebhookEvent], None]] = []
        self._inflight: dict[str, anyio.Event] = {}

    @overload
    def on(
        self, kind: type[E]
    ) -> Callable[[Callable[[E], Awaitable[Any]]], Callable[[E], Awaitable[Any]]]: ...

    @overload
    def on(self, kind: str) -> Callable[[H], H]: ...

    def on(self, kind: Any) -> Callable[[Any], Any]:
        """Decorator registering an async handler for ``kind`` (type name or event class)."""
        key = _key_for(kind)

        def register(handler: Any) -> Any:
            self.add_handler(key, handler)
            return handler

        return register

    def add_handler(self, kind: str | type[Any], handler: Callable[[Any], Awaitable[Any]]) -> None:
        """Register ``handler`` for ``kind`` (what :meth:`on` does, without a decorator)."""
        self._handlers.setdefault(_key_for(kind), []).append(handler)

    def add_listener(self, listener: Callable[[WebhookEvent], None]) -> None:
        """Call ``listener(event)`` for every dispatched event, duplicates included, before
        the handlers (how ``bank.webhooks.attach`` feeds the session waits). A listener must
        be quick and must not raise (errors are logged and ignored)."""
        if listener not in self._listeners:
            self._listeners.append(listener)

    def remove_listener(self, listener: Callable[[WebhookEvent], None]) -> None:
        """Stop calling ``listener`` (what ``bank.webhooks.detach`` does)."""
        if listener in self._listeners:
            self._listeners.remove(listener)

    def has_listener(self, listener: Callable[[WebhookEvent], None]) -> bool:
        """Whether ``listener`` is registered."""
        return listener in self._listeners

    def handlers_for(self, event: WebhookEvent) -> list[Callable[[Any], Awaitable[Any]]]:
        """The handlers :meth:`dispatch` runs for ``event``, in order: those of its type, those of
        :class:`~bank131_async.models.UnknownWebhook` for a type this SDK does not know, then the
        ``"*"`` ones.
        """
        found = list(self._handlers.get(event.type, ()))
        if isinstance(event, UnknownWebhook):
            found += self._handlers.get(_UNKNOWN, ())
        found += self._handlers.get(_ANY, ())
        return found

    async def dispatch(self, event: WebhookEvent) -> DispatchResult:
        """Run the handlers of ``event`` once per delivery; see the class docs."""
        for listener in self._listeners:
            try:
                listener(event)
            except Exception:
                logger.exception("webhook listener %r failed", listener)
        if not self.dedupe:
            return await self._run(event)
        key = _event_key(event)
        while (running := self._inflight.get(key)) is not None:
            await running.wait()
        # Claimed in this process before the first await, so a concurrent re-send waits above.
        finished = self._inflight[key] = anyio.Event()
        try:
            if not await self.seen.add_if_new(key):
                logger.info(
                    "webhook %s for %s: duplicate delivery, skipped", event.type, _sid(event)
                )
                return DispatchResult.DUPLICATE
            try:
                return await self._run(event)
            except BaseException:
                with anyio.CancelScope(shield=True):
                    await self.seen.discard(key)
                raise
        finally:
            del self._inflight[key]
            finished.set()

    async def _run(self, event: WebhookEvent) -> DispatchResult:
        handlers = self.handlers_for(event)
        if not handlers:
            if isinstance(event, UnknownWebhook):
                logger.warning("webhook of unknown type %r received and acknowledged", event.type)
            return DispatchResult.UNHANDLED
        for handler in handlers:
            await handler(event)
        return DispatchResult.HANDLED


def _sid(event: WebhookEvent) -> str:
    return event.session.id if event.session is not None else "-"
