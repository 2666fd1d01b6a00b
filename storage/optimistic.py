"""The optimistic path of a private update: two statements, two round trips, no transaction held open.

The usual path (storage/updates.py) is a transaction: BEGIN, the person's advisory lock with the update
claim, the user's state, the writes, the outcome, COMMIT — six round trips for a log. Most private
updates of a person meet no other update of theirs, so a handler that asks for it (`bot.runtime.handler(
optimistic=True)`) first runs without the lock, on an AUTOCOMMIT connection:

1. **read** (`STATE`): the user with what they have, whether this update was claimed already, and an id
   for the reading it may log — one SELECT, one snapshot;
2. the handler runs on what was read; its writes are *staged* (the reading, the khatm's coverage, the
   message that logged it) instead of sent;
3. **write** (`write`): one statement that bumps the user's `version` *only if it is still the one read*,
   and — chained on that bump, so all or nothing — claims the update with its outcome, inserts the reading,
   sets the coverage and points the message at the update. A single statement is its own transaction.

If another update of the person committed in between (its transaction bumped `version` too: a trigger
on `handled_updates` bumps it at every new claim, migration 0012), the bump matches no row, nothing is
written, and `NeedsLock` sends the update down the usual path, which reads everything again under the
lock. Anything the write cannot
carry — any other statement that is not a SELECT, an ORM flush, a khatm completed, several passages, a
first contact, a redelivered update — raises `NeedsLock` *before* it reaches the database: the guard
below refuses it at the cursor, so on this path nothing is ever written but by the one final statement.

Postgres only: SQLite is in the process (no round trips to save) and has a single writer anyway.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from sqlalchemy import bindparam, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import TextClause

from storage import messages
from storage.models import HandledUpdate, Khatm, LoggedMessage, Reading

OPTIMISTIC = "optimistic"  # execution option of the optimistic sessions' engine, and a session.info flag
FINAL = "optimistic_final"  # execution option of the one statement allowed to write
READING_ID = "optimistic_reading_id"  # session.info: the id reserved for the reading this update may log
READING = "optimistic_reading"  # session.info: the reading staged by ReadingRepo.add_new
VERSION = "optimistic_version"  # session.info: (user id, the user row's version as read)
NOW = "optimistic_now"  # session.info: the update's clock reading, for its claim
REFUSED = "optimistic_refused"  # connection info: the guard refused a write in this unit of work
PENDING = "optimistic_pending"  # connection info: a write is staged, so a later read would not see it
SEES_STAGED = "optimistic_sees_staged"  # execution option: this read adds what is staged itself
# The tables the final write changes: after staging, a read of one of them would miss the update's own
# write (read-your-writes), unless it is one of the repository's reads that add it (SEES_STAGED).
_STAGED_TABLES = re.compile(r"\b(readings|khatms|handled_updates|logged_messages|users)\b")


class NeedsLock(Exception):
    """This update needs the usual path: it writes what the optimistic one cannot carry, or another update
    of the person committed first. Nothing of it reached the database; run it again under the lock."""


def install_guard(engine: Engine) -> None:
    """Refuse, on an optimistic connection, every statement but a SELECT and the final write."""

    @event.listens_for(engine, "before_cursor_execute")
    def _guard(conn: Any, _cursor: Any, statement: str, _params: Any, context: Any, _many: bool) -> None:
        if not conn.get_execution_options().get(OPTIMISTIC):
            return
        if context is not None and context.execution_options.get(FINAL):
            return
        sees_staged = context is not None and context.execution_options.get(SEES_STAGED)
        head = statement.lstrip()[:6].upper()
        # A read of the repository's marked SEES_STAGED may open with read-only CTEs (`windows`).
        reads = head == "SELECT" or (sees_staged and head.startswith("WITH"))
        if not reads or "FOR UPDATE" in statement:
            conn.info[REFUSED] = True  # even if something catches it, the final write will not go in
            raise NeedsLock(f"writes: {statement[:60]!r}")
        if conn.info.get(PENDING) and _STAGED_TABLES.search(statement):  # read-your-writes
            if sees_staged:
                return
            conn.info[REFUSED] = True  # under the lock the reading is in before this query
            raise NeedsLock(f"reads after a staged write: {statement[:60]!r}")


# Every column: the reading goes in with the id its read reserved.
_READING_COLUMNS = tuple(Reading.__table__.columns.keys())


@cache
def _write(with_reading: bool, with_message: bool) -> TextClause:
    """The one statement, built once per shape (so asyncpg prepares it once per connection)."""
    sql = [
        "WITH bump AS (UPDATE users SET version = version + 1"
        " WHERE id = :user_id AND version = :version RETURNING id),",
        " claim AS (INSERT INTO handled_updates (update_id, user_id, handled_at, outcome)"
        " SELECT :update_id, :user_id, :now, :outcome FROM bump"
        " ON CONFLICT (update_id) DO NOTHING RETURNING update_id)",
    ]
    binds = [
        bindparam("now", type_=HandledUpdate.__table__.c.handled_at.type),
        bindparam("outcome", type_=HandledUpdate.__table__.c.outcome.type),
    ]
    if with_reading:
        columns = ", ".join(_READING_COLUMNS)
        values = ", ".join(f":r_{c}" for c in _READING_COLUMNS)
        sql.append(
            f", ins AS (INSERT INTO readings ({columns}) SELECT {values} FROM claim RETURNING id)"
            ", cov AS (UPDATE khatms SET coverage = :coverage WHERE id = :r_khatm_id"
            " AND EXISTS (SELECT 1 FROM ins))"
        )
        binds += [bindparam(f"r_{c}", type_=Reading.__table__.c[c].type) for c in _READING_COLUMNS]
        binds.append(bindparam("coverage", type_=Khatm.__table__.c.coverage.type))
    if with_message:
        values = ", ".join(f":m_{c}" for c in messages.COLUMNS)
        sql.append(f", msg AS ({messages.upsert_sql(f'SELECT {values} FROM claim')})")
        binds += [bindparam(f"m_{c}", type_=LoggedMessage.__table__.c[c].type) for c in messages.COLUMNS]
    sql.append(" SELECT count(*) FROM claim")
    return text("".join(sql)).bindparams(*binds)


def begin(connection_info: dict[str, Any]) -> None:
    """A new optimistic unit of work on this (pooled) connection: nothing refused or staged yet."""
    connection_info.pop(REFUSED, None)
    connection_info.pop(PENDING, None)


def staged_reading(session: AsyncSession) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    """For a read that must count the update's own reading: (the row staged for the final write, or
    None; the execution options that let the read past the guard)."""
    reading = session.info.get(READING) if session.info.get(OPTIMISTIC) else None
    if reading is None:
        return None, {}
    return reading["row"], {SEES_STAGED: True}


async def staged(session: AsyncSession) -> None:
    """Something is staged for the final write: from now on a query of a table it changes would not see
    it, so such a query gives way to the lock path (which writes first and then reads) — unless it is one
    of the reads that add the staged reading themselves (`SEES_STAGED`)."""
    (await session.connection()).sync_connection.info[PENDING] = True


async def write(session: AsyncSession, update_id: int, outcome: str) -> None:
    """The update's only write: everything staged, with its outcome, if the user row is unchanged since
    it was read. `NeedsLock` if it was not (nothing written)."""
    # Anything the handler changed on ORM objects (a new first name, a conversation state) would flush
    # here, where the guard refuses it — before the write, so nothing is half-written. (A text statement
    # does not autoflush: without this, the ORM's change would meet the guard only at commit, after the
    # write went in.)
    await session.flush()
    # A refused write that the handler caught (an `except Exception` somewhere) must not let the rest of
    # the update's work go in without it.
    info = (await session.connection()).sync_connection.info
    info.pop(PENDING, None)
    if info.pop(REFUSED, False):
        raise NeedsLock("a write was refused earlier in this update")
    user_id, version = session.info[VERSION]
    params: dict[str, Any] = {
        "user_id": user_id,
        "version": version,
        "update_id": update_id,
        "now": session.info[NOW],
        "outcome": outcome,
    }
    reading = session.info.pop(READING, None)
    if reading is not None:
        params |= {f"r_{c}": reading["row"][c] for c in _READING_COLUMNS}
        params["coverage"] = reading["coverage"]
    message = session.info.pop(messages.STAGED, None)
    if message is not None:
        params |= {f"m_{c}": message[c] for c in messages.COLUMNS}
    stmt = _write(reading is not None, message is not None)
    won = (await session.execute(stmt, params, execution_options={FINAL: True})).scalar_one()
    if not won:
        raise NeedsLock("another update of this person committed first")
