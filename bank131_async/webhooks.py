"""Receive Bank 131 webhooks: verify, parse into typed events, route to handlers, drive waits.

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
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import OrderedDict
from collections.abc import AsyncIterable, Awaitable, Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, overload

import anyio
import attrs

from ._json import JsonDepthError, loads
from ._logging import excerpt, logger
from .converter import converter
from .errors import ConfigurationError, InvalidSignatureError, WebhookDecodeError
from .models.enums import SessionStatus
from .models.sessions import Session
from .models.webhooks import (
    ActionRequired,
    NominalTopup,
    PaymentFinished,
    PaymentRefunded,
    ReadyToCapture,
    ReadyToConfirm,
    UnknownWebhook,
    WebhookEvent,
)
from .polling import PollSchedule
from .signing import SignatureVerifier

if TYPE_CHECKING:
    from .client import AsyncBank131

__all__ = [
    "DEFAULT_FALLBACK",
    "DEFAULT_MAX_BODY_SIZE",
    "SIGNATURE_HEADER",
    "TOO_LARGE",
    "DispatchResult",
    "MemorySeenStore",
    "SeenStore",
    "SessionEventHub",
    "WebhookReply",
    "WebhookRouter",
    "WebhooksResource",
    "parse_webhook",
    "read_capped",
    "receive_webhook",
    "resolve_source",
    "webhook_digest",
]

#: The header that carries the bank's signature (look it up case-insensitively).
SIGNATURE_HEADER = "X-PARTNER-SIGN"

#: How often a webhook-driven wait polls anyway (a webhook may be lost or not enabled).
DEFAULT_FALLBACK = PollSchedule(initial=5.0, maximum=30.0, factor=2.0, jitter=0.2)

_EXCERPT = 500
_SESSION_EVENTS: dict[str, type[Any]] = {
    "ready_to_confirm": ReadyToConfirm,
    "ready_to_capture": ReadyToCapture,
    "action_required": ActionRequired,
    "payment_finished": PaymentFinished,
    "payment_refunded": PaymentRefunded,
}

E = TypeVar("E")
H = TypeVar("H", bound=Callable[..., Awaitable[Any]])


# --------------------------------------------------------------------------- parsing


def parse_webhook(
    body: bytes | str, signature: str | None, verifier: SignatureVerifier
) -> WebhookEvent:
    """Verify ``signature`` over the raw ``body``, then parse it into a typed event.

    Pass the body exactly as received (bytes; a ``str`` is encoded as UTF-8, which is only
    exact if nothing re-encoded it). Raises :class:`InvalidSignatureError` for a missing or
    bad signature (nothing is parsed then) and :class:`WebhookDecodeError` for a verified body
    that is not JSON or not the documented shape. An unknown ``type`` is not an error: it
    becomes :class:`UnknownWebhook` with the body in ``raw``.

    >>> event = parse_webhook(body, headers.get("X-PARTNER-SIGN"), bank.verifier)  # doctest: +SKIP
    """
    verifier.verify(_raw_bytes(body), signature)
    return _decode(_raw_bytes(body))


def _raw_bytes(body: object) -> bytes:
    if isinstance(body, bytes):
        return body
    if isinstance(body, bytearray | memoryview):
        return bytes(body)
    if isinstance(body, str):
        try:
            return body.encode("utf-8")
        except UnicodeEncodeError:
            raise InvalidSignatureError(
                "cannot verify the webhook: its body is a str that is not valid Unicode (a lone "
                "surrogate); pass the raw body bytes exactly as received"
            ) from None
    raise InvalidSignatureError(
        f"cannot verify the webhook: its body is {type(body).__name__}; pass the raw body "
        "bytes exactly as received"
    )


def webhook_digest(body: bytes) -> str:
    """SHA-256 (hex) of a webhook's raw bytes: its de-duplication key."""
    return hashlib.sha256(body).hexdigest()


def _decode_error(message: str, raw: bytes | str) -> WebhookDecodeError:
    return WebhookDecodeError(message, body_excerpt=excerpt(raw, _EXCERPT))


