"""The CLI contract, in runner processes against the mock bank (served by the test's loop):
options, the ``--results`` lines, exit statuses, ``status``, and ``kill -9`` then rerun."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
from pathlib import Path
from typing import Any

import anyio
import pytest

from bank131_async.mock import MockBank131
from tests.bulk.conftest import cli, lossy_batch
from tests.bulk.helpers import Ledger, Watch, expected, item, items, write_jsonl

pytestmark = pytest.mark.asyncio

FAST = ("--poll", "0.01", "--no-progress")
#: The suite's size; ``nox -s bulk_soak`` raises both.
SOAK_ROUNDS = int(os.environ.get("BANK131_BULK_SOAK_ROUNDS", "3"))
SOAK_ITEMS = int(os.environ.get("BANK131_BULK_SOAK_ITEMS", "300"))


async def run(args: list[str], env: dict[str, str], cwd: Path) -> tuple[int, str, str]:
    done = await anyio.run_process(cli(*args), env=env, cwd=cwd, check=False)
    return done.returncode, done.stdout.decode(), done.stderr.decode()


async def run_batch(
    source: str, batch_id: str, results_file: str, env: dict[str, str], cwd: Path
) -> tuple[int, str, str]:
    """``run`` of the items in ``source``, writing ``--results``; a minute at most."""
    with anyio.fail_after(60):
        return await run(
            ["run", source, "--batch-id", batch_id, "--results", results_file, *FAST], env, cwd
        )


def results(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


async def test_a_batch_with_declines_exits_0_and_writes_one_result_line_per_item(
    mock: MockBank131, cli_env: dict[str, str], tmp_path: Path, batch_id: str
) -> None:
    write_jsonl(tmp_path / "items.jsonl", items(40))
    code, out, err = await run_batch("items.jsonl", batch_id, "out.jsonl", cli_env, tmp_path)
    assert code == 0, err
    assert (tmp_path / f"{batch_id}.bulk.sqlite").is_file()  # the default journal
    lines = results(tmp_path / "out.jsonl")
    assert [line["id"] for line in lines] == [f"it-{n}" for n in range(1, 41)]
    assert {tuple(line) for line in lines} == {
        ("id", "status", "session_id", "error_code", "amount", "reason")
    }
    ok, failed = expected(40)
    assert {line["id"] for line in lines if line["status"] == "succeeded"} == ok
    declined = [line for line in lines if line["status"] == "failed"]
    assert {line["id"] for line in declined} == failed
    assert {line["error_code"] for line in declined} == {
        "declined_by_issuer_bank",
        "insufficient_funds",
    }
    assert all(line["session_id"].startswith("ps_") for line in lines)
    assert lines[0]["amount"] == 10_001
    assert lines[0]["error_code"] is None
    assert "succeeded" in out
    assert "payouts/s" in out
    assert "4242424242424242" not in out + err + (tmp_path / "out.jsonl").read_text()
    code, out, _ = await run(["status", "--batch-id", batch_id], cli_env, tmp_path)
    assert code == 0
    assert f"batch {batch_id}: 40 items" in out


async def test_invalid_lines_exit_1_and_name_the_line_and_field(
    mock: MockBank131, cli_env: dict[str, str], tmp_path: Path, batch_id: str
) -> None:
    bad = item(3)
    bad["amount_details"]["amount"] = "ten"
    rows = [json.dumps(item(1)), "{oops", json.dumps(bad), json.dumps(item(1)), json.dumps(item(2))]
    (tmp_path / "items.jsonl").write_text("\n".join(rows) + "\n", encoding="utf-8")
    code, _, err = await run_batch("items.jsonl", batch_id, "r.jsonl", cli_env, tmp_path)
    assert code == 1
    by_line = {(r["id"], r["status"]): r for r in results(tmp_path / "r.jsonl")}
    assert by_line["it-2", "succeeded"]["session_id"]
    assert by_line["it-3", "invalid"]["reason"].startswith("line 3: amount_details.amount")
    assert "line 2: not valid JSON" in by_line[None, "invalid"]["reason"]
    assert "duplicate id 'it-1'" in by_line["it-1", "invalid"]["reason"]
    assert "line 3: amount_details.amount" in err
    assert set(Ledger(mock.state).started) == {"it-2"}


async def test_csv_input(
    mock: MockBank131, cli_env: dict[str, str], tmp_path: Path, batch_id: str
) -> None:
    (tmp_path / "items.csv").write_text(
        "id,method,amount,full_name,card_number,bik,account,phone,bank_id,description\n"
        "c1,card,10000,Ivan Ivanov,4242424242424242,,,,,\n"
        "b1,bank_account,20000,Ivan Ivanov,,044525974,40817810000000000001,,,Salary\n"
        "f1,fps,30000,,,,,79001234567,100000000004,Refund\n"
        "f2,fps,40000,,,,,79001230000,100000000004,Refund\n",
        encoding="utf-8",
    )
    code, _, err = await run_batch("items.csv", batch_id, "r.jsonl", cli_env, tmp_path)
    assert code == 0, err
    outcome = {r["id"]: (r["status"], r["error_code"]) for r in results(tmp_path / "r.jsonl")}
    assert outcome == {
        "c1": ("succeeded", None),
        "b1": ("succeeded", None),
        "f1": ("succeeded", None),
        "f2": ("failed", "account_not_found"),  # the mock's FPS phone ending 0000
    }


@pytest.mark.parametrize(
    "args",
    [
        ["run", "missing.jsonl", "--batch-id", "b"],
        ["run", "items.txt", "--batch-id", "b"],
        ["run", "items.jsonl"],
        ["run", "items.jsonl", "--batch-id", "b", "--concurrency", "0"],
        ["status", "--batch-id", "nothing-here"],
        ["fly"],
    ],
)
async def test_usage_errors_exit_2(
    mock: MockBank131, cli_env: dict[str, str], tmp_path: Path, args: list[str]
) -> None:
    write_jsonl(tmp_path / "items.jsonl", items(1))
    (tmp_path / "items.txt").write_text("x", encoding="utf-8")
    code, _, err = await run(args, cli_env, tmp_path)
    assert code == 2, err
    assert not (tmp_path / "nothing-here.bulk.sqlite").exists()
    assert mock.state.sessions == {}


async def test_missing_configuration_is_a_usage_error(
    mock: MockBank131, cli_env: dict[str, str], tmp_path: Path
) -> None:
    write_jsonl(tmp_path / "items.jsonl", items(1))
    env = {k: v for k, v in cli_env.items() if k != "BANK131_PROJECT"}
    code, _, err = await run(["run", "items.jsonl", "--batch-id", "b"], env, tmp_path)
    assert code == 2
    assert "BANK131_PROJECT" in err


async def test_status_of_a_batch_in_progress_exits_1(
    mock: MockBank131, cli_env: dict[str, str], tmp_path: Path, batch_id: str
) -> None:
    journal = tmp_path / "j.sqlite"
    write_jsonl(tmp_path / "items.jsonl", items(5))
    mock.config.process_delay = 60.0  # confirmed payouts never finish during this test
    watch = Watch(mock.state)
    async with await anyio.open_process(
        cli("run", "items.jsonl", "--batch-id", batch_id, "--journal", str(journal), *FAST),
        env=cli_env,
        cwd=tmp_path,
    ) as process:
        with anyio.fail_after(30):
            await watch.started(5)
        process.kill()
        await process.wait()
    code, out, _ = await run(
        ["status", "--batch-id", batch_id, "--journal", str(journal), "--results", "s.jsonl"],
        cli_env,
        tmp_path,
    )
    assert code == 1
    assert "pending" in out
    assert {r["status"] for r in results(tmp_path / "s.jsonl")} == {"unknown"}


async def test_sigkill_at_random_points_then_rerun_pays_every_item_exactly_once(
    mock: MockBank131, cli_env: dict[str, str], tmp_path: Path, batch_id: str
) -> None:
    """Several runs killed with SIGKILL mid-batch, lost answers throughout; reruns finish."""
    count, rounds = SOAK_ITEMS, SOAK_ROUNDS
    command = lossy_batch(
        mock, tmp_path, batch_id, count, "--concurrency", "30", "--results", "r.jsonl", *FAST
    )
    rng = random.Random(131)
    watch = Watch(mock.state)
    kills = 0
    step = max(10, count // (rounds + 2))
    for _ in range(rounds):
        target = watch.count + rng.randint(step // 4, step)
        if target >= count:
            break
        async with await anyio.open_process(command, env=cli_env, cwd=tmp_path) as process:
            with anyio.fail_after(60):
                await watch.started(target)
            process.send_signal(signal.SIGKILL)
            assert await process.wait() == -signal.SIGKILL
            kills += 1
    assert kills == rounds
    with anyio.fail_after(120 + count // 10):
        code, out, err = await run(command[3:], cli_env, tmp_path)
    assert code == 0, out + err
    ok, _ = expected(count)
    Ledger(mock.state).assert_paid_once(count)
    lines = results(tmp_path / "r.jsonl")
    assert {line["id"] for line in lines if line["status"] == "succeeded"} == ok
    db = sqlite3.connect(tmp_path / f"{batch_id}.bulk.sqlite")
    try:
        # Every started payout is the session the journal holds for its item.
        journaled = dict(db.execute("SELECT item_id, session_id FROM bulk_items").fetchall())
    finally:
        db.close()
    for session in mock.state.sessions.values():
        for op in session.payouts:
            assert journaled[op.echo["metadata"]["item"]] == session.id
