"""Recycle-and-retry instead of pre-ping: a unit of work that met a dead connection runs again.

A pooled connection can die while idle (the server restarted, a proxy dropped it). Pre-ping found out
before every use, at three round trips each time; instead the pool recycles connections after
`storage.db.RECYCLE_SECONDS` and, on the rare dead one, SQLAlchemy invalidates it (and the rest of the
pool that was checked out before) and raises with `connection_invalidated` set. Nothing was committed
and nothing sent to Telegram yet (replies go after the commit), so the work is safe to run again once.
"""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError

ATTEMPTS = 2


def dead_connection(exc: BaseException) -> bool:
    """The database connection was gone (not a query error): worth one more attempt."""
    return isinstance(exc, DBAPIError) and exc.connection_invalidated
