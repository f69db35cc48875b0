"""The bulk package's surface, its optional dependencies, and its progress reporters."""

from __future__ import annotations

import io
import subprocess
import sys
from collections import Counter

import pytest

import bank131_async.bulk as bulk
from bank131_async.bulk import ItemResult, Outcome, PlainProgress, Progress, Summary, reporter


def test_every_name_in_all_exists() -> None:
    missing = [n for n in bulk.__all__ if not hasattr(bulk, n)]
    assert missing == []
    assert len(set(bulk.__all__)) == len(bulk.__all__)


def _python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=60
    )


def test_the_sdk_imports_without_the_bulk_extras() -> None:
    # (httpx itself imports rich when it is installed, for its own CLI: not ours to test.)
    done = _python(
        "import sys\n"
        "sys.modules['rich'] = sys.modules['asyncpg'] = None\n"
        "import bank131_async, bank131_async.client\n"
        "print(sorted(m for m in sys.modules if m.startswith('bank131_async.bulk')))\n"
    )
    assert done.stdout.strip() == "[]", done.stderr


def test_bulk_works_without_rich_and_postgres_without_asyncpg_names_the_extra() -> None:
    done = _python(
        "import io, sys\n"
        "sys.modules['rich'] = None\n"
        "sys.modules['asyncpg'] = None\n"
        "from bank131_async.bulk import reporter, open_journal, PlainProgress\n"
        "class Tty(io.StringIO):\n"
        "    def isatty(self): return True\n"
        "assert isinstance(reporter(Tty()), PlainProgress)\n"
        "try:\n"
        "    open_journal('postgresql://x@127.0.0.1/db')\n"
        "except Exception as exc:\n"
        "    print(type(exc).__name__, exc)\n"
    )
    assert "MissingExtraError" in done.stdout, done.stderr
    assert "pip install 'bank131-async[postgres]'" in done.stdout


def _progress(done: int, **counts: int) -> Progress:
    return Progress(
        batch_id="b",
        phase="paying",
        total=10,
        done=done,
        in_flight=2,
        counts=counts,
        elapsed=2.0,
        processed=done,
    )


def test_plain_progress_writes_a_line_now_and_then_and_at_the_end() -> None:
    out = io.StringIO()
    with PlainProgress(out, every=3600) as plain:
        plain.update(_progress(1, succeeded=1))
        plain.update(_progress(5, succeeded=4, failed=1))
    lines = out.getvalue().splitlines()
    assert lines == [
        "paying 1/10, 2 in flight, 0.5/s (succeeded: 1)",
        "paying 5/10, 2 in flight, 2.5/s (succeeded: 4, failed: 1)",
    ]


def test_a_terminal_gets_a_rich_bar() -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    out = Tty()
    with reporter(out) as bar:
        bar.update(_progress(5, succeeded=5))
    assert type(bar).__name__ == "_RichProgress"
    assert "5/10" in out.getvalue()
    assert isinstance(reporter(io.StringIO()), PlainProgress)


def test_summary_renders_counts_amounts_and_failures() -> None:
    summary = Summary("b7")
    for n, (status, code) in enumerate(
        [("succeeded", None), ("succeeded", None), ("failed", "insufficient_funds")]
    ):
        summary.add(
            ItemResult(
                item_id=str(n),
                status=Outcome(status),
                error_code=code,
                amount=10_000,
                currency="rub",
            )
        )
    summary.processed, summary.elapsed = 3, 1.5
    text = summary.render()
    assert "succeeded          2   200.00 RUB" in text
    assert "insufficient_funds" in text
    assert "(2.0 payouts/s)" in text
    assert summary.ok
    summary.add(ItemResult(item_id="x", status=Outcome.UNKNOWN))
    assert not summary.ok
    assert summary.failures == Counter({"insufficient_funds": 1})


@pytest.mark.parametrize("status", list(Outcome))
def test_result_lines_have_the_contract_keys(status: Outcome) -> None:
    line = ItemResult(item_id="a", status=status).to_json()
    assert list(line) == ["id", "status", "session_id", "error_code", "amount", "reason"]
    assert line["status"] == str(status)
