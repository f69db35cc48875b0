"""Awaitables over the session state machine: wait for ``confirm``/``capture``, wait for the end.

Both helpers poll ``session/status`` with a growing, jittered interval under one hard deadline
(an anyio cancel scope, so a deadline or an outer cancellation also stops the request in
flight). A transient failure of one poll (no answer, a retryable bank error) does not end the
wait; an error that polling again cannot fix (bad signature, unknown session) does.
"""

from __future__ import annotations

import math
import random
from collections.abc import Awaitable, Callable, Iterator
from contextlib import AbstractContextManager
from typing import Protocol

import anyio
import attrs

from ._logging import logger
from .errors import (
    ApiError,
    Bank131Error,
    RequestValidationError,
    ResponseDecodeError,
    TransportError,
    UnexpectedSessionStateError,
    WaitTimeoutError,
)
from .models.enums import NextAction, SessionStatus
from .models.sessions import Session

__all__ = [
    "PollSchedule",
    "SessionWatch",
    "WakeupSource",
    "wait_for_finished",
    "wait_for_next_action",
]

StatusFn = Callable[[str], Awaitable[Session]]


@attrs.frozen(kw_only=True)
class PollSchedule:
    """Intervals between polls: ``initial``, growing by ``factor`` up to ``maximum``, each
    spread by +-``jitter`` so thousands of concurrent waits do not poll in lockstep."""

    initial: float = 0.5
    maximum: float = 5.0
    factor: float = 1.5
    jitter: float = 0.2

    def intervals(self, rand: Callable[[], float] = random.random) -> Iterator[float]:
        """The successive intervals, jittered (``rand`` returns a float in [0, 1))."""
        interval = self.initial
        while True:
            yield interval * (1.0 + self.jitter * (2.0 * rand() - 1.0))
            interval = min(self.maximum, interval * self.factor)


DEFAULT_SCHEDULE = PollSchedule()


class SessionWatch(Protocol):
    """One waiter's view of a session's snapshots (see :class:`WakeupSource`)."""

    def take(self) -> Session | None:
        """The newest snapshot this watch has not returned yet, or ``None``."""

    async def changed(self) -> None:
        """Return once :meth:`take` may have something new."""


class WakeupSource(Protocol):
    """Session snapshots that arrive without polling (the client's webhook hub).

    While ``active``, the waits take their answer from the source and poll ``session/status``
    only every ``fallback`` interval (webhooks can be lost or switched off) and once to
    confirm a snapshot that says the wait can never succeed (it may be a late, out-of-order
    delivery). ``publish`` feeds polled states back, so other waiters see them too.
    """

    @property
    def active(self) -> bool:
        """Whether webhooks arrive (a router is attached): waits then poll only as a fallback."""

    @property
    def fallback(self) -> PollSchedule:
        """The slow polling of webhook-driven waits."""

    def watch(self, session_id: str) -> AbstractContextManager[SessionWatch]:
        """A watch of ``session_id``'s snapshots for as long as the ``with`` block runs."""

    def publish(self, session: Session) -> bool:
        """Feed a polled snapshot to the other waiters; whether it was newer than the last."""


def _describe(session: Session) -> str:
    text = f"session {session.id} is {session.status!s}"
    if session.next_action:
        text += f", waiting for your {session.next_action!s}"
    errors = [op.error.code for op in session.operations if op.error is not None]
    if session.error is not None:
        errors.insert(0, session.error.code)
    if errors:
        text += f" (error: {', '.join(dict.fromkeys(errors))})"
    return text


def _is_transient(exc: Bank131Error) -> bool:
    if isinstance(exc, TransportError | ResponseDecodeError):
        return True
    return isinstance(exc, ApiError) and exc.retryable


async def _read(status: StatusFn, session_id: str) -> Session | Bank131Error:
    """One status call. A transient failure is returned (the wait goes on); others raise."""
    try:
        return await status(session_id)
    except Bank131Error as exc:
        if not _is_transient(exc):
            raise
        logger.info("reading %s: transient error %s, the wait goes on", session_id, exc)
        return exc


def _over(
    session: Session,
    done: Callable[[Session], bool],
    unreachable: Callable[[Session], str | None],
) -> bool:
    """Whether ``session`` ends the wait; raises when what is awaited can never come."""
    if done(session):
        return True
    reason = unreachable(session)
    if reason is not None:
        raise UnexpectedSessionStateError(f"{_describe(session)}: {reason}", session=session)
    return False


def _timed_out(session_id: str, last: Session | None, how: str, goal: str) -> WaitTimeoutError:
    state = _describe(last) if last is not None else f"session {session_id} was never read"
    return WaitTimeoutError(f"gave up waiting {how} for {goal}: {state}", session=last)


async def _poll(
    status: StatusFn,
    session_id: str,
    *,
    done: Callable[[Session], bool],
    unreachable: Callable[[Session], str | None],
    goal: str,
    timeout: float,
    schedule: PollSchedule,
) -> Session:
    last: Session | None = None
    last_error: Bank131Error | None = None
    polls = 0
    with anyio.move_on_after(timeout):
        for interval in schedule.intervals():
            polls += 1
            read = await _read(status, session_id)
            if isinstance(read, Bank131Error):
                last_error = read
            else:
                last, last_error = read, None
                if _over(last, done, unreachable):
                    return last
            await anyio.sleep(interval)
    raise _timed_out(session_id, last, f"{timeout:g}s ({polls} polls)", goal) from last_error


