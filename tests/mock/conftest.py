"""Fixtures for the emulator's own tests (helpers live in ``mockbank_helpers``)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest_asyncio
from cryptography.hazmat.primitives.asymmetric import rsa

from bank131_async.mock import MockBank131, MockBankApp, MockConfig
from tests.mock.mockbank_helpers import FAST, Bank


@pytest_asyncio.fixture
async def mock_app(
    partner_key: rsa.RSAPrivateKey, bank_key: rsa.RSAPrivateKey
) -> AsyncIterator[MockBankApp]:
    app = MockBankApp(
        MockConfig(**FAST), partner_public_key=partner_key.public_key(), bank_private_key=bank_key
    )
    try:
        yield app
    finally:
        await app.aclose()


@pytest_asyncio.fixture
async def bank(mock_app: MockBankApp, partner_key: rsa.RSAPrivateKey) -> AsyncIterator[Bank]:
    transport = httpx.ASGITransport(app=mock_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://mock") as client:
        yield Bank(client, partner_key, mock_app.config.project)


@pytest_asyncio.fixture
async def server(
    partner_key: rsa.RSAPrivateKey, bank_key: rsa.RSAPrivateKey
) -> AsyncIterator[MockBank131]:
    async with MockBank131(partner_key=partner_key, bank_key=bank_key, **FAST) as mock:
        yield mock


@pytest_asyncio.fixture
async def wire(server: MockBank131, partner_key: rsa.RSAPrivateKey) -> AsyncIterator[Bank]:
    """The signing client over a real socket to ``server``."""
    async with httpx.AsyncClient(base_url=server.url, timeout=5) as client:
        yield Bank(client, partner_key, server.project)
