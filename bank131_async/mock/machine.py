"""The session state machine (``state-machine.md``), with transitions run after delays.

The bank answers a start/confirm/capture/cancel request at once and moves the session on later;
the emulator does the same with ``loop.call_later`` so polling helpers and webhook handlers meet
the real sequence of states. Which call is legal when, and which status may follow which, is
the table in :mod:`.lifecycle`; illegal calls raise ``session_wrong_state``.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable
from typing import Any

from .config import MockConfig
from .lifecycle import Call, Stage, Status, move, require, stage
from .outcomes import Failure, payment_failure, payout_failure, refund_declined
from .state import MockState, Operation, Refund, Session
from .wire import ApiFailure, invalid, now_iso, wrong_state

__all__ = ["Emit", "Machine", "Scheduler"]

#: Called with a webhook type and the session it is about.
Emit = Callable[[str, Session], None]

_FINAL_OP = frozenset({"succeeded", "failed"})
_CANCELLED_BY_PARTNER = {
    "code": "session_cancelled_by_partner",
    "description": "The session was cancelled by the partner",
}
_LEG_FAILED = Failure("operation_rejected", "The payment leg of the multi-session failed")
_MOCK_HOST = "https://mock.bank131.invalid"


def _confirm_information(op: Operation) -> dict[str, Any]:
    """What escrow/settlement payouts show before confirm: who pays whom, how much, why."""
    participants = op.echo.get("participant_details") or {}
    sender = participants.get("sender") or {}
    recipient = participants.get("recipient") or {}
    bank = {
        "bank_name": "Bank 131",
        "bik": "049205131",
        "correspondent_account_number": ("30101810500000000131"),
    }
    return {
        "transfer_details": {
            "instrument": op.instrument,
            "customer": {
                "account_number": sender.get("account", ""),
                "name": sender.get("full_name") or sender.get("company_name") or "",
                **bank,
            },
            "recipient": {"name": recipient.get("full_name", ""), **bank},
            "purpose": f"Payout {op.id}",
            "amount": {"amount": op.amount, "currency": op.currency},
        }
    }


def _check_echo(session: Session, given: dict[str, Any] | None, version: int) -> None:
    """The partner echoes ``confirm_information`` as the bank issued it (in the spelling of
    the request's API version). A different one means its client mangled the echo: refused,
    so the bug fails a test instead of confirming a transfer nobody was shown. Omitting it is
    allowed (the docs make it mandatory only for escrow/settlement confirms, checked there)."""
    if given is None:
        return
    issued = session.confirm_information_for(version)
    if issued is None:
        raise invalid("confirm_information", f"the bank issued none for session {session.id}")
    if given != issued:
        raise invalid(
            "confirm_information", "differs from the one the bank issued: echo it unchanged"
        )


class Scheduler:
    """``call_later`` with bookkeeping, so shutting the emulator down leaves no timer behind."""

    def __init__(self) -> None:
        self._handles: dict[int, asyncio.TimerHandle] = {}
        self._keys = itertools.count()

    def later(self, delay: float, fn: Callable[..., None], *args: Any) -> None:
        key = next(self._keys)
        loop = asyncio.get_running_loop()
        self._handles[key] = loop.call_later(delay, self._fire, key, fn, args)

    def _fire(self, key: int, fn: Callable[..., None], args: tuple[Any, ...]) -> None:
        del self._handles[key]
        fn(*args)

    @property
    def pending(self) -> int:
        return len(self._handles)

    def cancel_all(self) -> None:
        for handle in self._handles.values():
            handle.cancel()
        self._handles.clear()


class Machine:
    def __init__(
        self, state: MockState, config: MockConfig, scheduler: Scheduler, emit: Emit
    ) -> None:
        self.state = state
        self.config = config
        self.scheduler = scheduler
        self.emit = emit

    # -- starting ---------------------------------------------------------------------------

    def start(self, session: Session, payments: list[Operation], payouts: list[Operation]) -> None:
        """session/start/*, session/init/*, session/multi/init."""
        require(session, Call.START)
        move(session, Status.IN_PROGRESS)
        session.draft = None  # merged into the operations; keep no second copy
        session.payments.extend(payments)
        session.payouts.extend(payouts)
        for op in payments:
            self.state.record("payment_started", session, op, op.amount)
        for op in payouts:
            self.state.record("payout_started", session, op, op.amount)
        session.touch()
        if payouts and not payments and self.config.auto_confirm_payouts:
            session.confirmed = True
            self.scheduler.later(self.config.confirm_delay, self._finish, session)
        else:
            self.scheduler.later(self.config.confirm_delay, self._ready_to_confirm, session)

    def start_verification(self, session: Session, op: Operation) -> None:
        """fps/customer_verification and fiscalization: auto-confirmed, free, no
        ``ready_to_confirm``."""
        require(session, Call.START)
        move(session, Status.IN_PROGRESS)
        session.confirmed = True
        session.payouts.append(op)
        session.touch()
        self.scheduler.later(self.config.confirm_delay, self._finish, session)

    def _ready_to_confirm(self, session: Session) -> None:
        if stage(session) is not Stage.VALIDATING:
            return  # cancelled meanwhile
        session.next_action = "confirm"
        for op in session.operations():
            if op.status == "in_progress":
                op.status = "pending"
        if session.account_kind is not None and session.payouts:
            session.confirm_information = _confirm_information(session.payouts[0])
        session.touch()
        self.emit("ready_to_confirm", session)

    # -- partner decisions ------------------------------------------------------------------

    def confirm(
        self, session: Session, confirm_information: dict[str, Any] | None, version: int
    ) -> None:
        require(session, Call.CONFIRM)
        if session.account_kind is not None and confirm_information is None:
            raise invalid(
                "confirm_information",
                f"required for {session.account_kind} sessions: echo the one the bank sent",
            )
        _check_echo(session, confirm_information, version)
        session.next_action = None
        session.confirmed = True
        for op in session.payouts:
            op.status = "in_progress"
        for op in session.payments:
            # The payer acts next (3-D Secure or the FPS QR): the payment stays pending.
            op.extra["customer_interaction"] = self._interaction(session, op)
        session.touch()
        if session.payments:
            self.emit("action_required", session)
            self.scheduler.later(self.config.process_delay, self._payer_acted, session)
        else:
            self.scheduler.later(self.config.process_delay, self._finish, session)

    def _interaction(self, session: Session, op: Operation) -> dict[str, Any]:
        if op.facts.channel == "fps":
            link = f"{_MOCK_HOST}/qr/{op.id}"
            return {"type": "inform", "inform": {"qr": {"content": link, "img": "<svg/>"}}}
        base = f"{_MOCK_HOST}/3ds/{op.id}"
        return {
            "type": "redirect",
            "redirect": {
                "url": f"{base}?session_id={session.id}",
                "base_url": base,
                "method": "GET",
                "qs": {"session_id": session.id},
            },
        }

    def _payer_acted(self, session: Session) -> None:
        if stage(session) is not Stage.PROCESSING:
            return
        for op in session.payments:
            op.extra.pop("customer_interaction", None)
        if self.config.delayed_capture and any(
            op.facts.channel == "card" for op in session.payments
        ):
            session.next_action = "capture"
            session.touch()
            self.emit("ready_to_capture", session)
        else:
            for op in session.payments:
                op.status = "in_progress"
            self._finish(session)

    def capture(self, session: Session, amount: int | None, currency: str | None) -> None:
        require(session, Call.CAPTURE)
        for op in session.payments:
            if amount is not None:
                if currency != op.currency:
                    raise invalid("amount_details.currency", f"the hold is in {op.currency!r}")
                if amount > op.amount:
                    raise invalid("amount_details.amount", f"exceeds the held {op.amount}")
                op.amount = amount
            op.status = "in_progress"
        session.next_action = None
        session.touch()
        self.scheduler.later(self.config.process_delay, self._finish, session)

    def cancel(
        self, session: Session, confirm_information: dict[str, Any] | None, version: int
    ) -> None:
        """Legal before the bank starts moving money: while created, before confirm, and while
        a hold waits for capture. The reply still shows the old status; it flips later."""
        require(session, Call.CANCEL)
        _check_echo(session, confirm_information, version)
        session.cancelling = True
        session.next_action = None
        session.touch()
        self.scheduler.later(self.config.cancel_delay, self._cancelled, session)

    def _cancelled(self, session: Session) -> None:
        now = now_iso()
        move(session, Status.CANCELLED)
        session.cancelling = False
        session.finished_at = now
        session.error = dict(_CANCELLED_BY_PARTNER)
        for op in session.operations():
            if op.status not in _FINAL_OP:
                op.status = "failed"
                op.error = dict(_CANCELLED_BY_PARTNER)
                op.finished_at = now
                op.extra.pop("customer_interaction", None)
        session.touch()
        if session.operations():
            self.emit("payment_finished", session)

    # -- the end ----------------------------------------------------------------------------

    def _finish(self, session: Session) -> None:
        if stage(session) is not Stage.PROCESSING:
            return  # cancelled meanwhile
        now = now_iso()
        failures: list[Failure] = []
        for op in session.payments:
            failure = payment_failure(op.facts, op.amount)
            if failure is None:
                self._succeed(session, op, now)
                self.state.record("payment_succeeded", session, op, op.amount)
                if (op.echo.get("payment_options") or {}).get("recurrent") is True:
                    token: dict[str, Any] = {
                        "token": f"rt_{op.id}",
                        "created_at": now,
                        "is_active": True,
                    }
                    op.extra["recurrent"] = token
                    self.state.recurrent_tokens[token["token"]] = token
            else:
                self._fail(op, failure, now)
                failures.append(failure)
        for op in session.payouts:
            if failures:
                failure = _LEG_FAILED
            else:
                balance = self.state.wallet_balance
                failure = payout_failure(op.facts, op.amount, op.tax_reference, balance)
            if failure is None:
                if op.facts.channel != "verification":
                    self.state.wallet_balance -= op.amount
                    self.state.record("payout_succeeded", session, op, op.amount)
                self._succeed(session, op, now)
                if op.tax_reference is not None:
                    self._attach_receipt(op)
            else:
                self._fail(op, failure, now)
                failures.append(failure)
        session.next_action = None
        session.finished_at = now
        if not failures:
            move(session, Status.ACCEPTED)
        else:
            first = failures[0]
            errored = any(f.session_status == "error" for f in failures)
            move(session, Status.ERROR if errored else Status.CANCELLED)
            session.error = {"code": first.code, "description": first.description}
        session.touch()
        self.emit("payment_finished", session)

    def _succeed(self, session: Session, op: Operation, now: str) -> None:
        op.status = "succeeded"
        op.finished_at = now
        serial = op.id.partition("_")[2].rjust(6, "0")
        op.extra["transaction_info"] = {"rrn": f"131{serial[-9:]}", "auth_code": serial[-6:]}

    def _fail(self, op: Operation, failure: Failure, now: str) -> None:
        op.status = "failed"
        op.finished_at = now
        op.error = {"code": failure.code, "description": failure.description}

    def _attach_receipt(self, op: Operation) -> None:
        details = op.echo.get("fiscalization_details")
        if not isinstance(details, dict):
            return
        receipt_id = f"rc_{op.id}"
        taxpayer = dict(details["professional_income_taxpayer"])
        taxpayer["receipt"] = {"id": receipt_id, "link": f"{_MOCK_HOST}/receipt/{receipt_id}"}
        op.echo["fiscalization_details"] = {**details, "professional_income_taxpayer": taxpayer}

    # -- money back -------------------------------------------------------------------------

    def refund(
        self,
        session: Session,
        amount: int | None,
        currency: str | None,
        metadata: Any,
        *,
        chargeback: bool = False,
    ) -> None:
        what = "chargeback" if chargeback else "refund"
        require(session, Call.CHARGEBACK if chargeback else Call.REFUND)
        paid = [op for op in session.payments if op.status == "succeeded"]
        if not paid:
            raise wrong_state(
                f"{what} needs an accepted incoming payment; session {session.id} holds none"
            )
        op = paid[0]
        refundable = op.amount - op.refunded()
        if amount is None:
            amount = refundable
        elif currency != op.currency:
            raise invalid("amount_details.currency", f"the payment is in {op.currency!r}")
        if amount <= 0 or amount > refundable:
            raise ApiFailure(
                400,
                "refund_amount_too_large",
                f"{what} of {amount} exceeds the refundable {refundable}",
            )
        refund = Refund(
            id=self.state.new_id("rf"),
            amount=amount,
            currency=op.currency,
            created_at=now_iso(),
            is_chargeback=chargeback,
            metadata=metadata,
        )
        op.refunds.append(refund)
        self.state.record(f"{what}_requested", session, op, amount)
        session.touch()
        self.scheduler.later(self.config.refund_delay, self._refund_done, session, op, refund)

    def _refund_done(self, session: Session, op: Operation, refund: Refund) -> None:
        refund.status = "declined" if refund_declined(refund.amount) else "accepted"
        refund.finished_at = now_iso()
        if refund.status == "accepted":
            event = "chargeback_accepted" if refund.is_chargeback else "refund_accepted"
            self.state.record(event, session, op, refund.amount)
        session.touch()
        self.emit("payment_refunded", session)
