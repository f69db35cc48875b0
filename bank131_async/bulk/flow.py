"""One item's payout, from wherever the journal says it stopped, to a result.

create -> (journal the session id) -> start_payout -> wait for ``confirm`` -> decide ->
(journal the decision) -> confirm or cancel -> wait until final.

Every step that may move money is keyed by :func:`idempotency_key` (batch id, item id, step),
so a repeat after a crash is recognised by the bank. ``session/create`` moves no money: when
its answer is lost, a new session is created with a fresh key (the journal counts attempts, so
no key is ever reused) and the lost one, if it exists, stays empty. Lost ``start``/``confirm``
answers are reconciled with ``session/status``: the SDK does that for a retry within one call
(``maybe_processed`` errors); this module does it across runs, reading the session's state
before repeating a step the journal says may have been sent.
"""

from __future__ import annotations

import inspect
import json
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, Literal

import attrs

from .._logging import logger, redact
from ..client import AsyncBank131
from ..errors import (
    ApiError,
    AuthenticationError,
    AuthorizationError,
    Bank131Error,
    IdempotencyConflictError,
    RequestValidationError,
    SessionWrongStateError,
    UnexpectedSessionStateError,
)
from ..models.enums import NextAction, OperationStatus, SessionStatus
from ..models.sessions import Session
from ..polling import DEFAULT_SCHEDULE, PollSchedule
from .items import InvalidItem, PayoutItem, parse_item
from .journal import Claim, SqlJournal, Stage
from .results import ItemResult, Outcome

__all__ = ["Decide", "Decision", "FlowSettings", "ItemFlow", "idempotency_key"]

Decision = Literal["confirm", "cancel"]
#: ``decide(item_id, session)`` at the bank's confirm step; sync or async.
Decide = Callable[[str, Session], "Decision | Awaitable[Decision]"]

_KEYS = uuid.UUID("4b1f0a7e-1310-4c31-9a31-131000000131")


def idempotency_key(batch_id: str, item_id: str, step: str) -> str:
    """The key of ``step`` (``create-N``, ``start``, ``confirm``, ``cancel``) of an item.

    A UUID (the format the bank's examples use) derived from the batch id and the item id: the
    same item of the same batch always sends the same key, in any run, on any machine.
    """
    return str(uuid.uuid5(_KEYS, json.dumps([batch_id, item_id, step])))


@attrs.frozen(kw_only=True)
class FlowSettings:
    #: Seconds a row's lease lasts without renewal.
    lease: float = 60.0
    #: Deadline of each wait (for ``confirm``, for the final status), seconds.
    wait_timeout: float = 300.0
    #: Polling while no webhook receiver is attached to the client.
    schedule: PollSchedule = DEFAULT_SCHEDULE
    decide: Decide | None = None
    #: Fresh ``session/create`` keys tried per run before the item is left ``unknown``.
    create_tries: int = 3
    #: ``start_payout`` sends per run (the same key) while the session stays ``created``.
    start_tries: int = 3


class _LostRow(Exception):
    """Another runner took the row over: this one drops the item without a result."""


class _Stop(Exception):
    """The item ends here, with this outcome."""

    def __init__(
        self,
        outcome: Outcome,
        session_id: str | None,
        error_code: str | None = None,
        reason: str | None = None,
    ) -> None:
        super().__init__(reason)
        self.outcome = outcome
        self.session_id = session_id
        self.error_code = error_code
        self.reason = redact(reason) if reason else None


def _definite_refusal(exc: Bank131Error) -> bool:
    """The bank answered a clear no to this request, which nothing processed."""
    return isinstance(exc, ApiError) and not exc.maybe_processed


def _nothing_moved_but_retry_later(exc: ApiError) -> bool:
    """A refusal that says nothing about the payout itself (credentials, limits, a
    transient state): the item must stay open for the next run, not end ``failed``."""
    return exc.retryable or isinstance(exc, AuthenticationError | AuthorizationError)


