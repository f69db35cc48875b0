"""Tests of ``payouts.py`` with the SDK's pytest plugin (``pip install 'bank131-async[testing]'``).

The plugin's fixtures need no import: ``bank131_mock`` is a mock bank in a thread of its own,
``bank131_client`` an ``AsyncBank131`` connected to it, ``bank131_webhook_signer`` signs
webhooks as the bank does. Run: ``pytest examples/guide_testing``.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import respx
from payouts import confirmations, pay_out

from bank131_async import AsyncBank131, SessionWrongStateError, TransportError
from bank131_async.mock import MockBankThread
from bank131_async.testing import WebhookSigner, webhook_payload
from bank131_async.webhooks import WebhookRouter, receive_webhook


async def test_a_payout_is_paid_once(
    bank131_client: AsyncBank131, bank131_mock: MockBankThread
) -> None:
    session = await pay_out(bank131_client, "order-1", "4242424242424242", 10_000)

    assert session.status == "accepted"
    assert bank131_mock.state.paid_out() == 10_000  # the mock bank's own ledger


async def test_a_declined_card_cancels_the_session(bank131_client: AsyncBank131) -> None:
    # The mock decides outcomes by input: cards ending 0002 are declined by the issuer.
    session = await pay_out(bank131_client, "order-2", "4000000000000002", 10_000)

    assert session.status == "cancelled"
    error = session.payout_list[0].error
    assert error is not None
    assert error.code == "declined_by_issuer_bank"


async def test_a_lost_answer_does_not_pay_twice(
    bank131_client: AsyncBank131, bank131_mock: MockBankThread
) -> None:
    # Fault injection: the bank processes start/payout, then the connection drops.
    bank131_mock.add_fault("drop_after", route="session/start/payout", times=1)

    session = await pay_out(bank131_client, "order-3", "4242424242424242", 10_000)

    assert session.status == "accepted"
    assert bank131_mock.state.paid_out() == 10_000


class TestWithoutRetries:
    @pytest.fixture
    def bank131_client_options(self) -> dict[str, Any]:
        return {"max_retries": 0}  # override the plugin's option fixtures where you need to

    async def test_a_lost_answer_is_reported_as_maybe_processed(
        self, bank131_client: AsyncBank131, bank131_mock: MockBankThread
    ) -> None:
        bank131_mock.add_fault("drop_after", route="session/start/payout", times=1)

        with pytest.raises(TransportError) as lost:
            await pay_out(bank131_client, "order-4", "4242424242424242", 10_000)
        assert lost.value.maybe_processed  # the bank did process it: reconcile, never re-pay

    async def test_confirming_twice_is_refused(self, bank131_client: AsyncBank131) -> None:
        session = await pay_out(bank131_client, "order-5", "4242424242424242", 10_000)

        with pytest.raises(SessionWrongStateError) as refused:
            await bank131_client.sessions.confirm(session.id)
        assert not refused.value.maybe_processed  # the bank's definite no: no money moved


async def test_the_webhook_handler(bank131_webhook_signer: WebhookSigner) -> None:
    confirmed: list[str] = []
    body, signature = bank131_webhook_signer.sign(
        webhook_payload("ready_to_confirm", session_id="ps_42")
    )

    reply = await receive_webhook(
        body, signature, verifier=bank131_webhook_signer.verifier, router=confirmations(confirmed)
    )

    assert reply.status == 200
    assert confirmed == ["ps_42"]


async def test_a_forged_webhook_is_refused(bank131_webhook_signer: WebhookSigner) -> None:
    body, _ = bank131_webhook_signer.sign(webhook_payload("ready_to_confirm"))
    forged = WebhookSigner().sign(body)[1]  # signed with another key

    reply = await receive_webhook(
        body, forged, verifier=bank131_webhook_signer.verifier, router=WebhookRouter()
    )

    assert reply.status == 400


@respx.mock
async def test_wire_level_with_respx(bank131_webhook_signer: WebhookSigner) -> None:
    # respx intercepts the SDK's requests as it intercepts plain httpx: no mock bank at all.
    route = respx.post("https://demo.bank131.ru/api/v2/session/status").mock(
        return_value=httpx.Response(
            200, json={"status": "ok", "session": {"id": "ps_1", "status": "accepted"}}
        )
    )
    async with AsyncBank131(
        project="my_project", private_key=bank131_webhook_signer.key, environment="demo"
    ) as bank:
        session = await bank.sessions.status("ps_1")

    assert session.status == "accepted"
    request = route.calls.last.request
    assert request.headers["X-PARTNER-PROJECT"] == "my_project"
    assert "X-PARTNER-SIGN" in request.headers