def _decode(raw: bytes) -> WebhookEvent:
    try:
        data = loads(raw)
    except JsonDepthError as exc:
        raise _decode_error(f"webhook body is not usable JSON: {exc}", raw) from None
    except ValueError:  # JSONDecodeError and UnicodeDecodeError
        raise _decode_error("webhook body is not JSON", raw) from None
    if not isinstance(data, dict):
        raise _decode_error("webhook body is not a JSON object", raw)
    kind = data.get("type")
    if not isinstance(kind, str) or not kind:
        raise _decode_error("webhook body has no 'type'", raw)
    digest = webhook_digest(raw)
    cls = _SESSION_EVENTS.get(kind)
    if cls is None:
        session = _lenient_session(data)
        if kind == "nominal_topup":
            return NominalTopup(session=session, raw=data, digest=digest)
        return UnknownWebhook(type=kind, session=session, raw=data, digest=digest)
    session = _session_of(data, raw)
    if cls is ReadyToConfirm:
        return ReadyToConfirm(
            session=session,
            confirm_information=session.confirm_information,
            raw=data,
            digest=digest,
        )
    event: WebhookEvent = cls(session=session, raw=data, digest=digest)
    return event


def _with_confirm_information(data: Mapping[str, Any]) -> Any:
    session = data.get("session")
    if isinstance(session, dict) and isinstance(data.get("confirm_information"), dict):
        # The bank sends it beside the session; the SDK keeps it on the Session too.
        session = {**session, "confirm_information": data["confirm_information"]}
    return session


def _session_of(data: Mapping[str, Any], raw: bytes) -> Session:
    session = _with_confirm_information(data)
    if not isinstance(session, dict):
        raise _decode_error(f"{data['type']} webhook has no 'session' object", raw)
    try:
        return converter.structure(session, Session)
    except Exception as exc:  # cattrs raises a family of types; none may escape the SDK
        reason = (
            f"missing required field {exc.args[0]!r}"
            if isinstance(exc, KeyError) and exc.args
            else excerpt(str(exc), 300)
        )
        raise _decode_error(f"could not parse the {data['type']} webhook: {reason}", raw) from None


def _lenient_session(data: Mapping[str, Any]) -> Session | None:
    """The session of an undocumented body, when it has a session-shaped one."""
    session = _with_confirm_information(data)
    if not isinstance(session, dict):
        return None
    try:
        return converter.structure(session, Session)
    except Exception:
        return None


# --------------------------------------------------------------------------- de-duplication


class SeenStore(Protocol):
    """Remembers which deliveries were handled, for de-duplication.

    ``add_if_new`` atomically claims ``key`` and says whether it was new; ``discard`` releases
    a claim (a handler failed, so the bank's re-send must be processed). Entries should expire
    after a TTL longer than the bank's re-send window (about 30 minutes). A shared store
    (Redis ``SET key 1 NX EX ttl`` / ``DEL key``) de-duplicates across processes; there a
    re-send reaching another process while the first attempt is still being handled counts as
    a duplicate, so keep handlers well below the bank's delivery timeout (enqueue long work).
    """

    async def add_if_new(self, key: str) -> bool: ...

    async def discard(self, key: str) -> None: ...


