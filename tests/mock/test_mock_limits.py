"""Hostile bodies: deep nesting is invalid_request, an oversized body is 413, in-process and
over real sockets."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import anyio
import pytest
import pytest_asyncio

from bank131_async.mock import MockBank131, MockBankApp
from tests.mock.mockbank_helpers import Bank, sign

pytestmark = pytest.mark.asyncio

LEVELS = 100_000
DEEP_ARRAY = b"[" * LEVELS + b"]" * LEVELS
DEEP_METADATA = b'{"metadata":' + b'{"a":' * LEVELS + b"1" + b"}" * LEVELS + b"}"
TOO_DEEP = (400, "invalid_request", "body: JSON nested deeper than 64 levels")


@pytest.mark.parametrize("raw", [DEEP_ARRAY, DEEP_METADATA], ids=["array", "metadata"])
async def test_deep_nesting_is_invalid_request(
    bank: Bank, mock_app: MockBankApp, raw: bytes
) -> None:
    assert await bank.error("session/create", raw) == TOO_DEEP
    assert mock_app.state.sessions == {}


async def test_deep_nesting_over_a_socket(wire: Bank, server: MockBank131) -> None:
    """uvicorn would answer a 500 of its own if the app raised RecursionError."""
    assert await wire.error("session/init/payout", DEEP_METADATA) == TOO_DEEP
    await wire.session("session/create", {"metadata": {"a": {"b": [1, 2]}}})


async def test_deep_nesting_in_a_kyc_check(bank: Bank) -> None:
    response = await bank.client.post(
        "/api/v2.0/check", content=DEEP_ARRAY, headers={"X-PARTNER-PROJECT": bank.project}
    )
    assert response.status_code == 422
    assert response.json()["error"] == {
        "code": "request_body_validation_error",
        "description": "body: JSON nested deeper than 64 levels",
    }


def _body_of(size: int) -> bytes:
    """A valid session/create body of exactly ``size`` bytes."""
    empty = json.dumps({"metadata": ""}).encode()
    return json.dumps({"metadata": "x" * (size - len(empty))}).encode()


TOO_LARGE = {
    "status": "error",
    "error": {"code": "invalid_request", "description": "body: larger than 1024 bytes"},
}


async def test_body_cap_in_process(bank: Bank, mock_app: MockBankApp) -> None:
    mock_app.config.max_body_size = 1024
    response = await bank.call("session/create", _body_of(1025))
    assert (response.status_code, response.json()) == (413, TOO_LARGE)
    assert mock_app.state.sessions == {}
    response = await bank.call("session/create", _body_of(1024))
    assert response.json()["session"]["status"] == "created"


@pytest_asyncio.fixture
async def capped(server: MockBank131) -> MockBank131:
    server.config.max_body_size = 1024
    return server


async def test_content_length_is_refused_before_the_body(capped: MockBank131) -> None:
    """10 GiB announced, not one byte sent: the answer comes at once."""
    port = int(capped.url.rsplit(":", 1)[1])
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(
            b"POST /api/v2/session/create HTTP/1.1\r\nHost: mock\r\n"
            b"Content-Type: application/json\r\nContent-Length: 10737418240\r\n\r\n"
        )
        await writer.drain()
        with anyio.fail_after(5):
            head = await reader.readuntil(b"\r\n\r\n")
            length = next(
                int(line.split(b":")[1])
                for line in head.split(b"\r\n")
                if line.lower().startswith(b"content-length:")
            )
            body = await reader.readexactly(length)
    finally:
        writer.close()
        await writer.wait_closed()
    assert head.startswith(b"HTTP/1.1 413 ")
    assert json.loads(body) == TOO_LARGE


async def test_streamed_body_is_refused_past_the_cap(capped: MockBank131, wire: Bank) -> None:
    """No Content-Length (chunked upload): refused once the bytes received pass the cap."""
    chunks = [b'{"metadata":"', *([b"x" * 65_536] * 64), b'"}']  # 4 MiB, bounded

    async def stream() -> AsyncIterator[bytes]:
        for chunk in chunks:
            yield chunk

    headers = {
        "X-PARTNER-PROJECT": capped.project,
        "X-PARTNER-SIGN": sign(wire.key, b"".join(chunks)),
    }
    with anyio.fail_after(20):
        response = await wire.client.post(
            "/api/v2/session/create", content=stream(), headers=headers
        )
    assert "content-length" not in response.request.headers
    assert (response.status_code, response.json()) == (413, TOO_LARGE)
    assert capped.state.sessions == {}
    # the connection still serves (or a fresh one does)
    await wire.session("session/create", {})


async def test_default_cap_admits_ordinary_large_bodies(wire: Bank, server: MockBank131) -> None:
    assert server.config.max_body_size == 4 * 1024 * 1024
    session = await wire.session("session/create", json.loads(_body_of(3 * 1024 * 1024)))
    assert session["status"] == "created"
