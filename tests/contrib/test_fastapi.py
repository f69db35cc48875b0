"""FastAPI: the dependency (a verified, typed event in your own route, 400 otherwise) and the
receiver that finds the client on app.state, lifespan after lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import Depends, FastAPI

from bank131_async import AsyncBank131
from bank131_async.contrib.fastapi import from_app_state, verified_webhook, webhook_router
from bank131_async.mock import MockBankThread
from bank131_async.models import PaymentFinished, WebhookEvent
from bank131_async.testing import WebhookSigner, webhook_payload
from bank131_async.webhooks import WebhookRouter
from tests.contrib.servers import serve_asgi
from tests.payouts import card_payout

pytestmark = pytest.mark.asyncio


async def test_dependency_gives_the_event_and_feeds_the_waits(
    bank_key: rsa.RSAPrivateKey, partner_key: rsa.RSAPrivateKey
) -> None:
    signer = WebhookSigner(bank_key)
    async with AsyncBank131(
        project="p", private_key=partner_key, bank_public_key=signer.public_key_pem
    ) as bank:
        app = FastAPI()
        received: list[WebhookEvent] = []

        @app.post("/hooks")
        async def hooks(event: WebhookEvent = Depends(verified_webhook(bank))) -> dict[str, str]:  # noqa: B008
            received.append(event)
            return {"got": event.type}

        async with serve_asgi(app) as base, httpx.AsyncClient(timeout=5) as http:
            body, headers = signer.headers(webhook_payload("payment_finished", session_id="ps_3"))
            response = await http.post(base + "/hooks", content=body, headers=headers)
            assert response.json() == {"got": "payment_finished"}
            bad = await http.post(base + "/hooks", content=body, headers={"X-PARTNER-SIGN": "QUJD"})
            assert bad.status_code == 400
            garbage, garbage_headers = signer.headers(b"[]")
            assert (
                await http.post(base + "/hooks", content=garbage, headers=garbage_headers)
            ).status_code == 400
        assert [e.type for e in received] == ["payment_finished"]
        assert bank.webhooks.hub.active
        latest = bank.webhooks.hub.latest("ps_3")
        assert latest is not None
        assert latest.is_finished


async def test_dependency_with_a_verifier(bank_key: rsa.RSAPrivateKey) -> None:
    signer = WebhookSigner(bank_key)
    app = FastAPI()

    @app.post("/hooks")
    async def hooks(event: WebhookEvent = Depends(verified_webhook(signer.verifier))) -> str:  # noqa: B008
        return event.type

    async with serve_asgi(app) as base, httpx.AsyncClient(timeout=5) as http:
        body, headers = signer.headers({"type": "nominal_topup", "balance": 5})
        assert (
            await http.post(base + "/hooks", content=body, headers=headers)
        ).json() == "nominal_topup"


async def test_three_lifespans_in_a_row_never_stack_routes_or_listeners(
    bank131_mock: MockBankThread,
) -> None:
    """The idiomatic service: the client is created in the lifespan, the route finds it on
    app.state at request time; tests run the lifespan again and again."""
    router = WebhookRouter()
    finished: list[str] = []

    @router.on(PaymentFinished)
    async def on_finished(event: PaymentFinished) -> None:
        finished.append(event.session.id)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with bank131_mock.client() as bank:
            app.state.bank131 = bank
            yield

    app = FastAPI(lifespan=lifespan)
    app.include_router(webhook_router(from_app_state("bank131"), router))
    routes = len(app.routes)
    clients: list[AsyncBank131] = []
    for _ in range(3):
        async with app.router.lifespan_context(app):
            bank: AsyncBank131 = app.state.bank131
            clients.append(bank)
            session = await bank.sessions.init_payout(**card_payout())
            ready = await bank131_mock.deliver_webhooks(app, at_least=1)
            assert [d.outcomes for d in ready] == [[200]]
            # the first delivery attached the router to this lifespan's client, once
            assert len(router._listeners) == 1
            assert bank.webhooks.hub.active
            await bank.sessions.confirm(session.id)
            delivered = await bank131_mock.deliver_webhooks(app, at_least=1)
            assert {d.type for d in delivered} == {"payment_finished"}
            done = await bank.sessions.wait_for_finished(session.id, timeout=5)
            assert done.is_finished
        # the closed client no longer listens; the next lifespan's client will
        assert router._listeners == []
        assert not bank.webhooks.hub.active
    assert len(app.routes) == routes
    assert len(finished) == 3
    assert len({id(c) for c in clients}) == 3


async def test_a_webhook_before_the_lifespan_set_the_client_is_refused_for_a_resend(
    bank131_webhook_signer: WebhookSigner,
) -> None:
    app = FastAPI()
    app.include_router(webhook_router(from_app_state("bank131"), WebhookRouter()))
    body, headers = bank131_webhook_signer.headers(webhook_payload("payment_finished"))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://app") as http:
        response = await http.post("/bank131/webhooks", content=body, headers=headers)
    assert response.status_code == 503  # not 200: the bank re-sends it later
