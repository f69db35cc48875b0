"""The signing helper process: signs exactly the bytes sent, survives loop changes, never leaks.

The helper is started only under sustained concurrency, so each test drives bursts of
concurrent calls until it has signed something (bounded in count), never a fixed sleep.
"""

from __future__ import annotations

import asyncio
import gc
import os
import signal
import subprocess
import sys
import textwrap
import threading
import warnings
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from bank131_async import AsyncBank131
from bank131_async._signing_pool import _START_AFTER
from tests.helpers import make_client, private_pem, verify_signature
from tests.servers import SERVER_THREAD, ThreadedServer, threaded_server

ROOT = Path(__file__).resolve().parents[1]
BURSTS = 200  # upper bound on bursts while waiting for the helper to take over


@pytest.fixture
def server() -> Iterator[ThreadedServer]:
    with threaded_server() as running:
        yield running


def client_threads(before: set[threading.Thread]) -> list[threading.Thread]:
    return [
        t
        for t in threading.enumerate()
        if t not in before and t.is_alive() and t.name != SERVER_THREAD
    ]


async def until_offloaded(bank: AsyncBank131, at_least: int = 1) -> int:
    """Concurrent bursts until the helper has signed ``at_least`` bodies; the call count."""
    pool = bank._signing
    assert pool is not None
    calls = 0
    for burst in range(BURSTS):
        await asyncio.gather(*(bank.sessions.status(f"ps_{burst}_{i}") for i in range(20)))
        calls += 20
        if pool.offloaded >= at_least:
            return calls
    raise AssertionError(f"the helper signed nothing in {calls} concurrent calls")


def helper_gone(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


@pytest.mark.asyncio
async def test_the_helper_signs_exactly_the_bytes_sent_and_is_reaped_on_close(
    server: ThreadedServer, partner_key: rsa.RSAPrivateKey
) -> None:
    threads = set(threading.enumerate())
    async with make_client(partner_key, base_url=server.url) as bank:
        pool = bank._signing
        assert pool is not None
        assert pool.helper_pid is None  # nothing started for a client that made no calls
        calls = await until_offloaded(bank, at_least=50)
        pid = pool.helper_pid
        assert pid is not None
        assert psutil.Process(pid).ppid() == os.getpid()
    assert calls > _START_AFTER
    assert pool.helper_pid is None
    assert helper_gone(pid)
    assert not psutil.pid_exists(pid)  # reaped, not left a zombie
    assert client_threads(threads) == []  # the pool works without any thread
    assert len(server.requests) == calls
    public = partner_key.public_key()
    for request in server.requests:
        verify_signature(public, request.body, request.headers["X-PARTNER-SIGN"])


@pytest.mark.asyncio
async def test_a_few_concurrent_calls_start_no_helper(
    server: ThreadedServer, partner_key: rsa.RSAPrivateKey
) -> None:
    async with make_client(partner_key, base_url=server.url) as bank:
        await asyncio.gather(*(bank.sessions.status(f"ps_{i}") for i in range(10)))
        assert bank._signing is not None
        assert bank._signing.helper_pid is None


@pytest.mark.asyncio
async def test_a_dead_helper_falls_back_to_signing_on_the_loop(
    server: ThreadedServer, partner_key: rsa.RSAPrivateKey
) -> None:
    async with make_client(partner_key, base_url=server.url) as bank:
        pool = bank._signing
        assert pool is not None
        await until_offloaded(bank)
        pid = pool.helper_pid
        assert pid is not None
        os.kill(pid, signal.SIGKILL)
        # Calls keep succeeding: bodies pending at the helper are signed on the loop instead.
        for burst in range(BURSTS):
            await asyncio.gather(*(bank.sessions.status(f"ps_{burst}_{i}") for i in range(20)))
            if pool.helper_pid is None:
                break
        assert pool.helper_pid is None
        before = len(server.requests)
        await asyncio.gather(*(bank.sessions.status(f"ps_after_{i}") for i in range(50)))
        assert len(server.requests) == before + 50
    assert not psutil.pid_exists(pid)
    public = partner_key.public_key()
    for request in server.requests:
        verify_signature(public, request.body, request.headers["X-PARTNER-SIGN"])


def test_one_client_serves_several_event_loops_in_turn(
    server: ThreadedServer, partner_key: rsa.RSAPrivateKey
) -> None:
    # Built outside any loop, used from three asyncio.run() loops (pytest-asyncio's
    # function-scoped loops do the same), then closed from a fourth.
    threads = set(threading.enumerate())
    bank = make_client(partner_key, base_url=server.url)
    pool = bank._signing
    assert pool is not None
    pids = set()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an unclosed socket or session would warn
        for _ in range(3):
            asyncio.run(until_offloaded(bank, at_least=pool.offloaded + 1))
            assert pool.helper_pid is not None
            pids.add(pool.helper_pid)
        assert len(pids) == 1  # the same helper moved from loop to loop
        asyncio.run(bank.aclose())
        gc.collect()
    (pid,) = pids
    assert not psutil.pid_exists(pid)
    assert client_threads(threads) == []
    public = partner_key.public_key()
    for request in server.requests:
        verify_signature(public, request.body, request.headers["X-PARTNER-SIGN"])


def test_the_helper_never_outlives_or_holds_up_its_interpreter(
    partner_key: rsa.RSAPrivateKey, tmp_path: Path
) -> None:
    # A script that never closes its client: the interpreter still exits at once and the
    # helper goes with it.
    key_file = tmp_path / "partner.pem"
    key_file.write_bytes(private_pem(partner_key))
    script = textwrap.dedent(
        f"""
        import asyncio, sys
        sys.path.insert(0, {str(ROOT)!r})
        from bank131_async import AsyncBank131
        from tests.servers import threaded_server

        async def main(url):
            bank = AsyncBank131(project="p", private_key={str(key_file)!r}, base_url=url)
            for burst in range(200):
                await asyncio.gather(
                    *(bank.sessions.status(f"ps_{{burst}}_{{i}}") for i in range(20))
                )
                if bank._signing.offloaded:
                    break
            print(bank._signing.helper_pid, flush=True)

        with threaded_server() as server:
            asyncio.run(main(server.url))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        timeout=120,
        check=False,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr.decode()
    pid = int(done.stdout.split()[-1])
    assert helper_gone(pid)
    assert b"Traceback" not in done.stderr


@pytest.mark.asyncio
async def test_a_closed_client_starts_no_helper(
    server: ThreadedServer, partner_key: rsa.RSAPrivateKey
) -> None:
    bank = AsyncBank131(project="p", private_key=partner_key, base_url=server.url)
    await bank.aclose()
    assert bank._signing is not None
    assert bank._signing.helper_pid is None
    # The signing pool is closed for good: signing stays on the loop.
    signature = await bank._signing.sign(b"{}", in_flight=5)
    verify_signature(partner_key.public_key(), b"{}", signature)
    assert bank._signing.helper_pid is None
