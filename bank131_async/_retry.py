"""When to send a request again, and how long to wait first. Pure functions, table-tested.

The one rule that protects money: a request that may have reached the bank is repeated only
when repeating it cannot do the work twice -- the operation is read-only, or it carries an
idempotency key the bank honours on that endpoint.
"""

from __future__ import annotations

import enum
import random
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import attrs

__all__ = [
    "INTERNAL_ERROR_CODES",
    "RETRYABLE_STATUSES",
    "Outcome",
    "RetryPolicy",
    "answer_is_transient",
    "answer_may_follow_processing",
    "parse_retry_after",
]


class Outcome(enum.Enum):
    #: The bank certainly did not get the request (connect error, pool timeout).
    NOT_SENT = "not_sent"
    #: The request may have been received and processed (read timeout, dropped connection).
    MAYBE_SENT = "maybe_sent"
    #: An HTTP answer arrived.
    ANSWERED = "answered"


#: HTTP statuses after which the same request may succeed if repeated shortly.
RETRYABLE_STATUSES = frozenset({408, 429, 500, 502, 503, 504})

#: Bank error codes saying the bank or a provider failed, whatever the HTTP status: the same
#: request may succeed shortly, and the failure may have come after the work was done.
INTERNAL_ERROR_CODES = frozenset(
    {
        "internal_error",
        "provider_internal_error",
        "provider_issuer_unavailable",
        "provider_timeout",
        "npd_service_internal_error",
        "wallet_internal_error",
        "routing_internal_error",
    }
)


def answer_is_transient(status: int | None, code: str | None = None) -> bool:
    """Whether the same request may succeed if repeated shortly: the one rule behind the
    transport's retries, the polling helpers' patience and ``ApiError.retryable``."""
    return status in RETRYABLE_STATUSES or code in INTERNAL_ERROR_CODES


def answer_may_follow_processing(status: int | None, code: str | None = None) -> bool:
    """Whether an answer may come after the bank processed the request.

    A 5xx or 408 (the bank, or a proxy in front of it, failed at some point of the work) or an
    internal-error code may; any other answer is the bank's definite word about what it did.
    This is the rule behind both the retries (such answers are repeated only when replaying is
    safe) and every error's ``maybe_processed``.
    """
    if status is not None and (status >= 500 or status == 408):
        return True
    return code in INTERNAL_ERROR_CODES


@attrs.frozen(kw_only=True)
class RetryPolicy:
    """Bounded retries with capped exponential backoff and full jitter.

    ``max_retries`` counts retries after the first attempt. The n-th retry waits a uniformly
    random time in ``[0, min(max_backoff, initial_backoff * 2**(n-1))]`` (full jitter spreads
    thousands of concurrent payouts instead of retrying them in lockstep), or what the server
    asked for in ``Retry-After`` when that is not longer than ``max_retry_after``.
    """

    max_retries: int = 2
    initial_backoff: float = 0.5
    max_backoff: float = 8.0
    max_retry_after: float = 60.0

    def should_retry(
        self,
        *,
        attempt: int,
        outcome: Outcome,
        replay_safe: bool,
        status: int | None = None,
        code: str | None = None,
    ) -> bool:
        """Whether to send again after ``attempt`` attempts (1-based) ended with ``outcome``
        (for an answer: its HTTP ``status`` and the bank's error ``code``, if any)."""
        if attempt > self.max_retries:
            return False
        if outcome is Outcome.NOT_SENT:
            return True
        if outcome is Outcome.MAYBE_SENT:
            return replay_safe
        if not answer_is_transient(status, code):
            return False
        return replay_safe or not answer_may_follow_processing(status, code)

    def backoff(self, attempt: int, rand: Callable[[], float] = random.random) -> float:
        """Full-jitter delay before retry number ``attempt`` (1-based)."""
        cap = min(self.max_backoff, self.initial_backoff * 2.0 ** (attempt - 1))
        return rand() * cap

    def delay(
        self,
        attempt: int,
        retry_after: float | None = None,
        rand: Callable[[], float] = random.random,
    ) -> float | None:
        """Seconds to wait before retry ``attempt``, or ``None`` when the server asked for a
        longer pause than ``max_retry_after`` (then the error is raised instead)."""
        if retry_after is not None:
            if retry_after > self.max_retry_after:
                return None
            return max(retry_after, 0.0)
        return self.backoff(attempt, rand)


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """``Retry-After`` as seconds: delta-seconds or an HTTP date; ``None`` if absent/invalid."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
    if seconds != seconds or seconds in (float("inf"), float("-inf")):
        return None
    return max(seconds, 0.0)
