"""The session event hub: the latest snapshot per session, fed by webhooks and session
answers, awaited by the polling helpers (:mod:`bank131_async.polling`) instead of polling."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import anyio

from ._logging import logger
from .models.enums import SessionStatus
from .models.sessions import Session
from .models.webhooks import WebhookEvent
from .polling import PollSchedule

__all__ = ["DEFAULT_FALLBACK", "SessionEventHub"]

#: How often a webhook-driven wait polls anyway (a webhook may be lost or not enabled).
DEFAULT_FALLBACK = PollSchedule(initial=5.0, maximum=30.0, factor=2.0, jitter=0.2)


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
        #: The webhook routers feeding this hub (``bank.webhooks.attach``), whichever view of
        #: the client attached them: closing the client detaches them all.
        self.routers: set[Any] = set()

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
