"""The SQLite journal: one file, nothing to install (the default).

>>> async with SqliteJournal("batch-7.bulk.sqlite") as journal:      # doctest: +SKIP
...     print((await journal.summary("batch-7")).render())

Statements run on the event loop's thread: each is a few microseconds in WAL mode, less than a
hop to a worker thread. ``synchronous=NORMAL`` makes every commit survive the runner's crash
(``kill -9``: the WAL is in the OS's page cache); ``durable=True`` also survives a power cut
(an fsync per commit, much slower). Several processes may share a file (leases keep them
apart), but the batch is meant for one runner: several machines share PostgreSQL instead.
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from .journal import _SCHEMA, Conn, SqlJournal

__all__ = ["SqliteJournal"]

# SQLite's clock in epoch seconds (julianday has millisecond precision).
_NOW = "((julianday('now') - 2440587.5) * 86400.0)"


class _Conn:
    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    async def fetch(self, sql: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
        return self._db.execute(sql, params).fetchall()

    async def execute(self, sql: str, params: dict[str, Any]) -> int:
        return self._db.execute(sql, params).rowcount

    async def executemany(self, sql: str, params: Sequence[dict[str, Any]]) -> None:
        self._db.executemany(sql, params)


class SqliteJournal(SqlJournal):
    """A journal in the SQLite file ``path`` (created if missing)."""

    now_sql = _NOW

    def __init__(self, path: str | Path, *, durable: bool = False, busy_timeout: float = 10.0):
        self.path = Path(path)
        self._durable = durable
        self._busy_timeout = busy_timeout
        self._db: sqlite3.Connection | None = None

    def __repr__(self) -> str:
        return f"SqliteJournal({str(self.path)!r})"

    async def open(self) -> None:
        """Open the file (WAL mode) and create the tables if needed."""
        if self._db is not None:
            return
        # Autocommit (isolation_level=None): a statement commits on its own; transactions are
        # explicit (BEGIN IMMEDIATE), so no implicit transaction holds the write lock.
        db = sqlite3.connect(self.path, isolation_level=None, timeout=self._busy_timeout)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute(f"PRAGMA synchronous={'FULL' if self._durable else 'NORMAL'}")
        db.execute("BEGIN IMMEDIATE")
        try:
            for statement in _SCHEMA:
                db.execute(statement)
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            db.close()
            raise
        self._db = db

    async def close(self) -> None:
        """Close the file."""
        if self._db is not None:
            self._db.close()
            self._db = None

    def _conn(self) -> _Conn:
        if self._db is None:
            raise RuntimeError("the journal is not open: use it with 'async with'")
        return _Conn(self._db)

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[Conn]:
        """The connection, for single statements (each commits on its own)."""
        yield self._conn()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Conn]:
        """One ``BEGIN IMMEDIATE`` transaction, committed on success, rolled back on an error."""
        conn = self._conn()
        assert self._db is not None
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    @asynccontextmanager
    async def load_lock(self, batch_id: str) -> AsyncIterator[None]:
        """No lock: one process per SQLite batch is the intended use."""
        # One process per SQLite batch is the intended use; each chunk is its own transaction.
        yield
