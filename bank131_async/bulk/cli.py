"""``python -m bank131_async.bulk``: run a batch of payouts from a file, or report on one.

    python -m bank131_async.bulk run ITEMS --batch-id ID [--journal PATH_OR_URL]
                                  [--concurrency N] [--results OUT.jsonl]
    python -m bank131_async.bulk status --batch-id ID [--journal PATH_OR_URL]

This is a contract operators script against: the options above, the ``--results`` lines and
the exit status (0: every item ``succeeded`` or ``failed``; 1: any ``unknown`` or ``invalid``,
or unfinished; 2: a usage error) do not change.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import anyio

from ..client import AsyncBank131
from ..config import Config
from ..errors import ConfigurationError
from ..polling import PollSchedule
from . import default_journal_path, open_journal
from .journal import SqlJournal
from .progress import reporter
from .results import ItemResult, Outcome, Summary
from .runner import BulkRunner
from .sources import CSV_COLUMNS, read_items

__all__ = ["main"]

EXIT_OK, EXIT_ATTENTION, EXIT_USAGE = 0, 1, 2

_ITEMS_HELP = (
    """\
ITEMS is a .jsonl file (one item per line) or a .csv file.

JSON lines: {"id": ..., "payout_details": ..., "amount_details": ..., "participant_details": ...,
"fiscalization_details": ..., "metadata": ...} with the bank's v2 field names; amounts are
integer minor units (kopecks).

CSV (header row, any column order): """
    + ", ".join(CSV_COLUMNS)
    + """.
  method=card:          card_number, full_name
  method=bank_account:  bik, account, full_name, description [, inn, kpp]
  method=fps:           phone, bank_id, description [, full_name]
  amount: integer minor units (10000 = 100.00 RUB); currency defaults to rub;
  metadata: optional JSON.

The client is configured from BANK131_* variables (BANK131_PROJECT,
BANK131_PRIVATE_KEY[_PATH], BANK131_BASE_URL, ...).

Exit status: 0 every item succeeded or failed; 1 some are unknown or invalid;
2 usage error. Rerun the same command to resume (also after kill -9).
"""
)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        print(f"{self.prog}: error: {message}", file=sys.stderr)
        sys.exit(EXIT_USAGE)


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _positive_float(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be positive, got {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="python -m bank131_async.bulk",
        description="Bulk payouts through Bank 131: resumable, journaled, never paid twice.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=_ITEMS_HELP,
    )
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    run = commands.add_parser(
        "run",
        help="pay (or resume) a batch",
        description="Pay the items of ITEMS as batch ID, or resume it.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=_ITEMS_HELP,
    )
    run.add_argument("items", metavar="ITEMS", type=Path, help=".jsonl or .csv file")
    status = commands.add_parser(
        "status", help="report on a batch", description="Counts and amounts of a batch."
    )
    for sub in (run, status):
        sub.add_argument("--batch-id", required=True, metavar="ID")
        sub.add_argument(
            "--journal",
            metavar="PATH_OR_URL",
            help="SQLite file (default: ./ID.bulk.sqlite) or postgresql:// URL",
        )
        sub.add_argument("--results", type=Path, metavar="OUT.jsonl", help="one JSON line per item")
    run.add_argument("--concurrency", type=_positive_int, default=20, metavar="N")
    run.add_argument(
        "--lease",
        type=_positive_float,
        default=60.0,
        metavar="SECONDS",
        help="how long a dead runner's items stay locked before another takes them over",
    )
    run.add_argument(
        "--wait-timeout",
        type=_positive_float,
        default=300.0,
        metavar="SECONDS",
        help="deadline of each wait for the bank (default 300)",
    )
    run.add_argument(
        "--poll",
        type=_positive_float,
        default=0.5,
        metavar="SECONDS",
        help="first status poll interval (grows to 10x)",
    )
    run.add_argument("--no-progress", action="store_true", help="no progress bar or lines")
    return parser


def _journal_spec(args: argparse.Namespace) -> str:
    return str(args.journal) if args.journal else str(default_journal_path(args.batch_id))


def _is_url(spec: str) -> bool:
    return "://" in spec


async def _write_results(journal: SqlJournal, batch_id: str, path: Path) -> None:
    # Written beside the target and renamed: a reader never sees half a file.
    fd, temp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            async for result in journal.results(batch_id):
                out.write(result.to_line() + "\n")
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


def _report(summary: Summary, attention: list[ItemResult]) -> None:
    print(summary.render())
    for result in attention[:10]:
        what = result.item_id if result.item_id is not None else f"line {result.line}"
        print(f"  {result.status!s} {what}: {result.reason or result.error_code}", file=sys.stderr)
    if len(attention) > 10:
        print(f"  ... and {len(attention) - 10} more (see --results)", file=sys.stderr)


def _client(concurrency: int) -> AsyncBank131:
    config = Config.from_env(max_connections=max(20, min(concurrency, 100)))
    try:
        import aiohttp  # noqa: F401  (the faster pool, when installed)
    except ImportError:
        return AsyncBank131(config=config)
    return AsyncBank131(config=config, http_backend="aiohttp")


async def _run(args: argparse.Namespace) -> int:
    try:
        entries = read_items(args.items)
        bank = _client(args.concurrency)
    except (ValueError, ConfigurationError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    attention: list[ItemResult] = []

    def keep(result: ItemResult) -> None:
        if result.status in (Outcome.UNKNOWN, Outcome.INVALID) and len(attention) <= 10:
            attention.append(result)

    schedule = PollSchedule(initial=args.poll, maximum=args.poll * 10)
    progress = contextlib.nullcontext(None) if args.no_progress else reporter(sys.stderr)
    async with bank, open_journal(_journal_spec(args)) as journal:
        with progress as bar:
            runner = BulkRunner(
                bank,
                journal,
                batch_id=args.batch_id,
                concurrency=args.concurrency,
                lease=args.lease,
                wait_timeout=args.wait_timeout,
                schedule=schedule,
                on_result=keep,
                on_progress=bar.update if bar is not None else None,
            )
            try:
                summary = await runner.run(entries)
            except ValueError as exc:  # a CSV header that is not ours, found on reading
                print(f"error: {exc}", file=sys.stderr)
                return EXIT_USAGE
        if args.results is not None:
            await _write_results(journal, args.batch_id, args.results)
    _report(summary, attention)
    return EXIT_OK if summary.ok else EXIT_ATTENTION


async def _status(args: argparse.Namespace) -> int:
    spec = _journal_spec(args)
    async with open_journal(spec) as journal:
        if not await journal.batch_exists(args.batch_id):
            print(f"batch {args.batch_id!r} is not in {spec}", file=sys.stderr)
            return EXIT_USAGE
        summary = await journal.summary(args.batch_id)
        if args.results is not None:
            await _write_results(journal, args.batch_id, args.results)
    print(summary.render())
    return EXIT_OK if summary.ok else EXIT_ATTENTION


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    # Checked before anything connects: a typo must not create an empty journal.
    if args.command == "run" and not args.items.is_file():
        print(f"ITEMS: {args.items}: no such file", file=sys.stderr)
        return EXIT_USAGE
    spec = _journal_spec(args)
    if args.command == "status" and not _is_url(spec) and not Path(spec).is_file():
        print(f"no journal at {spec}", file=sys.stderr)
        return EXIT_USAGE
    if args.results is not None:
        args.results = args.results.resolve()
    try:
        if args.command == "run":
            return anyio.run(_run, args)
        return anyio.run(_status, args)
    except ConfigurationError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("interrupted: run the same command again to continue the batch", file=sys.stderr)
        return 130
