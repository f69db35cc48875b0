"""Session statuses and what may happen in each: the one table the state machine and the
handlers consult (``state-machine.md`` sections 2 and 3).

A session's *stage* is its ``status`` refined by what the bank waits for (``next_action``,
whether the partner confirmed, whether a cancel is under way). For every stage the table says
which partner calls are legal and which statuses the bank may move the session to next:

====================  ===========================  ==========================================
stage                 partner calls                the bank may move the session to
====================  ===========================  ==========================================
created               start, cancel                in_progress (start), cancelled
validating            cancel                       (waits for ready_to_confirm; no status move)
awaiting confirm      confirm, cancel              --
processing            --                           accepted, cancelled, error
awaiting capture      capture, cancel              --
being cancelled       --                           cancelled
accepted              refund, chargeback           --
cancelled, error      --                           --
====================  ===========================  ==========================================

``validating`` is a started session before ``ready_to_confirm``; ``processing`` is a confirmed
one (money is moving: too late to cancel). ``error`` is not final at the real bank (support
resolves it), but nothing in the emulator moves it on. Refunds and chargebacks further need a
succeeded incoming payment, an operation-level rule the machine checks.
"""

from __future__ import annotations

from enum import StrEnum

import attrs

from .state import Session
from .wire import wrong_state

__all__ = ["TABLE", "Call", "Stage", "Status", "move", "require", "stage"]


class Status(StrEnum):
    CREATED = "created"
    IN_PROGRESS = "in_progress"
    ACCEPTED = "accepted"
    CANCELLED = "cancelled"
    ERROR = "error"


class Call(StrEnum):
    """Partner calls whose legality depends on the session (``status`` is always legal)."""

    START = "start"  # session/start/*, init/* on a new session, fiscalization, FPS verification
    CONFIRM = "confirm"
    CAPTURE = "capture"
    CANCEL = "cancel"
    REFUND = "refund"
    CHARGEBACK = "chargeback"


class Stage(StrEnum):
    """The value is how error messages describe the stage."""

    CREATED = "created"
    VALIDATING = "in_progress"
    AWAITING_CONFIRM = "in_progress, next_action=confirm"
    PROCESSING = "in_progress, confirmed"
    AWAITING_CAPTURE = "in_progress, next_action=capture"
    CANCELLING = "being cancelled"
    ACCEPTED = "accepted"
    CANCELLED = "cancelled"
    ERROR = "error"


@attrs.frozen
class _Row:
    calls: frozenset[Call]
    moves: frozenset[Status]


def _row(calls: tuple[Call, ...] = (), moves: tuple[Status, ...] = ()) -> _Row:
    return _Row(frozenset(calls), frozenset(moves))


_S, _C = Status, Call
TABLE: dict[Stage, _Row] = {
    Stage.CREATED: _row((_C.START, _C.CANCEL), (_S.IN_PROGRESS, _S.CANCELLED)),
    Stage.VALIDATING: _row((_C.CANCEL,)),
    Stage.AWAITING_CONFIRM: _row((_C.CONFIRM, _C.CANCEL)),
    Stage.PROCESSING: _row((), (_S.ACCEPTED, _S.CANCELLED, _S.ERROR)),
    Stage.AWAITING_CAPTURE: _row((_C.CAPTURE, _C.CANCEL)),
    Stage.CANCELLING: _row((), (_S.CANCELLED,)),
    Stage.ACCEPTED: _row((_C.REFUND, _C.CHARGEBACK)),
    Stage.CANCELLED: _row(),
    Stage.ERROR: _row(),
}

_AT_REST = {
    Status.CREATED: Stage.CREATED,
    Status.ACCEPTED: Stage.ACCEPTED,
    Status.CANCELLED: Stage.CANCELLED,
    Status.ERROR: Stage.ERROR,
}


def stage(session: Session) -> Stage:
    if session.cancelling:
        return Stage.CANCELLING
    at_rest = _AT_REST.get(Status(session.status))
    if at_rest is not None:
        return at_rest
    if session.next_action == "confirm":
        return Stage.AWAITING_CONFIRM
    if session.next_action == "capture":
        return Stage.AWAITING_CAPTURE
    return Stage.PROCESSING if session.confirmed else Stage.VALIDATING


def require(session: Session, call: Call) -> None:
    """Raise ``session_wrong_state`` unless ``call`` is legal for ``session`` now."""
    now = stage(session)
    if call not in TABLE[now].calls:
        raise wrong_state(f"{call} is not allowed: session {session.id} is {now}")


def move(session: Session, status: Status) -> None:
    """Set ``session.status``; a move the table does not allow is a bug in the emulator."""
    now = stage(session)
    if status not in TABLE[now].moves:
        raise RuntimeError(f"[mock] illegal move of {session.id}: {now} -> {status}")
    session.status = status
