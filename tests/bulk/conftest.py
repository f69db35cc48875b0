"""Bulk fixtures: a quicker mock bank (``mock``, in ``tests/conftest.py``), a client for it,
the environment a CLI runner process needs to reach it, and a real PostgreSQL server (started
once per test session)."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import pytest_asyncio
from cryptography.hazmat.primitives.asymmetric import rsa

from bank131_async import AsyncBank131, PollSchedule, RetryPolicy
from bank131_async.mock import MockBank131
from bank131_async.mock.keys import private_pem
from tests.bulk.helpers import items, lose_answers, write_jsonl
from tests.pg_server import PgServer, find_bin_dir

#: Polls fast enough that a batch of hundreds takes seconds.
POLL = PollSchedule(initial=0.01, maximum=0.1)
FAST_RETRIES = RetryPolicy(max_retries=3, initial_backoff=0.01, max_backoff=0.05)
REQUIRE_POSTGRES = os.environ.get("BANK131_REQUIRE_POSTGRES") == "1"


@pytest.fixture
def mock_delay() -> float:
    """Batches of hundreds of items: a quicker bank than the end-to-end tests'."""
    return 0.02


@pytest_asyncio.fixture
async def bank(mock: MockBank131) -> AsyncIterator[AsyncBank131]:
    async with mock.client(
        http_backend="aiohttp", retry_policy=FAST_RETRIES, timeout=5.0, max_connections=50
    ) as client:
        yield client


@pytest.fixture
def batch_id() -> str:
    return f"batch-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def cli_env(mock: MockBank131, partner_key: rsa.RSAPrivateKey) -> dict[str, str]:
    """``BANK131_*`` for a runner process talking to ``mock`` (keys as PEM text)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BANK131_")}
    env.update(
        BANK131_PROJECT=mock.project,
        BANK131_PRIVATE_KEY=private_pem(partner_key).decode(),
        BANK131_BANK_PUBLIC_KEY=mock.bank_public_key_pem.decode(),
        BANK131_BASE_URL=mock.url,
        BANK131_TIMEOUT="5",
        PYTHONPATH=str(Path(__file__).resolve().parents[2]),
    )
    return env


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "bank131_async.bulk", *args]


def lossy_batch(
    mock: MockBank131, folder: Path, batch_id: str, count: int, *options: str
) -> list[str]:
    """The soak setup: ``count`` items in ``folder/items.jsonl``, a bank that loses 3% of the
    answers of every step, and the ``run`` command (with ``options``) for runner processes."""
    lose_answers(mock, 0.03)
    write_jsonl(folder / "items.jsonl", items(count))
    return cli("run", "items.jsonl", "--batch-id", batch_id, *options)


def _unavailable(why: str) -> None:
    if REQUIRE_POSTGRES:
        pytest.fail(f"PostgreSQL is required here (BANK131_REQUIRE_POSTGRES=1): {why}")
    pytest.skip(f"no PostgreSQL: {why}")


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A PostgreSQL server: ``BANK131_TEST_POSTGRES_URL``, or one started from the local
    binaries. Skips only when there is none (fails instead under BANK131_REQUIRE_POSTGRES=1,
    which .ci/run sets)."""
    try:
        import asyncpg  # noqa: F401
    except ImportError:
        _unavailable("the asyncpg driver is not installed (extra 'postgres')")
    given = os.environ.get("BANK131_TEST_POSTGRES_URL")
    if given:
        yield given
        return
    if find_bin_dir() is None:
        _unavailable("no initdb/pg_ctl (apt-get install postgresql)")
    root = Path(tempfile.mkdtemp(prefix="bank131-pg-"))
    server = PgServer(root)
    try:
        url = server.start()
    except Exception as exc:
        shutil.rmtree(root, ignore_errors=True)
        _unavailable(f"the server did not start: {exc}")
    try:
        yield url
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)
