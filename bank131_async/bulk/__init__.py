"""Bulk payouts: a resumable runner with a durable journal, a CLI and progress.

>>> from bank131_async.bulk import BulkRunner, SqliteJournal, read_items
>>> async with AsyncBank131.from_env() as bank, SqliteJournal("b7.bulk.sqlite") as journal:
...     runner = BulkRunner(bank, journal, batch_id="b7", concurrency=50)   # doctest: +SKIP
...     summary = await runner.run(read_items(Path("payouts.jsonl")))

Or from a shell: ``python -m bank131_async.bulk run payouts.jsonl --batch-id b7`` (see
``--help``). The journal is SQLite by default; :class:`PostgresJournal` (``postgresql://``)
lets runner processes on several machines share one batch.

* :class:`BulkRunner` -- loads a batch into the journal and pays it, ``concurrency`` at a time.
* :class:`PayoutItem`, :func:`parse_item`, :func:`read_items` -- the input.
* :class:`ItemResult`, :class:`Outcome`, :class:`Summary` -- the output.
* :func:`open_journal` -- a journal from a path or a ``postgresql://`` URL.
* :func:`idempotency_key` -- the key of an item's step (to look a payout up at the bank).
"""

from __future__ import annotations

from pathlib import Path

from .flow import Decide, Decision, idempotency_key
from .items import InvalidItem, PayoutItem, parse_item
from .journal import SqlJournal, Stage
from .progress import PlainProgress, Progress, reporter
from .results import ItemResult, Outcome, Summary
from .runner import BulkRunner, InputItem
from .sources import CSV_COLUMNS, Entry, read_csv, read_items, read_jsonl
from .sqlite import SqliteJournal

__all__ = [
    "CSV_COLUMNS",
    "BulkRunner",
    "Decide",
    "Decision",
    "Entry",
    "InputItem",
    "InvalidItem",
    "ItemResult",
    "Outcome",
    "PayoutItem",
    "PlainProgress",
    "PostgresJournal",
    "Progress",
    "SqlJournal",
    "SqliteJournal",
    "Stage",
    "Summary",
    "default_journal_path",
    "idempotency_key",
    "open_journal",
    "parse_item",
    "read_csv",
    "read_items",
    "read_jsonl",
    "reporter",
]

_POSTGRES_SCHEMES = ("postgresql://", "postgres://")


def default_journal_path(batch_id: str) -> Path:
    """``ID.bulk.sqlite`` in the current directory (the CLI's default)."""
    return Path(f"{batch_id}.bulk.sqlite")


def open_journal(spec: str | Path) -> SqlJournal:
    """A journal (not yet open) for a SQLite path or a ``postgresql://`` URL.

    PostgreSQL needs ``pip install 'bank131-async[postgres]'``; without the driver this raises
    :class:`~bank131_async.errors.MissingExtraError` naming the extra.
    """
    text = str(spec)
    if text.startswith(_POSTGRES_SCHEMES):
        from .postgres import PostgresJournal

        return PostgresJournal(text)
    return SqliteJournal(spec)


def __getattr__(name: str) -> object:
    # PostgresJournal is importable from here without importing asyncpg up front.
    if name == "PostgresJournal":
        from .postgres import PostgresJournal

        return PostgresJournal
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
