"""MockBankThread: the emulator in its own thread answers any event loop; faults and
webhook deliveries cross the thread boundary safely."""

from __future__ import annotations

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bank131_async import TransportError
from bank131_async.mock import MockBankThread
from tests.payouts import card_payout

pytestmark = pytest.mark.asyncio


async def test_faults_added_from_the_test_thread_apply() -> None:
    with MockBankThread() as mock:
        fault = mock.add_fault("drop_after", route="session/create", times=1)
        async with mock.client(max_retries=0) as bank:
            with pytest.raises(TransportError) as info:
                await bank.sessions.create(idempotency_key="k-1")
            assert info.value.maybe_processed is True
            assert mock.call(lambda m: fault.hits) == 1
            assert "k-1" in mock.state.idempotency_keys  # processed, then dropped


async def test_outbox_webhooks_are_delivered_into_an_asgi_app_and_resent_on_failure() -> None:
    answers = [500, 200]
    seen: list[tuple[str | None, bytes]] = []

    async def receive(request: Request) -> Response:
        seen.append((request.headers.get("x-partner-sign"), await request.body()))
        return Response(status_code=answers.pop(0))

    app = Starlette(routes=[Route("/bank131/webhooks", receive, methods=["POST"])])
    with MockBankThread(webhook_url="outbox", confirm_delay=0.005) as mock:
        async with mock.client() as bank:
            await bank.sessions.init_payout(**card_payout())
        first = await mock.deliver_webhooks(app, at_least=1)
        assert [d.type for d in first] == ["ready_to_confirm"]
        assert first[0].outcomes == [500]
        again = await mock.deliver_webhooks(app)  # a 500 stays in the outbox: re-sent
        assert again[0] is first[0]
        assert first[0].outcomes == [500, 200]
        assert first[0].delivered
        assert await mock.deliver_webhooks(app) == []
    signature, body = seen[-1]
    assert signature
    assert b'"type":"ready_to_confirm"' in body


async def test_waiting_for_webhooks_is_bounded() -> None:
    with MockBankThread(webhook_url="outbox") as mock:
        app = Starlette()
        with pytest.raises(TimeoutError):
            await mock.deliver_webhooks(app, at_least=1, timeout=0.2)


def test_a_stopped_mock_refuses_connections() -> None:
    with MockBankThread() as mock:
        url = mock.url
    with pytest.raises(httpx.ConnectError):
        httpx.post(url + "/api/v2/session/status", content=b"{}")
