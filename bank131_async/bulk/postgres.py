"""The PostgreSQL journal: one batch shared by runner processes on several machines.

>>> async with PostgresJournal("postgresql://bulk@db/payouts") as journal:   # doctest: +SKIP
...     ...

Runners claim rows with ``FOR UPDATE SKIP LOCKED`` (two runners never get the same row) and
hold them by a lease on the database's clock, so a dead runner's rows are taken over by the
others once its lease runs out, and reconciled from the journal, never paid twice. Loads of one
batch take turns (an advisory lock). Needs ``pip install 'bank131-async[postgres]'`` (asyncpg).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from .._extras import require
from .journal import _SCHEMA, Conn, SqlJournal, to_numbered

if TYPE_CHECKING:
    import asyncpg
    import asyncpg.pool

__all__ = ["PostgresJournal"]

# Serialises CREATE TABLE IF NOT EXISTS of runners that start at once (it is not atomic).
_SCHEMA_LOCK = 131_131_000


def _driver() -> Any:
    require("a PostgreSQL journal", "postgres", "asyncpg")
    import asyncpg

    return asyncpg


class _Conn:
    def __init__(self, conn: asyncpg.Connection | asyncpg.pool.PoolConnectionProxy) -> None:
        self._conn = conn

    async def fetch(self, sql: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
        text, args = to_numbered(sql, params)
        return [tuple(r) for r in await self._conn.fetch(text, *args)]

    async def execute(self, sql: str, params: dict[str, Any]) -> int:
        text, args = to_numbered(sql, params)
        status = await self._conn.execute(text, *args)
        # "UPDATE 3", "INSERT 0 1", "DELETE 0"
        tail = status.rsplit(" ", 1)[-1]
        return int(tail) if tail.isdigit() else 0

    async def executemany(self, sql: str, params: Sequence[dict[str, Any]]) -> None:
        if not params:
            return
        text, _ = to_numbered(sql, params[0])
        names = _names(sql)
        await self._conn.executemany(text, [[p[n] for n in names] for p in params])


def _names(sql: str) -> list[str]:
    from .journal import _PARAM

    seen: dict[str, None] = {}
    for match in _PARAM.finditer(sql):
        seen.setdefault(match.group(1))
    return list(seen)


class PostgresJournal(SqlJournal):
    """A journal in the PostgreSQL database at ``dsn`` (``postgresql://user@host/db``).

    ``pool_size`` connections are opened; a runner uses a few (statements are short).
    """

    now_sql = "extract(epoch from clock_timestamp())::double precision"
    lock_sql = " FOR UPDATE SKIP LOCKED"

    def __init__(self, dsn: str, *, pool_size: int = 4) -> None:
        self._asyncpg = _driver()
        self.dsn = dsn
        self._pool_size = pool_size
        self._pool: asyncpg.Pool | None = None

    def __repr__(self) -> str:
        # The DSN may carry a password.
        return "PostgresJournal(...)"

    def is_transient(self, exc: Exception) -> bool:
        errors = self._asyncpg.exceptions
        return isinstance(exc, errors.DeadlockDetectedError | errors.SerializationError)

    async def open(self) -> None:
        if self._pool is not None:
            return
        pool = await self._asyncpg.create_pool(
            self.dsn, min_size=1, max_size=self._pool_size, command_timeout=60
        )
        try:
            async with pool.acquire() as conn, conn.transaction():
                await conn.execute("SELECT pg_advisory_xact_lock($1)", _SCHEMA_LOCK)
                for statement in _SCHEMA:
                    await conn.execute(statement)
        except BaseException:
            await pool.close()
            raise
        self._pool = pool

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()
            self._pool = None

    def _require(self) -> asyncpg.Pool:
        if self._pool is None:
            raise RuntimeError("the journal is not open: use it with 'async with'")
        return self._pool

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[Conn]:
        async with self._require().acquire() as conn:
            yield _Conn(conn)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Conn]:
        async with self._require().acquire() as conn, conn.transaction():
            yield _Conn(conn)

    @asynccontextmanager
    async def load_lock(self, batch_id: str) -> AsyncIterator[None]:
        async with self._require().acquire() as conn:
            await conn.execute("SELECT pg_advisory_lock(hashtext($1))", "bulk:" + batch_id)
            try:
                yield
            finally:
                await conn.execute("SELECT pg_advisory_unlock(hashtext($1))", "bulk:" + batch_id)
