"""The soak's 1,000-payout version: random faults on every route, 0 paid twice, 0 processed
steps reported as not processed, every flow ended (``nox -s soak`` runs 10,000)."""

from __future__ import annotations

import pytest

from tests.e2e.soak import soak


@pytest.mark.asyncio
async def test_a_thousand_payouts_under_faults_pay_once_and_tell_the_truth() -> None:
    report = await soak(1000, concurrency=100)
    print("\n".join(report.lines()))
    assert report.paid_twice == []
    assert report.lies == []
    ended = sum(n for outcome, n in report.outcomes.items() if not outcome.startswith("never"))
    assert ended == 1000
    assert set(report.outcomes) <= {"succeeded", "unknown", "failed: declined_by_issuer_bank"}
    assert all(session_id for _, session_id in report.unknown)
    # the faults really happened, and the flows really saw errors
    assert report.faults_hit > 300
    assert report.errors_seen > 20
    assert report.outcomes["succeeded"] > 900
