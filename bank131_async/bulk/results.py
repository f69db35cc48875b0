"""What became of each item, and of the batch: :class:`ItemResult`, :class:`Summary`.

=============  ==============================================================================
``succeeded``  the bank paid it (session ``accepted``, payout ``succeeded``)
``failed``     the bank did not pay it: ``error_code`` is the bank's (a decline, a refusal of the
               request, or ``session_cancelled_by_partner`` when the decision was to cancel)
``invalid``    refused before any request: ``reason`` names the line and the field
``unknown``    the runner could not find out (answers lost, waits timed out): reconcile
               ``session_id`` (a rerun of the batch does it); with no ``session_id`` nothing
               was started and a rerun retries the item
=============  ==============================================================================
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from enum import StrEnum
from typing import Any

import attrs
from attrs import frozen

__all__ = ["ItemResult", "Outcome", "Summary"]


class Outcome(StrEnum):
    """How an item of a batch ended: ``succeeded``, ``failed`` (the bank's ``error_code``),
    ``invalid`` (the item could not be paid as written) or ``unknown`` (reconcile its session; a
    rerun does).
    """

    SUCCEEDED = "succeeded"
    FAILED = "failed"
    INVALID = "invalid"
    UNKNOWN = "unknown"


#: Outcomes that end an item for good; ``unknown`` is reconciled by the next run.
FINAL = frozenset({Outcome.SUCCEEDED, Outcome.FAILED, Outcome.INVALID})


@frozen(kw_only=True)
class ItemResult:
    """One item's outcome. ``amount`` is in minor units (``None`` if the item did not parse)."""

    item_id: str | None
    status: Outcome
    session_id: str | None = None
    error_code: str | None = None
    amount: int | None = None
    currency: str | None = None
    reason: str | None = None
    #: Line (or position) of the item in its input, when known.
    line: int | None = None

    def to_json(self) -> dict[str, Any]:
        """The ``--results`` line: ``id``, ``status``, ``session_id``, ``error_code``,
        ``amount`` (null where not applicable), and ``reason`` for ``invalid``/``unknown``."""
        return {
            "id": self.item_id,
            "status": str(self.status),
            "session_id": self.session_id,
            "error_code": self.error_code,
            "amount": self.amount,
            "reason": self.reason,
        }

    def to_line(self) -> str:
        """The result as one compact JSON line (what ``--results`` writes)."""
        return json.dumps(self.to_json(), ensure_ascii=False, separators=(",", ":"))


@attrs.define
class Summary:
    """Counts and amounts by outcome, failures by error code, and the pace of this run.

    ``amounts`` maps outcome -> currency -> minor units. ``pending`` counts items that have no
    result yet (another runner holds them, or the run was interrupted).
    """

    batch_id: str
    counts: Counter[str] = attrs.Factory(Counter)
    amounts: dict[str, Counter[str]] = attrs.Factory(dict)
    failures: Counter[str] = attrs.Factory(Counter)
    pending: int = 0
    #: Items this run finished (not counting those already final when it started).
    processed: int = 0
    elapsed: float = 0.0

    def add(self, result: ItemResult) -> None:
        """Count one item's result."""
        status = str(result.status)
        self.counts[status] += 1
        if result.amount is not None:
            by_currency = self.amounts.setdefault(status, Counter())
            by_currency[(result.currency or "?").lower()] += result.amount
        if result.status is Outcome.FAILED:
            self.failures[result.error_code or "unknown_error"] += 1

    @property
    def total(self) -> int:
        """Every item of the batch: those with a result and the pending ones."""
        return sum(self.counts.values()) + self.pending

    @property
    def ok(self) -> bool:
        """Every item ended ``succeeded`` or ``failed`` (the CLI's exit status 0)."""
        bad = self.counts[Outcome.UNKNOWN] + self.counts[Outcome.INVALID]
        return bad == 0 and self.pending == 0

    @property
    def rate(self) -> float:
        """Payouts finished per second by this run."""
        return self.processed / self.elapsed if self.elapsed > 0 else 0.0

    def render(self) -> str:
        """A plain-text report (the CLI prints it at the end of ``run`` and for ``status``)."""
        lines = [f"batch {self.batch_id}: {self.total} items"]
        for outcome in Outcome:
            n = self.counts[outcome]
            money = _money(self.amounts.get(outcome, {}))
            lines.append(f"  {outcome!s:<10} {n:>9}" + (f"   {money}" if money else ""))
        if self.pending:
            lines.append(f"  {'pending':<10} {self.pending:>9}")
        if self.failures:
            lines.append("  failures by error code:")
            for code, n in self.failures.most_common():
                lines.append(f"    {code:<36} {n:>7}")
        if self.processed:
            lines.append(
                f"  this run: {self.processed} items in {self.elapsed:.1f} s "
                f"({self.rate:.1f} payouts/s)"
            )
        return "\n".join(lines)


def _money(amounts: Mapping[str, int]) -> str:
    return ", ".join(f"{v / 100:,.2f} {c.upper()}" for c, v in sorted(amounts.items()))
