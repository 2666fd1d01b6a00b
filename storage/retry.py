"""Recycle-and-retry instead of pre-ping: an update whose connection was dead before it was used runs
again, once.

A pooled connection can die while idle (the server restarted, a proxy dropped it). Pre-ping found out
before every use, at three round trips each time. Instead the pool recycles connections after
`storage.db.RECYCLE_SECONDS`, and when the *first* statement on a connection just taken from the pool
meets a dead connection, SQLAlchemy invalidates it (and the pool's older ones) and the exception is
marked here: nothing of the unit of work has reached the database, nothing was sent to Telegram
(replies go after the commit), so the caller runs it again on a fresh connection. A connection that dies
*later* in the unit of work is not retried: that is an outage, and the user gets the apology.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

ATTEMPTS = 2
_USED = "statements_since_checkout"
_MARK = "dead_before_use"


def install(engine: Engine) -> None:
    """Count statements per checkout, and mark a disconnect on the first one as retryable."""

    @event.listens_for(engine, "checkout")
    def _checked_out(_dbapi: Any, record: Any, _proxy: Any) -> None:
        record.info[_USED] = 0

    @event.listens_for(engine, "after_cursor_execute")
    def _executed(conn: Any, *_: Any) -> None:
        conn.info[_USED] = conn.info.get(_USED, 0) + 1

    @event.listens_for(engine, "handle_error")
    def _failed(context: Any) -> None:
        try:
            used = context.connection.info.get(_USED, 0)
        except Exception:  # no connection to ask: do not guess that retrying is safe
            return
        if context.is_disconnect and used == 0 and context.sqlalchemy_exception is not None:
            setattr(context.sqlalchemy_exception, _MARK, True)


def dead_connection(exc: BaseException) -> bool:
    """The pooled connection was dead before this unit of work used it: worth one more attempt."""
    return isinstance(exc, DBAPIError) and exc.connection_invalidated and getattr(exc, _MARK, False)
