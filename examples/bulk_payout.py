"""Bulk payout demo: the bulk CLI pays a generated file against the embedded mock bank.

    python examples/bulk_payout.py --count 300 --concurrency 50

What it shows, end to end, with real sockets and a real runner process:

1. A file of ``--count`` card payouts is generated. A few cards are declined on purpose (the
   mock's outcome table: cards ending 0002 are declined by the issuer, 0051 have insufficient
   funds), and the mock loses 2% of the answers of ``session/create``, ``start/payout`` and
   ``confirm`` after processing them.
2. ``python -m bank131_async.bulk run payouts.jsonl --batch-id demo ...`` runs with a progress
   bar (in a terminal) and is killed with SIGKILL part-way (unless ``--no-crash``).
3. The same command is run again: it resumes the batch from its journal and prints the summary.
4. The mock bank's own ledger is checked: every payout item was paid at most once.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

import anyio

from bank131_async.mock import JournalEntry, MockBank131, MockState
from bank131_async.mock.keys import private_pem

DECLINED, NO_FUNDS, GOOD = "4000000000000002", "4000000000000051", "4242424242424242"


def card_for(order: int) -> str:
    if order % 23 == 0:
        return DECLINED
    if order % 37 == 0:
        return NO_FUNDS
    return GOOD


def payout(order: int) -> dict[str, Any]:
    """One line of the file: an item as the bank's v2 payout request, plus its id."""
    return {
        "id": f"order-{order}",
        "payout_details": {
            "type": "card",
            "card": {"type": "bank_card", "bank_card": {"number": card_for(order)}},
        },
        "amount_details": {"amount": 10_000 + order, "currency": "rub"},
        "participant_details": {"recipient": {"full_name": "Ivan Ivanov"}},
        "metadata": {"order": f"order-{order}"},
    }


def payouts_per_order(state: MockState) -> Counter[str]:
    """How many payouts the mock bank started for each order (its ledger, not ours)."""
    order_of = {
        op.id: str((op.echo.get("metadata") or {}).get("order"))
        for session in state.sessions.values()
        for op in session.payouts
    }
    return Counter(order_of[e.operation_id] for e in state.entries("payout_started"))


async def started_payouts(state: MockState, target: int) -> None:
    """Return once the mock bank has started ``target`` payouts (it records them in this
    process, as the runner's requests arrive)."""
    reached = anyio.Event()
    started = len(state.entries("payout_started"))

    def counting(entry: JournalEntry) -> None:
        nonlocal started
        if entry.event == "payout_started":
            started += 1
            if started >= target:
                reached.set()

    state.listeners.append(counting)
    try:
        if started < target:
            await reached.wait()
    finally:
        state.listeners.remove(counting)


async def main(count: int, concurrency: int, crash: bool) -> int:
    async with MockBank131(confirm_delay=0.05, process_delay=0.05) as mock:
        drops = [
            mock.faults.add("drop_after", route=route, probability=0.02)
            for route in ("session/create", "session/start/payout", "session/confirm")
        ]
        assert mock.partner_private_key is not None
        env = {
            **os.environ,
            "BANK131_PROJECT": mock.project,
            "BANK131_PRIVATE_KEY": private_pem(mock.partner_private_key).decode(),
            "BANK131_BANK_PUBLIC_KEY": mock.bank_public_key_pem.decode(),
            "BANK131_BASE_URL": mock.url,
        }
        with tempfile.TemporaryDirectory(prefix="bulk-demo-") as workdir:
            items = Path(workdir) / "payouts.jsonl"
            items.write_text("".join(json.dumps(payout(n)) + "\n" for n in range(1, count + 1)))
            command = [
                sys.executable, "-m", "bank131_async.bulk", "run", str(items),
                "--batch-id", "demo", "--concurrency", str(concurrency),
                "--results", "results.jsonl", "--poll", "0.05",
            ]  # fmt: skip
            print("$ python -m bank131_async.bulk run payouts.jsonl --batch-id demo "
                  f"--concurrency {concurrency} --results results.jsonl", flush=True)  # fmt: skip
            if crash:
                async with await anyio.open_process(
                    command, env=env, cwd=workdir, stdout=None, stderr=None
                ) as runner:
                    with anyio.fail_after(120):
                        await started_payouts(mock.state, count * 2 // 5)
                    runner.send_signal(signal.SIGKILL)
                    await runner.wait()
                started = len(mock.state.entries("payout_started"))
                print(f"\n*** runner killed with SIGKILL after {started} payouts started; "
                      "running the same command again ***\n", flush=True)  # fmt: skip
            with anyio.fail_after(600):
                done = await anyio.run_process(
                    command, env=env, cwd=workdir, stdout=None, stderr=None, check=False
                )
            results = [
                json.loads(line)
                for line in (Path(workdir) / "results.jsonl").read_text().splitlines()
            ]
        per_order = payouts_per_order(mock.state)
        twice = sorted(order for order, n in per_order.items() if n > 1)
        succeeded = {r["id"] for r in results if r["status"] == "succeeded"}
        paid = {e.operation_id for e in mock.state.entries("payout_succeeded")}
        print(f"\nrunner exit status: {done.returncode}")
        print(f"paid out by the mock bank: {mock.state.paid_out() / 100:,.2f} RUB "
              f"in {len(paid)} payouts; results file: {len(succeeded)} succeeded")  # fmt: skip
        print(f"answers lost after processing, recovered: {sum(d.hits for d in drops)}")
        print(f"paid twice: {len(twice)}")
        ok = done.returncode == 0 and not twice and len(paid) == len(succeeded)
        return 0 if ok and len(results) == count else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument(
        "--no-crash", action="store_true", help="do not kill the first run part-way"
    )
    args = parser.parse_args()
    raise SystemExit(anyio.run(main, args.count, args.concurrency, not args.no_crash))