class ItemFlow:
    """Runs claimed rows of one batch for one runner (``owner``)."""

    def __init__(
        self,
        bank: AsyncBank131,
        journal: SqlJournal,
        *,
        batch_id: str,
        owner: str,
        settings: FlowSettings,
    ) -> None:
        self.bank = bank
        self.journal = journal
        self.batch_id = batch_id
        self.owner = owner
        self.settings = settings

    async def run(self, claim: Claim) -> ItemResult | None:
        """The item's result, journaled; ``None`` if another runner took the row over."""
        try:
            try:
                return await self._run(claim)
            except _Stop as stop:
                return await self._end(claim, stop)
        except _LostRow:
            logger.info(
                "bulk %s: item %s was taken over by another runner", self.batch_id, claim.item_id
            )
            return None

    # ------------------------------------------------------------------ journal

    async def _update(self, claim: Claim, **changes: Any) -> None:
        ok = await self.journal.update(
            self.batch_id, claim.item_id, self.owner, lease=self.settings.lease, **changes
        )
        if not ok:
            raise _LostRow

    async def _end(self, claim: Claim, stop: _Stop) -> ItemResult:
        final = stop.outcome is not Outcome.UNKNOWN
        changes: dict[str, Any] = {
            "outcome": str(stop.outcome),
            "error_code": stop.error_code,
            "reason": stop.reason,
        }
        if final:
            changes["stage"] = str(Stage.DONE)
            changes["payload"] = None
        else:
            changes["parked_at"] = await self.journal.clock()
        ok = await self.journal.update(
            self.batch_id,
            claim.item_id,
            self.owner,
            lease=self.settings.lease,
            release=True,
            **changes,
        )
        if not ok:
            raise _LostRow
        return claim.result(
            stop.outcome,
            session_id=stop.session_id,
            error_code=stop.error_code,
            reason=stop.reason,
        )

    # ------------------------------------------------------------------ the steps

    async def _run(self, claim: Claim) -> ItemResult:
        """Resume from the journaled stage; every path ends by raising :class:`_Stop`."""
        session_id = claim.session_id
        stage = claim.stage
        if session_id is None:
            item = self._item(claim)
            session_id = await self._create(claim)
            # The one write that decides which session may carry the payout.
            if not await self.journal.set_session(
                self.batch_id, claim.item_id, self.owner, session_id
            ):
                raise _LostRow
            await self._start(claim, item, session_id, fresh=True)
            stage = Stage.STARTED
            await self._update(claim, stage=str(stage), payload=None)
        elif stage is Stage.SESSION:
            await self._start(claim, self._item(claim), session_id, fresh=False)
            stage = Stage.STARTED
            await self._update(claim, stage=str(stage), payload=None)
        if stage is Stage.STARTED:
            session = await self._await_confirm(session_id)
            if session.next_action == NextAction.CONFIRM:
                decision = await self._decide(claim, session)
                stage = Stage.CONFIRMING if decision == "confirm" else Stage.CANCELLING
                # Journaled first: a rerun repeats this decision, never asks again.
                await self._update(claim, stage=str(stage))
                await self._act(claim, decision, session_id, session)
        elif stage in (Stage.CONFIRMING, Stage.CANCELLING):
            # The decision was journaled; it may or may not have reached the bank.
            current = await self._status(session_id)
            if current.next_action == NextAction.CONFIRM:
                journaled: Decision = "confirm" if stage is Stage.CONFIRMING else "cancel"
                await self._act(claim, journaled, session_id, current)
        final = await self._await_final(session_id)
        raise self._verdict(final)

    def _item(self, claim: Claim) -> PayoutItem:
        if claim.payload is None:
            raise _Stop(Outcome.UNKNOWN, claim.session_id, None, "the journal lost the item's data")
        try:
            return parse_item(json.loads(claim.payload))
        except (InvalidItem, ValueError) as exc:
            raise _Stop(
                Outcome.INVALID, claim.session_id, None, f"item {claim.item_id}: {exc}"
            ) from None

    async def _create(self, claim: Claim) -> str:
        attempts = claim.create_attempts
        error: Bank131Error | None = None
        for _ in range(self.settings.create_tries):
            attempts += 1
            # Counted before sending: no run ever reuses a key that may have been spent.
            await self._update(claim, create_attempts=attempts)
            key = idempotency_key(self.batch_id, claim.item_id, f"create-{attempts}")
            try:
                session = await self.bank.sessions.create(idempotency_key=key)
            except Bank131Error as exc:
                error = exc
                if _definite_refusal(exc):
                    break  # a clear no (credentials, a bad request): a new key will not help
                continue  # lost or refused as a repeat: no money moved, try a fresh key
            return session.id
        code = error.code if isinstance(error, ApiError) else None
        raise _Stop(Outcome.UNKNOWN, None, code, f"no session could be created: {error}")

    async def _start(
        self, claim: Claim, item: PayoutItem, session_id: str, *, fresh: bool
    ) -> Session:
        """Start the payout unless the session says it already started."""
        if not fresh:
            current = await self._status(session_id)
            if current.status != SessionStatus.CREATED:
                return current
        key = idempotency_key(self.batch_id, claim.item_id, "start")
        error: Bank131Error | None = None
        for _ in range(self.settings.start_tries):
            try:
                return await self.bank.sessions.start_payout(
                    session_id,
                    payout_details=item.payout_details,
                    amount_details=item.amount_details,
                    participant_details=item.participant_details,
                    fiscalization_details=item.fiscalization_details,
                    metadata=item.metadata,
                    idempotency_key=key,
                )
            except RequestValidationError as exc:
                raise _Stop(
                    Outcome.INVALID, session_id, None, f"item {claim.item_id}: {exc}"
                ) from None
            except Bank131Error as exc:
                error = exc
                if (
                    isinstance(exc, ApiError)
                    and not exc.maybe_processed
                    and not isinstance(exc, SessionWrongStateError)
                ):
                    outcome = (
                        Outcome.UNKNOWN if _nothing_moved_but_retry_later(exc) else Outcome.FAILED
                    )
                    raise _Stop(
                        outcome, session_id, exc.code, f"start_payout refused: {exc}"
                    ) from None
            # The start may have been processed (lost answer), or the session moved on.
            current = await self._status(session_id)
            if current.status != SessionStatus.CREATED:
                return current
            if isinstance(error, IdempotencyConflictError):
                # The key is spent but this session never started: this item's payout was
                # started with another session (a journal lost or replaced?). Never a second.
                raise _Stop(
                    Outcome.UNKNOWN,
                    session_id,
                    error.code,
                    f"the start key of item {claim.item_id} was used before, not for session "
                    f"{session_id}: find the item's payout at the bank before doing anything",
                )
        raise _Stop(
            Outcome.UNKNOWN, session_id, _code(error), f"start_payout did not go through: {error}"
        )

    async def _status(self, session_id: str) -> Session:
        try:
            return await self.bank.sessions.status(session_id)
        except Bank131Error as exc:
            raise _Stop(
                Outcome.UNKNOWN, session_id, _code(exc), f"session/status failed: {exc}"
            ) from None

    async def _await_confirm(self, session_id: str) -> Session:
        try:
            return await self.bank.sessions.wait_for_next_action(
                session_id,
                NextAction.CONFIRM,
                timeout=self.settings.wait_timeout,
                schedule=self.settings.schedule,
            )
        except UnexpectedSessionStateError as exc:
            return exc.session  # finished without a confirm step, or decided already
        except Bank131Error as exc:
            raise _Stop(Outcome.UNKNOWN, session_id, _code(exc), str(exc)) from None

    async def _decide(self, claim: Claim, session: Session) -> Decision:
        decide = self.settings.decide
        if decide is None:
            return "confirm"
        try:
            answer = decide(claim.item_id, session)
            if inspect.isawaitable(answer):
                answer = await answer
        except Exception as exc:
            logger.exception("bulk %s: decide() failed for item %s", self.batch_id, claim.item_id)
            raise _Stop(Outcome.UNKNOWN, session.id, None, f"decide() raised {exc!r}") from None
        if answer not in ("confirm", "cancel"):
            raise _Stop(
                Outcome.UNKNOWN,
                session.id,
                None,
                f"decide() returned {answer!r}, not confirm/cancel",
            )
        return answer

    async def _act(self, claim: Claim, action: Decision, session_id: str, session: Session) -> None:
        key = idempotency_key(self.batch_id, claim.item_id, action)
        call = self.bank.sessions.confirm if action == "confirm" else self.bank.sessions.cancel
        try:
            await call(
                session_id, confirm_information=session.confirm_information, idempotency_key=key
            )
        except Bank131Error as exc:
            if _definite_refusal(exc) and not isinstance(exc, SessionWrongStateError):
                raise _Stop(
                    Outcome.UNKNOWN, session_id, _code(exc), f"{action} refused: {exc}"
                ) from None
            # It may have been processed, or the session moved on: the final wait tells.
            logger.info(
                "bulk %s: %s of %s: %s; waiting for the outcome",
                self.batch_id,
                action,
                session_id,
                exc,
            )

    async def _await_final(self, session_id: str) -> Session:
        try:
            return await self.bank.sessions.wait_for_finished(
                session_id, timeout=self.settings.wait_timeout, schedule=self.settings.schedule
            )
        except Bank131Error as exc:
            raise _Stop(Outcome.UNKNOWN, session_id, _code(exc), str(exc)) from None

    def _verdict(self, session: Session) -> _Stop:
        payout = session.payout_list[0] if session.payout_list else None
        if (
            session.status == SessionStatus.ACCEPTED
            and payout is not None
            and payout.status == OperationStatus.SUCCEEDED
        ):
            return _Stop(Outcome.SUCCEEDED, session.id)
        code = None
        if payout is not None and payout.error is not None:
            code = payout.error.code
        elif session.error is not None:
            code = session.error.code
        if session.status == SessionStatus.ACCEPTED and payout is None:
            return _Stop(Outcome.UNKNOWN, session.id, None, "accepted with no payout in it")
        return _Stop(Outcome.FAILED, session.id, code or f"session_{session.status!s}")


def _code(error: BaseException | None) -> str | None:
    return error.code if isinstance(error, ApiError) else None
