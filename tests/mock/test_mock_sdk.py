"""The emulator's client factory and the SDK against it over real sockets.

Broader SDK-against-emulator coverage lives in ``tests/e2e``; these pin the factory and the
money-safety property the emulator exists to check.
"""

from __future__ import annotations

import anyio
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from bank131_async import AsyncBank131, IdempotencyConflictError, RetryPolicy
from bank131_async.mock import MockBank131
from bank131_async.models import (
    Session,
)
from bank131_async.polling import PollSchedule
from tests.payouts import card_payout

pytestmark = pytest.mark.asyncio

POLL = PollSchedule(initial=0.005, maximum=0.02)


async def _init_payout(bank: AsyncBank131, idempotency_key: str | None = None) -> Session:
    return await bank.sessions.init_payout(idempotency_key=idempotency_key, **card_payout())


async def test_client_factory_runs_a_payout(server: MockBank131) -> None:
    async with server.client() as bank:
        session = await _init_payout(bank)
        await bank.sessions.wait_for_next_action(session.id, "confirm", timeout=5, schedule=POLL)
        await bank.sessions.confirm(session.id)
        session = await bank.sessions.wait_for_finished(session.id, timeout=5, schedule=POLL)
    assert session.status == "accepted"
    assert server.state.paid_out() == 10_000


async def test_dropped_answer_is_not_paid_twice(server: MockBank131) -> None:
    """The payout is made, the answer is lost, the SDK retries under the same key: the bank
    refuses the replay and the journal shows exactly one payout."""
    server.faults.add("drop_after", route="session/init/payout", times=1)
    policy = RetryPolicy(max_retries=2, initial_backoff=0.01, max_backoff=0.02)
    async with server.client(retry_policy=policy) as bank:
        with pytest.raises(IdempotencyConflictError):
            await _init_payout(bank, idempotency_key="order-42")
    assert server.state.payouts_by_idempotency_key() == {
        "order-42": [next(iter(server.state.sessions.values())).payouts[0].id]
    }


async def test_client_factory_needs_the_private_key(partner_key: rsa.RSAPrivateKey) -> None:
    async with MockBank131(partner_public_key=partner_key.public_key()) as mock:
        with pytest.raises(RuntimeError, match="public key"):
            mock.client()
        assert "PRIVATE" not in repr(mock)


async def test_a_client_of_a_mock_in_another_event_loop_fails_at_once() -> None:
    """Defect: a session-scoped mock used from a function-scoped test loop hung 91 s, then
    said "reconcile before trying anything else"."""
    from bank131_async.errors import ConfigurationError
    from bank131_async.mock import MockBankThread

    with MockBankThread() as threaded:
        # the in-loop emulator of that thread, and a client made by it: pinned to its loop
        pinned = threaded.call(lambda mock: mock.client(max_retries=0))
        with anyio.fail_after(2), pytest.raises(ConfigurationError, match="another event loop"):
            await pinned.sessions.status("ps_1")
        # the thread's own client factory answers from any loop
        async with threaded.client(max_retries=0) as free:
            session = await free.sessions.create()
        assert session.status == "created"
        await pinned.aclose()
