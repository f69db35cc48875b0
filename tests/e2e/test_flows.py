"""Whole flows with the SDK against the mock bank over real sockets."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from bank131_async import AsyncBank131
from bank131_async.errors import (
    AuthenticationError,
    SessionWrongStateError,
    UnexpectedSessionStateError,
)
from bank131_async.mock import MockBank131
from bank131_async.models import (
    AmountDetails,
    OperationStatus,
    PayoutDetails,
    RefundStatus,
    SessionStatus,
)
from tests.payouts import card_payout

from .conftest import POLL
from .steps import card_payment, finish

pytestmark = pytest.mark.asyncio

RUB = "rub"


async def test_payout_flow_init_wait_confirm_wait_finished(
    bank: AsyncBank131, mock: MockBank131
) -> None:
    balance = mock.state.wallet_balance
    session = await bank.sessions.init_payout(
        **card_payout(), metadata={"order": 1}, idempotency_key="order-1"
    )
    assert session.status == SessionStatus.IN_PROGRESS
    assert session.payout_list[0].status == OperationStatus.IN_PROGRESS

    session = await bank.sessions.wait_for_next_action(
        session.id, "confirm", timeout=5, schedule=POLL
    )
    assert session.payout_list[0].status == OperationStatus.PENDING
    await bank.sessions.confirm(session.id)
    session = await bank.sessions.wait_for_finished(session.id, timeout=5, schedule=POLL)

    assert session.status == SessionStatus.ACCEPTED
    payout = session.payout_list[0]
    assert payout.status == OperationStatus.SUCCEEDED
    assert payout.amount_details == AmountDetails(amount=10_000, currency=RUB)
    assert payout.payout_details is not None
    assert payout.payout_details.card is not None
    assert payout.payout_details.card.last4 == "4242"
    assert mock.state.payouts_by_idempotency_key() == {"order-1": [payout.id]}
    assert mock.state.wallet_balance == balance - 10_000


async def test_create_then_start_payout_in_api_v1(bank: AsyncBank131, mock: MockBank131) -> None:
    v1 = bank.with_options(api_version="v1")
    session = await v1.sessions.create()
    assert session.status == SessionStatus.CREATED
    await v1.sessions.start_payout(
        session.id,
        payout_details=PayoutDetails.from_fps(
            phone="79001234567", bank_id="100000000004", description="Payout"
        ),
        amount_details=AmountDetails(amount=5_000, currency=RUB),
    )
    session = await finish(v1, session.id)
    assert session.status == SessionStatus.ACCEPTED
    details = session.payout_list[0].payout_details  # parsed from v1 `payment_method`
    assert details is not None
    assert details.bank_account is not None
    assert details.bank_account.system_type == "faster_payment_system"


async def test_declined_payout_finishes_cancelled_with_the_reason(bank: AsyncBank131) -> None:
    session = await bank.sessions.init_payout(**card_payout("4000000000000002", 1_000))
    session = await finish(bank, session.id)
    assert session.status == SessionStatus.CANCELLED
    error = session.payout_list[0].error
    assert error is not None
    assert error.code == "declined_by_issuer_bank"


async def test_cancel_instead_of_confirm(bank: AsyncBank131, mock: MockBank131) -> None:
    session = await bank.sessions.init_payout(**card_payout(amount=1_000))
    session = await finish(bank, session.id, "cancel")
    assert session.status == SessionStatus.CANCELLED
    assert session.error is not None
    assert session.error.code == "session_cancelled_by_partner"
    with pytest.raises(UnexpectedSessionStateError, match="can never come"):
        await bank.sessions.wait_for_next_action(session.id, "confirm", timeout=5, schedule=POLL)
    with pytest.raises(SessionWrongStateError):
        await bank.sessions.confirm(session.id)
    assert mock.state.paid_out() == 0


async def test_payment_with_delayed_capture_partial_capture_and_refund(
    bank: AsyncBank131, mock: MockBank131
) -> None:
    mock.config.delayed_capture = True
    session = await bank.sessions.init_payment(**card_payment(20_000, "user-7"))
    await bank.sessions.wait_for_next_action(session.id, "confirm", timeout=5, schedule=POLL)
    await bank.sessions.confirm(session.id)
    session = await bank.sessions.wait_for_next_action(
        session.id, "capture", timeout=5, schedule=POLL
    )
    await bank.sessions.capture(
        session.id, amount_details=AmountDetails(amount=15_000, currency=RUB)
    )
    session = await bank.sessions.wait_for_finished(session.id, timeout=5, schedule=POLL)
    assert session.status == SessionStatus.ACCEPTED
    assert session.payment_list[0].status == OperationStatus.SUCCEEDED

    session = await bank.sessions.refund(
        session.id, amount_details=AmountDetails(amount=5_000, currency=RUB)
    )
    refunds = session.payment_list[0].refunds
    assert len(refunds) == 1
    assert refunds[0].status == RefundStatus.IN_PROGRESS


async def test_wrong_key_is_rejected_by_the_bank(
    mock: MockBank131, bank_key: rsa.RSAPrivateKey
) -> None:
    # bank_key is not the registered partner key: the signature cannot verify
    async with AsyncBank131(
        project=mock.project, private_key=bank_key, base_url=mock.url, max_retries=0
    ) as stranger:
        with pytest.raises(AuthenticationError) as info:
            await stranger.sessions.status("ps_1")
    assert info.value.code == "authentication_error"


async def test_unknown_project_is_rejected_by_the_bank(
    mock: MockBank131, partner_key: rsa.RSAPrivateKey
) -> None:
    async with AsyncBank131(
        project="someone_else", private_key=partner_key, base_url=mock.url, max_retries=0
    ) as stranger:
        with pytest.raises(AuthenticationError) as info:
            await stranger.sessions.status("ps_1")
    assert info.value.code == "identification_error"
