"""``bank.with_raw_response(...)``: the parsed result and the HTTP answer it came from."""

from __future__ import annotations

import json

import anyio
import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from bank131_async import AsyncBank131, RequestValidationError, RetryPolicy
from bank131_async.models import Session
from tests.helpers import make_client
from tests.payouts import card_payout

pytestmark = pytest.mark.asyncio


def _session(request: httpx.Request) -> httpx.Response:
    session_id = json.loads(request.content).get("session_id", "ps_new")
    body = {"status": "ok", "session": {"id": session_id, "status": "in_progress"}}
    return httpx.Response(200, json=body, headers={"X-Request-Id": f"req-{session_id}"})


def _client(key: rsa.RSAPrivateKey, handler: httpx.MockTransport) -> AsyncBank131:
    policy = RetryPolicy(max_retries=2, initial_backoff=0.001, max_backoff=0.001)
    return make_client(key, transport=handler, retry_policy=policy)


async def test_the_answer_comes_with_the_parsed_result(partner_key: rsa.RSAPrivateKey) -> None:
    async with _client(partner_key, httpx.MockTransport(_session)) as bank:
        response = await bank.with_raw_response(bank.sessions.status("ps_1234"))
    assert isinstance(response.parsed, Session)
    assert response.parsed.id == "ps_1234"
    assert response.http_status == 200
    assert response.request_id == "req-ps_1234"
    assert response.headers["content-length"]
    assert response.attempts == 1
    assert response.idempotency_key is None
    assert response.info.path == "session/status"


async def test_attempts_and_the_key_describe_the_whole_call(
    partner_key: rsa.RSAPrivateKey,
) -> None:
    calls = 0

    def flaky(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise httpx.ConnectError("refused", request=request)
        return _session(request)

    async with _client(partner_key, httpx.MockTransport(flaky)) as bank:
        response = await bank.with_raw_response(
            bank.sessions.init_payout(idempotency_key="order-7", **card_payout())
        )
    assert response.attempts == 2
    assert response.idempotency_key == "order-7"
    assert response.request_id is not None


async def test_concurrent_calls_each_get_their_own_answer(
    partner_key: rsa.RSAPrivateKey,
) -> None:
    results: dict[str, str | None] = {}
    async with _client(partner_key, httpx.MockTransport(_session)) as bank:

        async def one(session_id: str) -> None:
            response = await bank.with_raw_response(bank.sessions.status(session_id))
            results[response.parsed.id] = response.request_id

        async with anyio.create_task_group() as tg:
            for i in range(20):
                tg.start_soon(one, f"ps_{1000 + i}")
    assert results == {f"ps_{1000 + i}": f"req-ps_{1000 + i}" for i in range(20)}


async def test_something_that_sends_nothing_is_refused(partner_key: rsa.RSAPrivateKey) -> None:
    async def nothing() -> int:
        return 1

    async with _client(partner_key, httpx.MockTransport(_session)) as bank:
        with pytest.raises(RequestValidationError, match="sent no request"):
            await bank.with_raw_response(nothing())
