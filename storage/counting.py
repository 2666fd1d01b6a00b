"""Counting what a piece of work costs the database: statements and round trips.

Used by tests (the log hot path has a budget) and by the benchmarks (they print it per log). Counted
from SQLAlchemy's own events, so it sees every statement the ORM or Core sends:

- a **statement** is one `before_cursor_execute` (an `executemany` counts once: it is one message);
- a **round trip** is a statement, plus the `BEGIN` asyncpg sends before the first statement of a
  transaction and the `COMMIT`/`ROLLBACK` at its end, plus a pool pre-ping (asyncpg's ping is three:
  BEGIN, `;`, ROLLBACK, when the connection is not already in a transaction).

A prepared statement asyncpg has not seen on that connection costs one more round trip (PREPARE) the
first time; steady state is cache hits, so it is not counted. SQLite has no round trips (it is in the
process), but the same events fire, so the same budget can be asserted on both backends.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine


@dataclass
class Counts:
    statements: int = 0
    round_trips: int = 0
    pings: int = 0
    sql: list[str] = field(default_factory=list)

    def reset(self) -> None:
        self.statements = self.round_trips = self.pings = 0
        self.sql.clear()


class QueryCounter:
    """Attach to an engine; `counts` accumulates until `reset()`. Use `counting(engine)` for a block."""

    def __init__(self, engine: AsyncEngine, *, keep_sql: bool = False) -> None:
        self.engine = engine.sync_engine
        self.counts = Counts()
        self._keep_sql = keep_sql
        self._in_tx: set[int] = set()  # connections whose BEGIN has gone out
        self._dialect = self.engine.dialect
        self._orig_ping = self._dialect.do_ping

    # -- events -------------------------------------------------------------------------------------
    def _before_execute(self, conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: bool):
        c = self.counts
        c.statements += 1
        c.round_trips += 1
        key = id(conn)
        if conn.in_transaction() and key not in self._in_tx and not _autocommit(conn):
            self._in_tx.add(key)
            c.round_trips += 1  # asyncpg's BEGIN, sent just before the first statement
        if self._keep_sql:
            c.sql.append(statement)

    def _end(self, conn: Any) -> None:
        key = id(conn)
        if key in self._in_tx:
            self._in_tx.discard(key)
            self.counts.round_trips += 1  # COMMIT or ROLLBACK

    def _ping(self, dbapi_connection: Any) -> bool:
        self.counts.pings += 1
        self.counts.round_trips += 3
        return self._orig_ping(dbapi_connection)

    # -- lifecycle ----------------------------------------------------------------------------------
    def attach(self) -> QueryCounter:
        event.listen(self.engine, "before_cursor_execute", self._before_execute)
        event.listen(self.engine, "commit", self._end)
        event.listen(self.engine, "rollback", self._end)
        self._dialect.do_ping = self._ping
        return self

    def detach(self) -> None:
        event.remove(self.engine, "before_cursor_execute", self._before_execute)
        event.remove(self.engine, "commit", self._end)
        event.remove(self.engine, "rollback", self._end)
        self._dialect.do_ping = self._orig_ping

    def reset(self) -> None:
        self.counts.reset()


def _autocommit(conn: Any) -> bool:
    return conn.get_execution_options().get("isolation_level") == "AUTOCOMMIT"


@contextlib.contextmanager
def counting(engine: AsyncEngine, *, keep_sql: bool = False) -> Iterator[Counts]:
    """`with counting(db.engine) as n: ...` then `n.statements`, `n.round_trips`."""
    counter = QueryCounter(engine, keep_sql=keep_sql).attach()
    try:
        yield counter.counts
    finally:
        counter.detach()
