"""Performance: many payouts at once from one client, and what one request costs.

    pip install 'bank131-async[mock]'
    python examples/guide_performance.py

One ``AsyncBank131`` serves any number of concurrent tasks: it holds one connection pool
(``max_connections``, 20 by default; excess calls queue inside the SDK).

Against the real bank a request spends most of its time on the network, so throughput comes
from concurrency. The mock adds 20 ms to every answer (a ``latency`` fault, roughly a round
trip to the bank), and the script reads the status of 100 sessions one at a time, then 20 at
a time. The numbers are a smoke test on your machine; ``benchmarks/bench_client.py`` measures
the SDK's own cost properly (see the performance guide).
"""

from __future__ import annotations

import asyncio
import time

from bank131_async import AsyncBank131
from bank131_async.mock import MockBankThread


async def read_all(bank: AsyncBank131, session_ids: list[str], concurrency: int) -> float:
    """Requests/s of ``sessions.status`` over ``session_ids``, ``concurrency`` at a time."""
    queue = list(session_ids)

    async def worker() -> None:
        while queue:
            await bank.sessions.status(queue.pop())

    started = time.perf_counter()
    async with asyncio.TaskGroup() as tasks:
        for _ in range(concurrency):
            tasks.create_task(worker())
    return len(session_ids) / (time.perf_counter() - started)


async def main() -> int:
    # The mock in a thread of its own, so it does not share this event loop with the client.
    with MockBankThread() as mock:
        async with mock.client(max_connections=20) as bank:
            ids = [(await bank.sessions.create()).id for _ in range(100)]
            mock.add_fault("latency", delay=0.02)  # every request, from now on
            for concurrency in (1, 20):
                rate = await read_all(bank, ids, concurrency)
                print(f"concurrency {concurrency:>3}: {rate:,.0f} signed session/status calls/s")
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
