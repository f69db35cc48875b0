"""Items for bulk tests, the lost answers they recover from, and the ledger check against the
mock bank's journal of money."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import anyio

from bank131_async.mock import JournalEntry, MockBank131, MockState

#: The mock's outcome table (``bank131_async/mock/outcomes.py``): cards ending 0002 are
#: declined by the issuer, 0051 have insufficient funds, others are paid.
GOOD_CARD = "4242424242424242"
DECLINED_CARD = "4000000000000002"
NO_FUNDS_CARD = "4000000000000051"


def card_for(n: int) -> str:
    if n % 23 == 0:
        return DECLINED_CARD
    if n % 37 == 0:
        return NO_FUNDS_CARD
    return GOOD_CARD


def item(n: int, *, card: str | None = None, amount: int | None = None) -> dict[str, Any]:
    """Item ``it-n``; its metadata carries the id, so the ledger can be read per item."""
    return {
        "id": f"it-{n}",
        "payout_details": {
            "type": "card",
            "card": {"type": "bank_card", "bank_card": {"number": card or card_for(n)}},
        },
        "amount_details": {"amount": amount or 10_000 + n, "currency": "rub"},
        "participant_details": {"recipient": {"full_name": "Ivan Ivanov"}},
        "metadata": {"item": f"it-{n}"},
    }


def items(count: int, start: int = 1) -> list[dict[str, Any]]:
    return [item(n) for n in range(start, start + count)]


def expected(count: int, start: int = 1) -> tuple[set[str], set[str]]:
    """Ids that end succeeded and failed."""
    ok: set[str] = set()
    failed: set[str] = set()
    for n in range(start, start + count):
        (ok if card_for(n) == GOOD_CARD else failed).add(f"it-{n}")
    return ok, failed


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def lose_answers(mock: MockBank131, probability: float = 0.05) -> None:
    """The bank processes the request, then the connection drops: every step's answer."""
    for route in ("session/create", "session/start/payout", "session/confirm"):
        mock.faults.add("drop_after", route=route, probability=probability)


class Ledger:
    """What the mock bank did per item: payouts started and payouts that paid."""

    def __init__(self, state: MockState) -> None:
        operations: dict[str, str] = {}
        for session in state.sessions.values():
            for op in session.payouts:
                metadata = op.echo.get("metadata") or {}
                operations[op.id] = str(metadata.get("item"))
        self.started: Counter[str] = Counter()
        self.paid: Counter[str] = Counter()
        for entry in state.journal:
            item_id = operations.get(entry.operation_id, "?")
            if entry.event == "payout_started":
                self.started[item_id] += 1
            elif entry.event == "payout_succeeded":
                self.paid[item_id] += 1

    @property
    def paid_twice(self) -> list[str]:
        return sorted(k for k, n in self.started.items() if n > 1)

    def assert_paid_once(self, count: int) -> None:
        """Items ``it-1`` to ``it-count`` all started a payout; the good ones were paid
        exactly once, the others never (see :func:`expected`)."""
        ok, _ = expected(count)
        assert self.paid_twice == []
        assert set(self.paid) == ok
        assert all(n == 1 for n in self.paid.values())
        assert set(self.started) == {f"it-{n}" for n in range(1, count + 1)}


class Watch:
    """Events on the mock's ledger: ``await watch.started(n)`` returns once the bank has
    started ``n`` payouts in all (the mock records them synchronously, in the test's loop)."""

    def __init__(self, state: MockState) -> None:
        self._state = state
        self._waiters: list[tuple[int, anyio.Event]] = []

        def record(entry: JournalEntry) -> None:
            if entry.event == "payout_started":
                self._wake()

        state.listeners.append(record)

    @property
    def count(self) -> int:
        return sum(1 for e in self._state.journal if e.event == "payout_started")

    def _wake(self) -> None:
        count = self.count
        for target, event in self._waiters:
            if count >= target:
                event.set()

    async def started(self, target: int) -> None:
        if self.count >= target:
            return
        event = anyio.Event()
        self._waiters.append((target, event))
        try:
            await event.wait()
        finally:
            self._waiters.remove((target, event))
