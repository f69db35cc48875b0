"""The FastAPI dependency: a verified, typed event in your own route (400 otherwise)."""

from __future__ import annotations

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import Depends, FastAPI

from bank131_async import AsyncBank131
from bank131_async.contrib.fastapi import verified_webhook
from bank131_async.models import WebhookEvent
from bank131_async.testing import WebhookSigner, webhook_payload
from tests.contrib.servers import serve_asgi

pytestmark = pytest.mark.anyio


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
