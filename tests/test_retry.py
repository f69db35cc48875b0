"""Table tests of the pure retry rules: what is repeated, and how long we wait."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bank131_async._retry import (
    Outcome,
    RetryPolicy,
    answer_is_transient,
    answer_may_follow_processing,
    parse_retry_after,
)

POLICY = RetryPolicy(max_retries=3, initial_backoff=0.5, max_backoff=4.0, max_retry_after=30.0)


@pytest.mark.parametrize(
    ("attempt", "outcome", "status", "replay_safe", "expected"),
    [
        # never sent: always safe to send again, whatever the call is
        (1, Outcome.NOT_SENT, None, False, True),
        (1, Outcome.NOT_SENT, None, True, True),
        # may have been processed: only read-only calls or calls with an idempotency key
        (1, Outcome.MAYBE_SENT, None, True, True),
        (1, Outcome.MAYBE_SENT, None, False, False),
        # 429 was not processed: repeated even without a key
        (1, Outcome.ANSWERED, 429, False, True),
        # 5xx / 408 may have been processed
        (1, Outcome.ANSWERED, 500, True, True),
        (1, Outcome.ANSWERED, 502, True, True),
        (1, Outcome.ANSWERED, 503, True, True),
        (1, Outcome.ANSWERED, 504, True, True),
        (1, Outcome.ANSWERED, 408, True, True),
        (1, Outcome.ANSWERED, 500, False, False),
        (1, Outcome.ANSWERED, 503, False, False),
        # definitive answers are never repeated
        (1, Outcome.ANSWERED, 200, True, False),
        (1, Outcome.ANSWERED, 400, True, False),
        (1, Outcome.ANSWERED, 401, True, False),
        (1, Outcome.ANSWERED, 404, True, False),
        (1, Outcome.ANSWERED, 409, True, False),
        (1, Outcome.ANSWERED, 501, True, False),
        # the budget: max_retries=3 means attempts 1..3 may be followed by another
        (3, Outcome.NOT_SENT, None, True, True),
        (4, Outcome.NOT_SENT, None, True, False),
        (4, Outcome.ANSWERED, 429, True, False),
    ],
)
def test_should_retry(
    attempt: int, outcome: Outcome, status: int | None, replay_safe: bool, expected: bool
) -> None:
    got = POLICY.should_retry(
        attempt=attempt, outcome=outcome, status=status, replay_safe=replay_safe
    )
    assert got is expected


@pytest.mark.parametrize(
    ("status", "code", "replay_safe", "expected"),
    [
        # an internal-error envelope is transient whatever its HTTP status, and may have
        # followed processing: repeated only when replaying is safe
        (200, "internal_error", True, True),
        (200, "internal_error", False, False),
        (400, "provider_timeout", True, True),
        (500, "internal_error", False, False),
        # the bank's definite answers are not repeated
        (200, "session_wrong_state", True, False),
        (400, "declined_by_issuer_bank", True, False),
        (409, "idempotency_key_already_exists", True, False),
    ],
)
def test_should_retry_by_error_code(
    status: int, code: str, replay_safe: bool, expected: bool
) -> None:
    got = POLICY.should_retry(
        attempt=1, outcome=Outcome.ANSWERED, status=status, code=code, replay_safe=replay_safe
    )
    assert got is expected


@pytest.mark.parametrize(
    ("status", "code", "transient", "processed"),
    [
        (429, None, True, False),
        (429, "too_many_requests", True, False),
        (500, None, True, True),
        (503, None, True, True),
        (408, None, True, True),
        (501, None, False, True),
        (200, "internal_error", True, True),
        (400, "wallet_internal_error", True, True),
        (400, "insufficient_wallet_balance", False, False),
        (400, "invalid_request", False, False),
        (None, None, False, False),
    ],
)
def test_one_rule_for_transient_and_processed_answers(
    status: int | None, code: str | None, transient: bool, processed: bool
) -> None:
    assert answer_is_transient(status, code) is transient
    assert answer_may_follow_processing(status, code) is processed


def test_zero_retries_never_retries() -> None:
    policy = RetryPolicy(max_retries=0)
    assert not policy.should_retry(
        attempt=1, outcome=Outcome.NOT_SENT, status=None, replay_safe=True
    )


@pytest.mark.parametrize(
    ("attempt", "cap"),
    [(1, 0.5), (2, 1.0), (3, 2.0), (4, 4.0), (5, 4.0), (30, 4.0)],
)
def test_backoff_is_full_jitter_under_a_capped_exponential(attempt: int, cap: float) -> None:
    assert POLICY.backoff(attempt, rand=lambda: 0.0) == 0.0
    assert POLICY.backoff(attempt, rand=lambda: 0.5) == pytest.approx(cap / 2)
    assert POLICY.backoff(attempt, rand=lambda: 0.999999) == pytest.approx(cap, rel=1e-5)


def test_backoff_with_real_randomness_stays_in_bounds() -> None:
    for attempt in range(1, 8):
        cap = min(4.0, 0.5 * 2 ** (attempt - 1))
        samples = [POLICY.backoff(attempt) for _ in range(200)]
        assert all(0.0 <= s <= cap for s in samples)
        assert max(samples) > cap / 2  # jitter really spreads the delays


@pytest.mark.parametrize(
    ("retry_after", "expected"),
    [(None, 0.25), (0.0, 0.0), (2.0, 2.0), (30.0, 30.0), (30.5, None), (3600.0, None)],
)
def test_delay_honours_retry_after_up_to_the_cap(
    retry_after: float | None, expected: float | None
) -> None:
    assert POLICY.delay(1, retry_after, rand=lambda: 0.5) == expected


NOW = datetime(2026, 11, 22, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, None),
        ("", None),
        ("3", 3.0),
        (" 1.5 ", 1.5),
        ("-5", 0.0),
        ("Sun, 22 Nov 2026 12:00:10 GMT", 10.0),
        ("Sun, 22 Nov 2026 11:59:00 GMT", 0.0),
        ("soon", None),
        ("nan", None),
        ("inf", None),
    ],
)
def test_parse_retry_after(header: str | None, expected: float | None) -> None:
    assert parse_retry_after(header, now=NOW) == expected
