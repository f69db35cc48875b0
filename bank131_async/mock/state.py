"""In-memory store of the emulator: sessions, operations, idempotency keys, wallet, journal,
and the side stores of the other products (tokens, self-employed requests and notifications,
KYC requests).

Everything here is plain data plus rendering to the wire shape. Rules about which transition is
legal live in :mod:`.lifecycle`; this module only remembers. Every piece of emulator state lives
in one :class:`MockState`, so a test that builds a fresh app gets a fresh bank, and nothing
outlives the app.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import attrs

from .outcomes import Facts
from .wire import dumps, now_iso

__all__ = ["JournalEntry", "KycRequest", "MockState", "Operation", "Refund", "Session"]

# v1 and v2 spell the operation lists and the payout instrument differently.
_KEYS = {
    1: ("payments", "acquiring_payments", "payment_method"),
    2: ("payout_list", "payment_list", "payout_details"),
}


@attrs.define(eq=False)
class Refund:
    """A refund the emulator keeps (its own record, not the SDK's model)."""

    id: str
    amount: int
    currency: str
    created_at: str
    status: str = "in_progress"
    finished_at: str | None = None
    is_chargeback: bool = False
    metadata: Any = None

    def render(self) -> dict[str, Any]:
        """The refund as the bank's JSON."""
        out: dict[str, Any] = {
            "id": self.id,
            "status": self.status,
            "amount_details": {"amount": self.amount, "currency": self.currency},
            "created_at": self.created_at,
            "is_chargeback": self.is_chargeback,
        }
        if self.finished_at is not None:
            out["finished_at"] = self.finished_at
        if self.metadata is not None:
            out["metadata"] = self.metadata
        return out


@attrs.define(eq=False)
class Operation:
    """A payout (``po_``) or an incoming payment (``pm_``)."""

    id: str
    kind: str  # "payout" | "payment"
    created_at: str
    amount: int
    currency: str
    #: Masked instrument, safe to echo (card numbers reduced to brand/bin/last4).
    instrument: dict[str, Any]
    facts: Facts
    #: Request fields echoed back unchanged (participant_details, customer, metadata, ...).
    echo: dict[str, Any]
    idempotency_key: str | None = None
    tax_reference: str | None = None
    status: str = "in_progress"
    finished_at: str | None = None
    error: dict[str, str] | None = None
    refunds: list[Refund] = attrs.field(factory=list)
    extra: dict[str, Any] = attrs.field(factory=dict)

    def render(self, version: int) -> dict[str, Any]:
        """The operation as the bank's JSON, in the spelling of API ``version`` (1 or 2)."""
        out: dict[str, Any] = {"id": self.id, "status": self.status, "created_at": self.created_at}
        if self.finished_at is not None:
            out["finished_at"] = self.finished_at
        key = _KEYS[version][2] if self.kind == "payout" else "payment_details"
        out[key] = self.instrument
        out["amount_details"] = {"amount": self.amount, "currency": self.currency}
        out.update(self.echo)
        out.update(self.extra)
        if self.refunds:
            out["refunds"] = [r.render() for r in self.refunds]
        if self.error is not None:
            out["error"] = self.error
        return out

    def refunded(self) -> int:
        """Money already given back or on its way (declined refunds do not count)."""
        return sum(r.amount for r in self.refunds if r.status in ("in_progress", "accepted"))


@attrs.define(eq=False)
class Session:
    """A session the emulator keeps: its state, operations and the JSON it answers with.
    Read it from a test (``mock.state.sessions[session_id]``); change it only through requests.
    """

    id: str
    created_at: str
    updated_at: str
    status: str = "created"
    next_action: str | None = None
    finished_at: str | None = None
    error: dict[str, str] | None = None
    payouts: list[Operation] = attrs.field(factory=list)
    payments: list[Operation] = attrs.field(factory=list)
    #: Sanitised fields given to session/create, merged into the later start/* call.
    draft: dict[str, Any] | None = None
    confirmed: bool = False
    cancelling: bool = False
    #: "nominal" (escrow) or "rko" (settlement account) sessions need confirm_information.
    account_kind: str | None = None
    #: Created by ``session/multi/create/<kind>``: only these may be started by
    #: ``session/multi/start/payment/<kind>``.
    multi: bool = False
    #: Transfer details shown while the bank waits for confirm (escrow/settlement payouts).
    confirm_information: dict[str, Any] | None = None
    #: Rendered JSON per API version, dropped on every change: status polling is then a dict
    #: lookup plus a bytes join. Two slots rather than a dict: a dict costs ~200 bytes a
    #: session, which at 100k sessions is noticeable.
    json_v1: bytes | None = None
    json_v2: bytes | None = None

    def touch(self) -> None:
        """Mark a change: a new ``updated_at`` and no cached JSON."""
        self.updated_at = now_iso()
        self.clear_cache()

    def clear_cache(self) -> None:
        """Drop the rendered JSON (it is rendered again on the next status)."""
        self.json_v1 = self.json_v2 = None

    def render(self, version: int) -> dict[str, Any]:
        """The session as the bank's JSON, in the spelling of API ``version`` (1 or 2)."""
        payouts_key, payments_key, _ = _KEYS[version]
        out: dict[str, Any] = {
            "id": self.id,
            "status": self.status,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        }
        if self.finished_at is not None:
            out["finished_at"] = self.finished_at
        if self.next_action is not None:
            out["next_action"] = self.next_action
        if self.payouts:
            out[payouts_key] = [op.render(version) for op in self.payouts]
        if self.payments:
            out[payments_key] = [op.render(version) for op in self.payments]
        if self.error is not None:
            out["error"] = self.error
        return out

    def json(self, version: int) -> bytes:
        """The session's JSON bytes for API ``version``, cached until the next change."""
        if version == 2:
            if self.json_v2 is None:
                self.json_v2 = dumps(self.render(2))
            return self.json_v2
        if self.json_v1 is None:
            self.json_v1 = dumps(self.render(1))
        return self.json_v1

    def confirm_information_for(self, version: int) -> dict[str, Any] | None:
        """``confirm_information`` in the spelling of ``version``, while confirm is awaited."""
        if self.confirm_information is None or self.next_action != "confirm":
            return None
        details = dict(self.confirm_information["transfer_details"])
        details[_KEYS[version][2]] = details.pop("instrument")
        return {**self.confirm_information, "transfer_details": details}

    def operations(self) -> list[Operation]:
        """Payouts and payments, in that order."""
        return self.payments + self.payouts


@attrs.frozen
class JournalEntry:
    """One money-relevant event. ``*_started`` entries record requests the bank accepted;
    ``*_succeeded``/``refund_accepted`` entries record money that really moved."""

    event: str
    session_id: str
    operation_id: str
    amount: int
    currency: str
    idempotency_key: str | None
    at: str


@attrs.define(eq=False)
class KycRequest:
    """One KYC ``check`` request; ``polls`` counts ``check/{id}`` reads (the first is pending)."""

    id: str
    inn: str
    signature_ok: bool
    polls: int = 0


@attrs.define(eq=False)
class MockState:
    """Everything the emulator remembers. Tests read it to assert what happened.

    Mutable entities compare by identity (``eq=False``): two sessions with equal fields are
    still two sessions.
    """

    wallet_balance: int
    sessions: dict[str, Session] = attrs.field(factory=dict)
    journal: list[JournalEntry] = attrs.field(factory=list)
    #: idempotency key -> route that consumed it
    idempotency_keys: dict[str, str] = attrs.field(factory=dict)
    #: recurrent token -> RecurrentTokenInfo, created by payments with ``recurrent: true``
    recurrent_tokens: dict[str, dict[str, Any]] = attrs.field(factory=dict)
    #: public (widget) token -> PublicTokenInfo
    public_tokens: dict[str, dict[str, Any]] = attrs.field(factory=dict)
    #: npd/check and npd/taxpayer/check_personal_info request id -> its result
    npd_requests: dict[str, dict[str, Any]] = attrs.field(factory=dict)
    #: self-employed INN -> message id -> notification (created on first sight of the INN)
    npd_notifications: dict[str, dict[str, dict[str, Any]]] = attrs.field(factory=dict)
    #: KYC request id -> request
    kyc_requests: dict[str, KycRequest] = attrs.field(factory=dict)
    #: (inn, agent_contract_number) -> KYC request id: the bank's duplicate check
    kyc_by_contract: dict[tuple[str, str], str] = attrs.field(factory=dict)
    #: Called with every journal entry as it is recorded (tests wait on the ledger with it).
    listeners: list[Callable[[JournalEntry], None]] = attrs.field(factory=list)
    _ids: itertools.count[int] = attrs.field(init=False, factory=lambda: itertools.count(1000))

    def new_id(self, prefix: str) -> str:
        """A new id with ``prefix`` (``ps_1000``, ``po_1001``, ...)."""
        return f"{prefix}_{next(self._ids)}"

    def new_session(self) -> Session:
        """A new session in status ``created``, kept in ``sessions``."""
        now = now_iso()
        session = Session(id=self.new_id("ps"), created_at=now, updated_at=now)
        self.sessions[session.id] = session
        return session

    def new_operation(
        self,
        kind: str,
        amount: tuple[int, str],
        instrument: dict[str, Any],
        facts: Facts,
        echo: dict[str, Any],
        idempotency_key: str | None,
        tax_reference: str | None = None,
    ) -> Operation:
        """A payout (``po_``) or payment (``pm_``) created now; ``amount`` is (minor units,
        currency)."""
        return Operation(
            id=self.new_id("po" if kind == "payout" else "pm"),
            kind=kind,
            created_at=now_iso(),
            amount=amount[0],
            currency=amount[1],
            instrument=instrument,
            facts=facts,
            echo=echo,
            idempotency_key=idempotency_key,
            tax_reference=tax_reference,
        )

    def record(self, event: str, session: Session, op: Operation, amount: int) -> None:
        """Append a money-relevant event to the journal (and tell the listeners)."""
        entry = JournalEntry(
            event, session.id, op.id, amount, op.currency, op.idempotency_key, now_iso()
        )
        self.journal.append(entry)
        for listener in self.listeners:
            listener(entry)

    # -- assertions helpers for tests -------------------------------------------------------

    def entries(self, event: str) -> list[JournalEntry]:
        """The journal's entries of one ``event``: ``payout_started``, ``payout_succeeded``,
        ``payment_succeeded``, ...
        """
        return [e for e in self.journal if e.event == event]

    def payouts_by_idempotency_key(self) -> dict[str | None, list[str]]:
        """Idempotency key -> ids of payouts started under it (more than one = paid twice)."""
        out: dict[str | None, list[str]] = defaultdict(list)
        for entry in self.entries("payout_started"):
            out[entry.idempotency_key].append(entry.operation_id)
        return dict(out)

    def paid_out(self) -> int:
        """Sum of succeeded payouts in minor units."""
        return sum(e.amount for e in self.entries("payout_succeeded"))
