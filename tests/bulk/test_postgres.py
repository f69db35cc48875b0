"""Several runners share one batch through a real PostgreSQL server: they split the work,
one killed mid-run leaves its items to the others, and the mock's ledger shows every item
paid exactly once."""

from __future__ import annotations

import contextlib
import os
import random
import re
import signal
import subprocess
from pathlib import Path

import anyio
import pytest
from anyio.abc import ByteReceiveStream

from bank131_async import AsyncBank131
from bank131_async.bulk import BulkRunner, open_journal
from bank131_async.mock import MockBank131
from tests.bulk.conftest import POLL, lossy_batch
from tests.bulk.helpers import Ledger, Watch, expected, items

pytestmark = pytest.mark.asyncio


async def read_all(stream: ByteReceiveStream) -> str:
    chunks = []
    with contextlib.suppress(anyio.EndOfStream):
        while True:
            chunks.append(await stream.receive())
    return b"".join(chunks).decode()


@pytest.mark.parametrize(("runners", "kill"), [(2, False), (3, True)])
async def test_runner_processes_share_a_batch(
    mock: MockBank131,
    cli_env: dict[str, str],
    tmp_path: Path,
    batch_id: str,
    postgres_url: str,
    runners: int,
    kill: bool,
) -> None:
    count = int(os.environ.get("BANK131_BULK_SOAK_ITEMS", "300"))
    options = ("--journal", postgres_url, "--concurrency", "15", "--lease", "5")
    command = lossy_batch(
        mock, tmp_path, batch_id, count, *options, "--poll", "0.01", "--no-progress"
    )
    watch = Watch(mock.state)
    codes: dict[int, int] = {}
    with anyio.fail_after(120 + count // 10):
        async with anyio.create_task_group() as tg:
            processes = [
                await anyio.open_process(
                    command, env=cli_env, cwd=tmp_path, stderr=subprocess.STDOUT
                )
                for _ in range(runners)
            ]

            async def reap(n: int) -> None:
                codes[n] = await processes[n].wait()

            for n in range(runners):
                tg.start_soon(reap, n)
            if kill:
                await watch.started(random.Random(3).randint(count // 5, count // 2))
                processes[0].send_signal(signal.SIGKILL)
    processed = []
    outputs = []
    for process in processes:
        assert process.stdout is not None
        out = "" if kill and process is processes[0] else await read_all(process.stdout)
        await process.aclose()
        outputs.append(out)
        match = re.search(r"this run: (\d+) items", out)
        processed.append(int(match.group(1)) if match else 0)
    if not kill:
        assert all(n > 0 for n in processed), processed  # the work was shared
        assert sum(processed) == count
    if kill:
        assert codes.pop(0) == -signal.SIGKILL
    assert set(codes.values()) == {0}, (codes, outputs)
    Ledger(mock.state).assert_paid_once(count)
    async with open_journal(postgres_url) as journal:
        summary = await journal.summary(batch_id)
    assert summary.ok
    assert summary.counts["succeeded"] == len(expected(count)[0])


async def test_a_dead_remote_runners_items_wait_for_its_lease_then_are_reconciled(
    mock: MockBank131, bank: AsyncBank131, batch_id: str, postgres_url: str
) -> None:
    count = 60
    watch = Watch(mock.state)
    async with open_journal(postgres_url) as journal:
        first = BulkRunner(bank, journal, batch_id=batch_id, concurrency=20, schedule=POLL)
        with anyio.fail_after(30):
            async with anyio.create_task_group() as tg:
                tg.start_soon(first.run, items(count))
                await watch.started(30)
                tg.cancel_scope.cancel()
        # As if that runner had died on another machine holding its items: its leases stay.
        held = await journal._execute(
            "UPDATE bulk_items SET lease_owner = :owner, "
            "lease_until = {now} + 1.5 WHERE batch_id = :batch "
            "AND (outcome IS NULL OR outcome = 'unknown') AND session_id IS NOT NULL",
            batch=batch_id,
            owner="elsewhere:1:dead",
        )
        assert held > 0
        second = BulkRunner(
            bank, journal, batch_id=batch_id, concurrency=20, schedule=POLL, idle_poll=0.1
        )
        started = anyio.current_time()
        with anyio.fail_after(30):
            summary = await second.run(items(count))
        assert anyio.current_time() - started >= 1.0  # it waited for the lease
    assert summary.ok
    Ledger(mock.state).assert_paid_once(count)
