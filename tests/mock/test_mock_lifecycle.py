"""The session table: which partner call is legal in which state, which status may follow
which (``state-machine.md`` section 3, restated here independently of the table)."""

from __future__ import annotations

from typing import Any

import pytest

from bank131_async.mock.lifecycle import TABLE, Call, Stage, Status, move, require, stage
from bank131_async.mock.state import Session
from bank131_async.mock.wire import ApiFailure


def _session(status: str = "created", **fields: Any) -> Session:
    return Session(id="ps_1", created_at="t", updated_at="t", status=status, **fields)


SESSIONS = {
    Stage.CREATED: _session(),
    Stage.VALIDATING: _session("in_progress"),
    Stage.AWAITING_CONFIRM: _session("in_progress", next_action="confirm"),
    Stage.PROCESSING: _session("in_progress", confirmed=True),
    Stage.AWAITING_CAPTURE: _session("in_progress", next_action="capture", confirmed=True),
    Stage.CANCELLING: _session("in_progress", cancelling=True),
    Stage.ACCEPTED: _session("accepted"),
    Stage.CANCELLED: _session("cancelled"),
    Stage.ERROR: _session("error"),
}

#: state-machine.md section 3 ("✓" cells; the "?" of cancelling a started session before
#: ready_to_confirm is allowed, as the PHP SDK's 2020 functional test did it).
LEGAL = {
    Stage.CREATED: {Call.START, Call.CANCEL},
    Stage.VALIDATING: {Call.CANCEL},
    Stage.AWAITING_CONFIRM: {Call.CONFIRM, Call.CANCEL},
    Stage.PROCESSING: set(),
    Stage.AWAITING_CAPTURE: {Call.CAPTURE, Call.CANCEL},
    Stage.CANCELLING: set(),
    Stage.ACCEPTED: {Call.REFUND, Call.CHARGEBACK},
    Stage.CANCELLED: set(),
    Stage.ERROR: set(),
}


def test_every_stage_has_a_row() -> None:
    assert set(TABLE) == set(Stage) == set(SESSIONS)


@pytest.mark.parametrize("expected", list(Stage))
def test_stage_of_a_session(expected: Stage) -> None:
    assert stage(SESSIONS[expected]) is expected


@pytest.mark.parametrize("where", list(Stage))
@pytest.mark.parametrize("call", list(Call))
def test_legal_calls(where: Stage, call: Call) -> None:
    session = SESSIONS[where]
    if call in LEGAL[where]:
        require(session, call)
    else:
        with pytest.raises(ApiFailure) as raised:
            require(session, call)
        failure = raised.value
        assert (failure.http_status, failure.code) == (400, "session_wrong_state")
        assert failure.description == f"{call} is not allowed: session ps_1 is {where}"


@pytest.mark.parametrize(
    ("where", "to", "legal"),
    [
        (Stage.CREATED, Status.IN_PROGRESS, True),
        (Stage.CANCELLING, Status.CANCELLED, True),
        (Stage.PROCESSING, Status.ACCEPTED, True),
        (Stage.PROCESSING, Status.ERROR, True),
        (Stage.PROCESSING, Status.CANCELLED, True),
        (Stage.CREATED, Status.ACCEPTED, False),
        (Stage.AWAITING_CONFIRM, Status.ACCEPTED, False),  # money moves only after confirm
        (Stage.ACCEPTED, Status.CANCELLED, False),
        (Stage.CANCELLED, Status.IN_PROGRESS, False),
        (Stage.ERROR, Status.ACCEPTED, False),
    ],
)
def test_status_moves(where: Stage, to: Status, legal: bool) -> None:
    original = SESSIONS[where]
    session = _session(
        original.status,
        next_action=original.next_action,
        confirmed=original.confirmed,
        cancelling=original.cancelling,
    )
    if legal:
        move(session, to)
        assert session.status == to
    else:
        with pytest.raises(RuntimeError, match="illegal move"):
            move(session, to)
        assert session.status == original.status
