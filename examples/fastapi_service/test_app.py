"""Testing the service with the SDK's pytest plugin: nothing to import into conftest.py.

``bank131_mock`` is a mock Bank 131 on 127.0.0.1 (in a thread of its own: it answers from any
event loop), ``bank131_client`` an ``AsyncBank131`` connected to it, ``bank131_webhook_signer``
signs webhooks as the bank does. The mock keeps its webhooks in an outbox;
``deliver_webhooks(app)`` hands them to the app without a server.
"""

from __future__ import annotations

import httpx
import pytest
from app import FINISHED, create_app

from bank131_async import AsyncBank131
from bank131_async.mock import MockBankThread
from bank131_async.testing import WebhookSigner, webhook_payload


async def test_a_payout_is_confirmed_by_the_webhook_handler(bank131_mock: MockBankThread) -> None:
    app = create_app(bank131_mock.client)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://app") as http:
            response = await http.post(
                "/payouts",
                json={
                    "order_id": "order-1",
                    "card_number": "4242424242424242",
                    "amount": 10_000,
                    "recipient": "Ivan Ivanov",
                },
            )
            session_id = response.json()["session_id"]
            # ready_to_confirm: the handler confirms; then payment_finished
            await bank131_mock.deliver_webhooks(app, at_least=1)
            await bank131_mock.deliver_webhooks(app, at_least=1)
    assert FINISHED[session_id] == "accepted"
    assert bank131_mock.state.paid_out() == 10_000


async def test_a_forged_webhook_is_refused(
    bank131_mock: MockBankThread, bank131_webhook_signer: WebhookSigner
) -> None:
    app = create_app(bank131_mock.client)
    forger = WebhookSigner()  # not the bank's key
    body, headers = forger.headers(webhook_payload("payment_finished", session_id="ps_x"))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://app") as http:
            forged = await http.post("/bank131/webhooks", content=body, headers=headers)
            body, headers = bank131_webhook_signer.headers(
                webhook_payload("payment_finished", session_id="ps_y")
            )
            real = await http.post("/bank131/webhooks", content=body, headers=headers)
    assert forged.status_code == 400
    assert real.status_code == 200
    assert "ps_x" not in FINISHED


async def test_the_client_fixture_talks_to_the_mock(bank131_client: AsyncBank131) -> None:
    session = await bank131_client.sessions.create()
    assert (await bank131_client.sessions.status(session.id)).status == "created"


@pytest.fixture
def bank131_mock_options() -> dict[str, object]:
    # The plugin's options, overridden for this module: fast timers, webhooks in the outbox.
    return {"confirm_delay": 0.005, "process_delay": 0.005, "webhook_url": "outbox"}
