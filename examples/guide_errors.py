"""Errors and money safety: what each failure means for the money, and what to do next.

    pip install 'bank131-async[mock]'
    python examples/guide_errors.py

The mock bank injects the failures (``mock.faults.add(...)``): an answer lost after the bank
processed the request, a 503, a 429, and the bank's definite refusals. Every error is a
``Bank131Error`` with ``maybe_processed``: may the bank have processed the request, so that
money may have moved?
"""

from __future__ import annotations

import asyncio

from bank131_async import (
    Bank131Error,
    IdempotencyConflictError,
    RateLimitError,
    RequestValidationError,
    SessionWrongStateError,
    TransportError,
    WaitTimeoutError,
)
from bank131_async.mock import MockBank131
from bank131_async.models import (
    AmountDetails,
    BankCard,
    Participant,
    ParticipantDetails,
    PayoutDetails,
)

CARD = PayoutDetails.from_card(BankCard(number="4242424242424242"))
IVAN = ParticipantDetails(recipient=Participant(full_name="Ivan Ivanov"))
RUB_100 = AmountDetails(amount=100_00, currency="rub")


def advice(exc: Bank131Error) -> str:
    """The one branch every caller needs, whatever the class."""
    if exc.maybe_processed:
        return "money may have moved: look the session up; repeat only with the same key"
    return "nothing happened at the bank: fix the cause, then send again"


async def main() -> int:
    async with MockBank131(confirm_delay=0.05, process_delay=0.05) as mock:
        # 1. The bank processed start_payout, then the connection dropped before its answer.
        #    With retries off you see the raw situation: TransportError, maybe_processed=True.
        async with mock.client(max_retries=0) as bank:
            session = await bank.sessions.create(idempotency_key="order-1-create")
            mock.faults.add("drop_after", route="session/start/payout", times=1)
            try:
                await bank.sessions.start_payout(
                    session.id,
                    payout_details=CARD,
                    amount_details=RUB_100,
                    participant_details=IVAN,
                    idempotency_key="order-1-start",
                )
            except TransportError as exc:
                print(f"1. {type(exc).__name__}: maybe_processed={exc.maybe_processed}")
                print(f"   -> {advice(exc)}")
                # You hold the session id (create, then start), so reconcile by reading it:
                found = await bank.sessions.status(session.id)
                print(f"   session/status: {found.status}, payouts: {len(found.payout_list)}")

        # 2. The same loss with the default client: the SDK repeats the call with the same
        #    idempotency key and reconciles the answer; you get the session, not an error.
        async with mock.client() as bank:
            session = await bank.sessions.create()
            mock.faults.add("drop_after", route="session/start/payout", times=1)
            raw = await bank.with_raw_response(
                bank.sessions.start_payout(
                    session.id,
                    payout_details=CARD,
                    amount_details=RUB_100,
                    participant_details=IVAN,
                )
            )
            started = [
                e for e in mock.state.entries("payout_started") if e.session_id == session.id
            ]
            print(f"2. no error: the SDK repeated the call with its key and reconciled it "
                  f"(last request: {raw.info.path})")  # fmt: skip
            print(f"   session {raw.parsed.id}: {raw.parsed.status}; payouts the bank started: "
                  f"{len(started)}")  # fmt: skip

            # 3. A 429: nothing was processed; wait retry_after and repeat.
            mock.faults.add("rate_limit", route="session/status", times=5, retry_after=0.1)
            try:
                await bank.with_options(max_retries=0).sessions.status(session.id)
            except RateLimitError as exc:
                print(f"3. RateLimitError: maybe_processed={exc.maybe_processed}, "
                      f"retry_after={exc.retry_after}")  # fmt: skip
                print(f"   -> {advice(exc)}")
            mock.faults.clear()

            # 4. A definite refusal: confirm before the bank asks for it.
            try:
                await bank.sessions.confirm((await bank.sessions.create()).id)
            except SessionWrongStateError as exc:
                print(f"4. SessionWrongStateError code={exc.code}: "
                      f"maybe_processed={exc.maybe_processed}")  # fmt: skip

            # 5. One key, two different requests: the first may have gone through.
            await bank.sessions.init_payout(
                payout_details=CARD, amount_details=RUB_100, participant_details=IVAN,
                idempotency_key="order-5",
            )  # fmt: skip
            try:
                await bank.sessions.init_payout(
                    payout_details=CARD,
                    amount_details=AmountDetails(amount=200_00, currency="rub"),
                    participant_details=IVAN,
                    idempotency_key="order-5",
                )
            except IdempotencyConflictError as exc:
                print(f"5. IdempotencyConflictError: maybe_processed={exc.maybe_processed}")
                print(f"   -> {advice(exc)}")

            # 6. Checked before sending: amounts are int kopecks.
            try:
                AmountDetails(amount=100.5, currency="rub")  # type: ignore[arg-type]
            except RequestValidationError as exc:
                print(f"6. {type(exc).__name__}: {exc}")

            # 7. A wait that runs out: nothing moved because of the wait; the session goes on.
            slow = await bank.sessions.init_payout(
                payout_details=CARD, amount_details=RUB_100, participant_details=IVAN
            )
            mock.config.confirm_delay = 1.0
            try:
                await bank.sessions.wait_for_finished(slow.id, timeout=0.2)
            except WaitTimeoutError as exc:
                last = exc.session.status if exc.session else None
                print(f"7. WaitTimeoutError (a TimeoutError): last seen status {last}")
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