class MemorySeenStore:
    """In-process :class:`SeenStore`: at most ``max_size`` keys, each kept ``ttl`` seconds.

    The oldest keys go first when full, so memory stays bounded under any load.
    """

    def __init__(
        self,
        *,
        max_size: int = 100_000,
        ttl: float = 24 * 3600.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if max_size < 1 or not ttl > 0:
            raise ConfigurationError("MemorySeenStore needs max_size >= 1 and ttl > 0")
        self.max_size = max_size
        self.ttl = ttl
        self._clock = clock
        self._expiry: OrderedDict[str, float] = OrderedDict()

    def __len__(self) -> int:
        return len(self._expiry)

    async def add_if_new(self, key: str) -> bool:
        now = self._clock()
        expiry = self._expiry.get(key)
        if expiry is not None and expiry > now:
            return False
        self._expiry.pop(key, None)
        self._expiry[key] = now + self.ttl
        # Insertion order is expiry order (one ttl for all): drop expired and overflow.
        while self._expiry:
            oldest_key, oldest = next(iter(self._expiry.items()))
            if oldest > now and len(self._expiry) <= self.max_size:
                break
            del self._expiry[oldest_key]
        return True

    async def discard(self, key: str) -> None:
        self._expiry.pop(key, None)


# --------------------------------------------------------------------------- routing


class DispatchResult(StrEnum):
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
        if listener in self._listeners:
            self._listeners.remove(listener)

    def has_listener(self, listener: Callable[[WebhookEvent], None]) -> bool:
        return listener in self._listeners

    def handlers_for(self, event: WebhookEvent) -> list[Callable[[Any], Awaitable[Any]]]:
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


# --------------------------------------------------------------------------- receiving


@attrs.frozen(kw_only=True)
class WebhookReply:
    """What a receiver answers: ``status`` and a JSON ``body``; ``event`` if one was parsed."""

    status: int
    body: bytes
    event: WebhookEvent | None = None
    result: DispatchResult | None = None


_OK = b"{}"

#: The largest webhook body a receiver reads (``max_body_size=``). Bank 131 webhooks are a few
#: kilobytes; the body is read before its signature can be checked, so an unsigned request must
#: not be able to make the receiver buffer megabytes.
DEFAULT_MAX_BODY_SIZE = 1024 * 1024

#: What a receiver answers when the body is larger than its ``max_body_size``.
TOO_LARGE = WebhookReply(status=413, body=b'{"error":"body too large"}')


async def read_capped(
    chunks: AsyncIterable[bytes], *, declared: str | None, limit: int
) -> bytes | None:
    """The body from ``chunks``, or ``None`` as soon as it is known to exceed ``limit`` bytes
    (from the ``Content-Length`` header ``declared``, or while reading: nothing beyond the
    limit is buffered)."""
    if declared is not None:
        try:
            if int(declared) > limit:
                return None
        except ValueError:
            pass  # the server has already refused a malformed Content-Length
    parts: list[bytes] = []
    size = 0
    async for chunk in chunks:
        size += len(chunk)
        if size > limit:
            return None
        parts.append(chunk)
    return b"".join(parts)


async def receive_webhook(
    body: bytes,
    signature: str | None,
    *,
    verifier: SignatureVerifier,
    router: WebhookRouter,
) -> WebhookReply:
    """The whole receiver, framework-free: verify, parse, dispatch, choose the answer.

    * 200 -- handled, a duplicate, no handler, or an unknown ``type`` (the bank would
      otherwise re-send it for a long time; it is logged);
    * 400 -- missing/bad signature (nothing is parsed or dispatched) or a verified body that
      cannot be parsed (logged as an error: the bank keeps re-sending it);
    * 500 -- a handler raised: the bank re-sends later and the delivery is processed again.

    Handlers run before the answer, so keep them short (enqueue long work).
    """
    try:
        event = parse_webhook(body, signature, verifier)
    except InvalidSignatureError as exc:
        logger.warning("webhook rejected: %s", exc)
        return WebhookReply(status=400, body=b'{"error":"invalid signature"}')
    except WebhookDecodeError as exc:
        logger.error(
            "webhook with a valid signature could not be parsed: %s: %s", exc, exc.body_excerpt
        )
        return WebhookReply(status=400, body=b'{"error":"bad webhook body"}')
    try:
        result = await router.dispatch(event)
    except Exception:
        logger.exception(
            "webhook %s for %s: handler failed; answering 500", event.type, _sid(event)
        )
        return WebhookReply(status=500, body=b'{"error":"handler failed"}', event=event)
    return WebhookReply(status=200, body=_OK, event=event, result=result)


# --------------------------------------------------------------------------- session hub


def _rank(session: Session) -> int:
    if session.is_finished:
        return 3
    if session.status in (SessionStatus.ACCEPTED, SessionStatus.CANCELLED, SessionStatus.ERROR):
        return 2
    if session.status == SessionStatus.CREATED:
        return 0
    return 1


def _supersedes(new: Session, old: Session) -> bool:
    """Whether ``new`` is at least as recent as ``old`` (deliveries come in any order)."""
    a, b = new.updated_at, old.updated_at
    if isinstance(a, datetime) and isinstance(b, datetime):
        try:
            if a != b:
                return a > b
        except TypeError:  # naive vs aware (hand-built sessions): use the lifecycle order
            pass
    # No timestamps (or equal ones): never move backwards through the lifecycle.
    return _rank(new) >= _rank(old)


class _Entry:
    __slots__ = ("event", "session", "version", "watchers")

    def __init__(self) -> None:
        self.session: Session | None = None
        self.version = 0
        self.watchers = 0
        self.event: anyio.Event | None = None


class _Watch:
    __slots__ = ("_entry", "_seen")

    def __init__(self, entry: _Entry) -> None:
        self._entry = entry
        self._seen = 0

    def take(self) -> Session | None:
        entry = self._entry
        if entry.version == self._seen:
            return None
        self._seen = entry.version
        return entry.session

    async def changed(self) -> None:
        entry = self._entry
        if entry.version != self._seen:
            return
        if entry.event is None:
            entry.event = anyio.Event()
        await entry.event.wait()


class SessionEventHub:
    """Latest session snapshot per id, fed by webhooks, awaited by ``sessions.wait_*``.

    One per client (shared by its ``with_options`` views). ``publish`` keeps a snapshot only
    if it is not older than the one held (``updated_at``, else lifecycle order), so a late
    ``ready_to_confirm`` never un-finishes a session. Snapshots of sessions nobody waits for
    are kept for the ``max_sessions`` most recent ids (a webhook may beat the wait call).
    """

    def __init__(
        self, *, fallback: PollSchedule = DEFAULT_FALLBACK, max_sessions: int = 10_000
    ) -> None:
        self.fallback = fallback
        self.max_sessions = max_sessions
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._sources = 0

    @property
    def active(self) -> bool:
        """Whether a webhook source is attached (waits then poll only as a fallback)."""
        return self._sources > 0

    def attach_source(self) -> None:
        self._sources += 1

    def detach_source(self) -> None:
        self._sources = max(0, self._sources - 1)

    def _entry(self, session_id: str) -> _Entry:
        entry = self._entries.get(session_id)
        if entry is None:
            entry = self._entries[session_id] = _Entry()
            self._trim()
        else:
            self._entries.move_to_end(session_id)
        return entry

    def _trim(self) -> None:
        budget = len(self._entries)
        while len(self._entries) > self.max_sessions and budget > 0:
            budget -= 1
            key, entry = next(iter(self._entries.items()))
            if entry.watchers:
                self._entries.move_to_end(key)  # someone waits on it: keep
            else:
                del self._entries[key]

    def publish(self, session: Session) -> bool:
        """Offer a snapshot; wake its waiters if it is the newest. Returns whether kept."""
        entry = self._entry(session.id)
        if entry.session is session or entry.session == session:
            return False  # nothing new (the same poll result, a re-sent webhook)
        if entry.session is not None and not _supersedes(session, entry.session):
            logger.debug("session %s: out-of-order snapshot ignored", session.id)
            return False
        entry.session = session
        entry.version += 1
        if entry.event is not None:
            entry.event.set()
            entry.event = None
        return True

    def publish_event(self, event: WebhookEvent) -> None:
        """Router listener: publish the event's session, if it has one."""
        if event.session is not None:
            self.publish(event.session)

    def latest(self, session_id: str) -> Session | None:
        entry = self._entries.get(session_id)
        return entry.session if entry is not None else None

    @contextmanager
    def watch(self, session_id: str) -> Iterator[_Watch]:
        entry = self._entry(session_id)
        entry.watchers += 1
        try:
            yield _Watch(entry)
        finally:
            entry.watchers -= 1

    def __len__(self) -> int:
        return len(self._entries)


# --------------------------------------------------------------------------- client attribute


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
        if self._verifier is None:
            raise ConfigurationError(
                "bank_public_key is not configured; pass the Bank 131 public key "
                "(AsyncBank131(bank_public_key=...)) to verify webhooks"
            )
        return self._verifier

    @property
    def hub(self) -> SessionEventHub:
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
        return router

    def detach(self, router: WebhookRouter) -> None:
        """Stop feeding the waits from ``router`` (waits fall back to fast polling when no
        router is attached)."""
        if router.has_listener(self._hub.publish_event):
            router.remove_listener(self._hub.publish_event)
            self._hub.detach_source()

    def feed(self, event: WebhookEvent) -> None:
        """Publish an event you parsed yourself (without a router) to the waits."""
        self._hub.publish_event(event)

    def __repr__(self) -> str:
        return f"WebhooksResource(verifier={self._verifier!r}, active={self._hub.active})"


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
