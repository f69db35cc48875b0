"""Shared fixtures: throwaway RSA keys (generated once per run), a webhook signer, the mock
bank over real sockets for the end-to-end and bulk tests, and a count of status polls."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from cryptography.hazmat.primitives.asymmetric import rsa

from bank131_async.mock import MockBank131
from bank131_async.testing import WebhookSigner
from tests.webhook_helpers import StatusCounter


@pytest.fixture(scope="session")
def partner_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="session")
def bank_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="session")
def signer(bank_key: rsa.RSAPrivateKey) -> WebhookSigner:
    """Signs webhooks as the bank does (``bank_key``)."""
    return WebhookSigner(bank_key)


@pytest.fixture
def mock_delay() -> float:
    """Seconds the mock takes to reach confirm and to process; a folder's conftest may set its
    own (short enough for fast tests, long enough that waits really poll)."""
    return 0.03


@pytest_asyncio.fixture
async def mock(
    partner_key: rsa.RSAPrivateKey, bank_key: rsa.RSAPrivateKey, mock_delay: float
) -> AsyncIterator[MockBank131]:
    """The mock bank on 127.0.0.1, knowing both test keys."""
    async with MockBank131(
        partner_key=partner_key,
        bank_key=bank_key,
        confirm_delay=mock_delay,
        process_delay=mock_delay,
    ) as running:
        yield running


@pytest.fixture
def status_calls(monkeypatch: pytest.MonkeyPatch) -> StatusCounter:
    """Counts every client's ``sessions.status`` calls during the test: the polls that
    webhook-driven waits should not need."""
    return StatusCounter().patch(monkeypatch)
