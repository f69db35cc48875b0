"""Bulk payouts: a batch paid from Python with ``BulkRunner``, then a file paid with the CLI.

    pip install 'bank131-async[mock,bulk]'
    python examples/guide_bulk.py

Both keep a journal (SQLite here; PostgreSQL when runners on several machines share a batch):
a rerun of the same batch skips what is finished and reconciles what was started, so no item
is ever paid twice. The script runs the library batch twice to show it.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import tempfile
from pathlib import Path

from bank131_async.bulk import BulkRunner, PayoutItem, SqliteJournal
from bank131_async.mock import MockBank131
from bank131_async.models import (
    AmountDetails,
    BankCard,
    Participant,
    ParticipantDetails,
    PayoutDetails,
)

CARDS = ["4242424242424242"] * 8 + ["4000000000000002", "4000000000000051"]  # 2 declines

CSV = """id,method,amount,full_name,card_number,bik,account,phone,bank_id,description
inv-1,card,150000,Ivan Ivanov,4242424242424242,,,,,
inv-2,bank_account,250000,Иванов Иван Иванович,,044525974,40817810500000000001,,,Оплата по договору 3
inv-3,fps,99000,Ivan Ivanov,,,,79001234567,100000000069,Возврат
inv-4,card,120000,Ivan Ivanov,4000000000000002,,,,,
"""


def salaries() -> list[PayoutItem]:
    return [
        PayoutItem(
            id=f"employee-{n}",  # your id, unique in the batch: the idempotency keys derive from it
            payout_details=PayoutDetails.from_card(BankCard(number=card)),
            amount_details=AmountDetails(amount=50_000_00 + n, currency="rub"),
            participant_details=ParticipantDetails(recipient=Participant(full_name="Ivan Ivanov")),
        )
        for n, card in enumerate(CARDS)
    ]


async def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        async with MockBank131(confirm_delay=0.05, process_delay=0.05) as mock:
            # 1. From Python: results stream in as payouts finish.
            async with mock.client() as bank:
                for attempt in ("first run", "rerun"):
                    async with SqliteJournal(folder / "salaries.bulk.sqlite") as journal:
                        runner = BulkRunner(bank, journal, batch_id="2024-06-salaries")
                        async with runner.stream(salaries()) as results:
                            async for result in results:
                                if attempt == "first run" and result.status != "succeeded":
                                    print(
                                        f"  {result.item_id}: {result.status} {result.error_code}"
                                    )
                        assert runner.summary is not None  # set once the batch has run
                        print(f"{attempt}: {runner.summary.render()}")
            payouts = len(mock.state.entries("payout_started"))
            print(f"the bank started {payouts} payouts for {len(CARDS)} items (paid twice: 0)")

            # 2. From a shell: the same runner behind a CLI, configured by BANK131_* variables.
            (folder / "invoices.csv").write_text(CSV, encoding="utf-8")
            env = {
                **os.environ,
                "BANK131_PROJECT": mock.project,
                "BANK131_PRIVATE_KEY": mock.partner_private_key_pem.decode(),
                "BANK131_BASE_URL": mock.url,
            }
            cli = [sys.executable, "-m", "bank131_async.bulk"]
            journal_path = str(folder / "invoices.bulk.sqlite")
            run = await asyncio.create_subprocess_exec(
                *cli, "run", str(folder / "invoices.csv"), "--batch-id", "invoices-06",
                "--journal", journal_path, "--results", str(folder / "out.jsonl"),
                "--no-progress", env=env,
            )  # fmt: skip
            exit_status = await run.wait()
            status = await asyncio.create_subprocess_exec(
                *cli, "status", "--batch-id", "invoices-06", "--journal", journal_path, env=env
            )
            await status.wait()
            print(f"exit status {exit_status} (0: every item ended succeeded or failed)")
            for line in (folder / "out.jsonl").read_text().splitlines():
                result = json.loads(line)
                print(f"  {result['id']}: {result['status']} {result['error_code'] or ''}")
    return exit_status


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
