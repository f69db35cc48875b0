"""Both ready receivers (FastAPI under uvicorn, aiohttp) over loopback: verify, dispatch,
answer 200/400/500, de-duplicate; a client source gets the router attached."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
import pytest_asyncio
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI

from bank131_async import AsyncBank131
from bank131_async.contrib import aiohttp as aiohttp_contrib
from bank131_async.contrib import fastapi as fastapi_contrib
from bank131_async.errors import ConfigurationError
from bank131_async.models import PaymentFinished, UnknownWebhook, WebhookEvent
from bank131_async.testing import WebhookSigner, webhook_payload
from bank131_async.webhooks import WebhookRouter
from tests.contrib.servers import RECEIVERS, ReceiverFactory, serve_aiohttp, serve_asgi

pytestmark = pytest.mark.asyncio


@pytest.fixture(params=sorted(RECEIVERS))
def receiver(request: pytest.FixtureRequest) -> ReceiverFactory:
    return RECEIVERS[request.param]


@pytest_asyncio.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=5) as client:
        yield client


async def test_statuses(
    receiver: ReceiverFactory,
    signer: WebhookSigner,
    partner_key: rsa.RSAPrivateKey,
    http: httpx.AsyncClient,
) -> None:
    router = WebhookRouter()
    finished: list[WebhookEvent] = []
    unknown: list[UnknownWebhook] = []
    failures = 0

    @router.on(PaymentFinished)
    async def on_finished(event: PaymentFinished) -> None:
        finished.append(event)

    @router.on(UnknownWebhook)
    async def on_unknown(event: UnknownWebhook) -> None:
        unknown.append(event)

    @router.on("ready_to_capture")
    async def broken(event: WebhookEvent) -> None:
        nonlocal failures
        failures += 1
        raise RuntimeError("handler bug")

    async with receiver(signer.verifier, router) as url:
        body, headers = signer.headers(webhook_payload("payment_finished", session_id="ps_1"))
        response = await http.post(url, content=body, headers=headers)
        assert (response.status_code, response.json()) == (200, {})
        # the bank's re-send of the same delivery: 200, handler not called again
        assert (await http.post(url, content=body, headers=headers)).status_code == 200
        assert len(finished) == 1

        forged, forged_headers = WebhookSigner(partner_key).headers(
            webhook_payload("payment_finished")
        )
        assert (await http.post(url, content=forged, headers=forged_headers)).status_code == 400
        missing = await http.post(url, content=body, headers={"Content-Type": "application/json"})
        assert missing.status_code == 400
        lower = {"x-partner-sign": headers["X-PARTNER-SIGN"]}  # header lookup ignores case
        assert (await http.post(url, content=body, headers=lower)).status_code == 200
        tampered = body.replace(b"ps_1", b"ps_2")
        assert (await http.post(url, content=tampered, headers=headers)).status_code == 400
        assert len(finished) == 1

        garbage, garbage_headers = signer.headers(b"<html>")
        assert (await http.post(url, content=garbage, headers=garbage_headers)).status_code == 400

        new_type, new_headers = signer.headers({"type": "brand_new", "data": {"x": 1}})
        assert (await http.post(url, content=new_type, headers=new_headers)).status_code == 200
        assert [e.raw["data"] for e in unknown] == [{"x": 1}]

        failing, failing_headers = signer.headers(webhook_payload("ready_to_capture"))
        assert (await http.post(url, content=failing, headers=failing_headers)).status_code == 500
        # not marked as seen: the re-send runs the handler again
        assert (await http.post(url, content=failing, headers=failing_headers)).status_code == 500
        assert failures == 2


async def test_client_source_attaches_the_router(
    receiver: ReceiverFactory, signer: WebhookSigner, partner_key: rsa.RSAPrivateKey
) -> None:
    async with AsyncBank131(
        project="p", private_key=partner_key, bank_public_key=signer.public_key_pem
    ) as bank:
        router = WebhookRouter()
        assert not bank.webhooks.hub.active
        async with receiver(bank, router):
            assert bank.webhooks.hub.active


async def test_client_without_bank_key_fails_at_construction(
    receiver: ReceiverFactory, partner_key: rsa.RSAPrivateKey
) -> None:
    async with AsyncBank131(project="p", private_key=partner_key) as bank:
        with pytest.raises(ConfigurationError, match="bank_public_key"):
            async with receiver(bank, WebhookRouter()):
                pass


async def test_deeply_nested_json_is_a_400_not_a_500(
    receiver: ReceiverFactory, signer: WebhookSigner, http: httpx.AsyncClient
) -> None:
    """Defect: 100,000 levels of nesting escaped as RecursionError, the receiver answered 500
    and the bank would re-send the delivery forever."""
    router = WebhookRouter()
    deep = b'{"type":"payment_finished","session":' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    body, headers = signer.headers(deep)
    async with receiver(signer.verifier, router) as url:
        response = await http.post(url, content=body, headers=headers)
    assert response.status_code == 400


@pytest.mark.parametrize("chunked", [False, True])
async def test_a_body_over_the_cap_is_a_413_before_verification(
    chunked: bool, signer: WebhookSigner, http: httpx.AsyncClient
) -> None:
    """Defect: the FastAPI receiver read any body size before verifying it."""
    limit = 4096
    body = b'{"type":"payment_finished"' + b" " * (limit * 4) + b"}"
    router = WebhookRouter()
    app = FastAPI()
    app.include_router(fastapi_contrib.webhook_router(signer.verifier, router, max_body_size=limit))

    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(body), 1024):
            yield body[start : start + 1024]

    async with (
        serve_asgi(app) as fastapi_base,
        serve_aiohttp(
            aiohttp_contrib.webhook_app(signer.verifier, router, max_body_size=limit)
        ) as aiohttp_base,
    ):
        for url in (
            fastapi_base + fastapi_contrib.DEFAULT_PATH,
            aiohttp_base + aiohttp_contrib.DEFAULT_PATH,
        ):
            content = chunks() if chunked else body
            response = await http.post(url, content=content, headers={"X-PARTNER-SIGN": "x"})
            assert response.status_code == 413, url
            assert response.json() == {"error": "body too large"}
            # a body within the cap is read and verified as usual (here: a bad signature)
            small = await http.post(url, content=b"{}", headers={"X-PARTNER-SIGN": "x"})
            assert small.status_code == 400, url
