"""End-to-end fixtures: a client for the mock bank (``mock``, in ``tests/conftest.py``) over
every HTTP backend."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from cryptography.hazmat.primitives.asymmetric import rsa

from bank131_async import AsyncBank131, PollSchedule, RetryPolicy
from bank131_async.mock import MockBank131

#: Fast enough that polling is exercised for real (several polls per wait) without slow tests.
POLL = PollSchedule(initial=0.01, maximum=0.05)
FAST_RETRIES = RetryPolicy(max_retries=3, initial_backoff=0.01, max_backoff=0.05)


@pytest_asyncio.fixture(params=["auto", "httpx", "aiohttp"])
async def bank(
    request: pytest.FixtureRequest, mock: MockBank131, partner_key: rsa.RSAPrivateKey
) -> AsyncIterator[AsyncBank131]:
    """Every end-to-end test runs over every HTTP backend (the default fast path, httpx's
    transport, the aiohttp transport): they must classify failures alike."""
    async with AsyncBank131(
        project=mock.project,
        private_key=partner_key,
        bank_public_key=mock.bank_public_key_pem,
        base_url=mock.url,
        retry_policy=FAST_RETRIES,
        timeout=5.0,
        http_backend=request.param,
    ) as client:
        yield client
