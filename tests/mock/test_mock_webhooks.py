"""Webhooks reach a real HTTP receiver on loopback, signed with the bank key, and are retried."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from cryptography.hazmat.primitives.asymmetric import rsa

from bank131_async.mock import MockBankApp, MockConfig
from tests.mock.mockbank_helpers import FAST, Bank, Receiver, card_payment, card_payout, verify

pytestmark = pytest.mark.asyncio


@pytest_asyncio.fixture
async def receiver() -> AsyncIterator[Receiver]:
    async with Receiver() as r:
        yield r


@pytest.fixture
def hooked(mock_app: MockBankApp, receiver: Receiver) -> MockBankApp:
    mock_app.config.webhook_url = receiver.url
    return mock_app


async def _confirmed(bank: Bank, method: str, body: dict[str, object]) -> str:
    sid: str = (await bank.session(method, body))["id"]
    await bank.wait_action(sid, "confirm")
    await bank.session("session/confirm", {"session_id": sid})
    return sid


async def test_payout_webhooks_are_signed(
    bank: Bank, hooked: MockBankApp, receiver: Receiver, bank_key: rsa.RSAPrivateKey
) -> None:
    sid = await _confirmed(bank, "session/init/payout", card_payout())
    await bank.wait_final(sid)
    await receiver.wait_for(2)
    assert [e["type"] for e in receiver.events()] == ["ready_to_confirm", "payment_finished"]
    for headers, body in receiver.requests:
        assert headers["content-type"] == "application/json"
        verify(bank_key.public_key(), body, headers["x-partner-sign"])
    ready, finished = receiver.events()
    assert ready["session"]["next_action"] == "confirm"
    assert ready["session"]["payout_list"][0]["status"] == "pending"
    assert finished["session"]["status"] == "accepted"
    assert "4242424242424242" not in receiver.requests[0][1].decode()


async def test_payment_hold_and_refund_webhooks(
    bank: Bank, hooked: MockBankApp, receiver: Receiver
) -> None:
    hooked.config.delayed_capture = True
    sid = await _confirmed(bank, "session/init/payment", card_payment())
    await bank.wait_action(sid, "capture")
    await bank.session("session/capture", {"session_id": sid})
    await bank.wait_final(sid)
    await bank.session("session/refund", {"session_id": sid})
    await receiver.wait_for(5)
    assert [e["type"] for e in receiver.events()] == [
        "ready_to_confirm",
        "action_required",
        "ready_to_capture",
        "payment_finished",
        "payment_refunded",
    ]
    action = receiver.events()[1]["session"]["payment_list"][0]
    assert action["customer_interaction"]["type"] == "redirect"
    refunded = receiver.events()[4]["session"]["payment_list"][0]["refunds"][0]
    assert refunded["status"] == "accepted"


async def test_v1_spelling_in_webhooks(bank: Bank, hooked: MockBankApp, receiver: Receiver) -> None:
    hooked.config.webhook_api_version = 1
    await bank.session("session/init/payout", card_payout())
    await receiver.wait_for(1)
    assert "payments" in receiver.events()[0]["session"]


async def test_retried_with_growing_intervals(
    bank: Bank, hooked: MockBankApp, receiver: Receiver
) -> None:
    hooked.config.webhook_retry_delay = 0.05  # 50, 100, 200 ms: clear of scheduling noise
    receiver.statuses = [500, 404, 503]
    await bank.session("session/init/payout", card_payout())
    await receiver.wait_for(4)
    await hooked.webhooks.wait_idle()
    [delivery] = hooked.webhooks.deliveries
    assert delivery.outcomes == [500, 404, 503, 200]
    assert delivery.delivered
    gaps = [b - a for a, b in zip(receiver.times, receiver.times[1:], strict=False)]
    assert gaps[0] < gaps[1] < gaps[2]
    bodies = {body for _, body in receiver.requests}
    assert len(bodies) == 1  # the same signed bytes every time


async def test_gives_up_after_max_attempts(
    bank: Bank, hooked: MockBankApp, receiver: Receiver
) -> None:
    hooked.config.webhook_max_attempts = 3
    receiver.statuses = [500] * 10
    await bank.session("session/init/payout", card_payout())
    await receiver.wait_for(3)
    await hooked.webhooks.wait_idle()
    [delivery] = hooked.webhooks.deliveries
    assert delivery.outcomes == [500, 500, 500]
    assert delivery.finished
    assert not delivery.delivered


async def test_unreachable_receiver_is_retried_then_dropped(
    partner_key: rsa.RSAPrivateKey, bank_key: rsa.RSAPrivateKey
) -> None:
    config = MockConfig(**FAST, webhook_url="http://127.0.0.1:9/nothing", webhook_max_attempts=2)
    app = MockBankApp(
        config, partner_public_key=partner_key.public_key(), bank_private_key=bank_key
    )
    try:
        session = app.state.new_session()
        app.webhooks.send("payment_finished", session)
        await app.webhooks.wait_idle()
        [delivery] = app.webhooks.deliveries
        assert delivery.outcomes == ["ConnectError", "ConnectError"]
    finally:
        await app.aclose()


async def test_single_request_payouts_send_only_payment_finished(
    bank: Bank, hooked: MockBankApp, receiver: Receiver
) -> None:
    hooked.config.auto_confirm_payouts = True
    session = await bank.session("session/init/payout", card_payout())
    final = await bank.wait_final(session["id"])
    assert final["status"] == "accepted"
    await receiver.wait_for(1)
    await hooked.webhooks.wait_idle()
    assert [e["type"] for e in receiver.events()] == ["payment_finished"]


async def test_cancel_sends_payment_finished_with_the_error(
    bank: Bank, hooked: MockBankApp, receiver: Receiver
) -> None:
    session = await bank.session("session/init/payment", card_payment())
    await bank.wait_action(session["id"], "confirm")
    await bank.session("session/cancel", {"session_id": session["id"]})
    await receiver.wait_for(2)
    finished = receiver.events()[1]
    assert finished["type"] == "payment_finished"
    assert finished["session"]["status"] == "cancelled"
    assert finished["session"]["payment_list"][0]["error"]["code"] == (
        "session_cancelled_by_partner"
    )


async def test_ready_to_confirm_carries_confirm_information(
    bank: Bank, hooked: MockBankApp, receiver: Receiver
) -> None:
    body = card_payout(version=1)
    body["participant_details"]["sender"] = {"account": "40702810400000000333"}
    await bank.session("session/init/payout/rko", body, version=1)
    await receiver.wait_for(1)
    [event] = receiver.events()
    assert event["type"] == "ready_to_confirm"
    details = event["confirm_information"]["transfer_details"]
    assert details["payout_details"]["card"]["last4"] == "4242"  # webhooks speak v2 here