async def _wait_driven(
    status: StatusFn,
    session_id: str,
    *,
    done: Callable[[Session], bool],
    unreachable: Callable[[Session], str | None],
    goal: str,
    timeout: float,
    source: WakeupSource,
) -> Session:
    """Like :func:`_poll`, but woken by ``source``; polls only as a slow fallback.

    Status calls: one at the start if ``source`` has no snapshot of the session, one to
    confirm a snapshot that says the wait can never succeed, and one per ``source.fallback``
    interval without news. While webhooks flow, a wait after a session call costs none.
    """
    last: Session | None = None
    last_error: Bank131Error | None = None
    polls = 0
    with anyio.move_on_after(timeout), source.watch(session_id) as watch:
        intervals = source.fallback.intervals()
        # A session the source has never seen (no webhook yet, and no response of this client
        # mentioned it) is read once at once, so a wait that can never succeed fails at once.
        pending = watch.take()
        poll_now = pending is None
        while True:
            if poll_now:
                poll_now = False
                polls += 1
                read = await _read(status, session_id)
                if isinstance(read, Bank131Error):
                    last_error = read
                else:
                    last, last_error = read, None
                    source.publish(read)
                    if _over(read, done, unreachable):
                        return read
            snapshot = pending if pending is not None else watch.take()
            pending = None
            if snapshot is not None:
                last = snapshot
                if done(snapshot):
                    return snapshot
                if unreachable(snapshot) is not None:
                    # A webhook says "never"; it may be a late delivery of an older state.
                    # The bank's current state decides (one status call).
                    poll_now = True
                continue
            with anyio.move_on_after(next(intervals)) as scope:
                await watch.changed()
            poll_now = scope.cancelled_caught
    how = f"{timeout:g}s ({polls} polls, webhook-driven)"
    raise _timed_out(session_id, last, how, goal) from last_error


def _check_timeout(timeout: float) -> None:
    # `not timeout > 0` also rejects NaN; a wait without a finite deadline is a hang.
    if (
        isinstance(timeout, bool)
        or not isinstance(timeout, int | float)
        or not timeout > 0
        or not math.isfinite(timeout)
    ):
        raise RequestValidationError(
            f"timeout must be a positive number of seconds, got {timeout!r}"
        )


async def wait_for_next_action(
    status: StatusFn,
    session_id: str,
    action: NextAction | str,
    *,
    timeout: float,
    schedule: PollSchedule = DEFAULT_SCHEDULE,
    source: WakeupSource | None = None,
) -> Session:
    """Poll until ``session.next_action == action``; return that session.

    Raises :class:`UnexpectedSessionStateError` at once when the action can no longer come
    (the session was accepted or cancelled, or waits for a different action) and
    :class:`WaitTimeoutError` at the deadline. With an active ``source`` (webhooks attached
    to the client) the wait resolves from webhooks and polls on ``source.fallback`` only.
    """
    _check_timeout(timeout)
    wanted = NextAction(action) if action in NextAction._value2member_map_ else action

    def unreachable(session: Session) -> str | None:
        if session.status in (SessionStatus.ACCEPTED, SessionStatus.CANCELLED):
            return f"{wanted!s} can never come"
        if session.next_action is not None:
            return f"it waits for {session.next_action!s}, not {wanted!s}"
        return None

    if source is not None and source.active:
        return await _wait_driven(
            status,
            session_id,
            done=lambda s: s.next_action == wanted,
            unreachable=unreachable,
            goal=f"next_action {wanted!s}",
            timeout=timeout,
            source=source,
        )
    return await _poll(
        status,
        session_id,
        done=lambda s: s.next_action == wanted,
        unreachable=unreachable,
        goal=f"next_action {wanted!s}",
        timeout=timeout,
        schedule=schedule,
    )


async def wait_for_finished(
    status: StatusFn,
    session_id: str,
    *,
    timeout: float,
    schedule: PollSchedule = DEFAULT_SCHEDULE,
    source: WakeupSource | None = None,
) -> Session:
    """Poll until the session is final (``accepted`` or ``cancelled``, every operation
    ``succeeded``/``failed``) and return it. A failed payout is a returned session, not an
    exception: read ``session.status`` and the operation's ``error``.

    ``error`` sessions are waited on: the bank documents that status as not final. With an
    active ``source`` the wait resolves from webhooks (see :func:`wait_for_next_action`).
    """
    _check_timeout(timeout)
    if source is not None and source.active:
        return await _wait_driven(
            status,
            session_id,
            done=lambda s: s.is_finished,
            unreachable=lambda s: None,
            goal="a final status",
            timeout=timeout,
            source=source,
        )
    return await _poll(
        status,
        session_id,
        done=lambda s: s.is_finished,
        unreachable=lambda s: None,
        goal="a final status",
        timeout=timeout,
        schedule=schedule,
    )
