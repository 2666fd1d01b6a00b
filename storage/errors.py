"""Which database failures are worth a retry (the database will be back) and which are bugs.

Transient: the server cannot be reached or went away (connection refused/reset, a black-holed host hitting
the connect timeout), a statement or the pool timing out, a serialization failure or deadlock, too many
connections, an administrator's shutdown. Retrying the same update later can succeed — so the webhook
answers 5xx and Telegram delivers it again (safe: the update-id claim makes a redelivery idempotent).
Permanent: everything else — a violated constraint, bad SQL, bad data — would fail the same way forever.
"""

from __future__ import annotations

import asyncio

import asyncpg
from sqlalchemy import exc as sa_exc

# SQLSTATE classes and codes that describe the moment, not the request.
_TRANSIENT_CLASSES = ("08", "40", "53", "57")  # connection, rollback (40001, 40P01), resources, operator
_TRANSIENT_CODES = ("55P03",)  # lock_not_available
_DB_ERRORS: tuple[type[BaseException], ...] = (
    sa_exc.SQLAlchemyError,
    asyncpg.PostgresError,
    asyncpg.InterfaceError,
)


def _raised_by_driver(exc: BaseException) -> bool:
    """An OSError or timeout from the database driver itself (not from Telegram's HTTP client)."""
    tb = exc.__traceback__
    while tb is not None:
        if any(
            part in tb.tb_frame.f_code.co_filename for part in ("/asyncpg/", "/sqlalchemy/", "/aiosqlite/")
        ):
            return True
        tb = tb.tb_next
    return False


def _chain(exc: BaseException | None) -> list[BaseException]:
    seen: list[BaseException] = []
    while exc is not None and len(seen) < 10 and exc not in seen:
        seen.append(exc)
        exc = exc.__cause__ or exc.__context__
    return seen


def is_database_error(exc: BaseException | None) -> bool:
    """Raised by the database or its driver (transient or not)."""
    return any(
        isinstance(e, _DB_ERRORS) or (isinstance(e, OSError | asyncio.TimeoutError) and _raised_by_driver(e))
        for e in _chain(exc)
    )


def is_transient(exc: BaseException | None) -> bool:
    """A database failure that a later retry of the same work can get past."""
    for e in _chain(exc):
        if isinstance(e, sa_exc.IntegrityError | sa_exc.DataError | sa_exc.ProgrammingError):
            return False  # the request itself is wrong
        if isinstance(e, sa_exc.TimeoutError):  # QueuePool: no connection within pool_timeout
            return True
        if isinstance(e, sa_exc.DBAPIError) and e.connection_invalidated:
            return True
        if isinstance(e, sa_exc.OperationalError) and "database is locked" in str(e):  # SQLite busy
            return True
        code = getattr(e, "sqlstate", None) or getattr(e, "pgcode", None)
        if isinstance(code, str) and (code[:2] in _TRANSIENT_CLASSES or code in _TRANSIENT_CODES):
            return True
        if isinstance(
            e,
            asyncpg.ConnectionDoesNotExistError
            | asyncpg.CannotConnectNowError
            | asyncpg.TooManyConnectionsError,
        ):
            return True
        if isinstance(e, asyncpg.InterfaceError) and "connection" in str(e).lower():
            return True
        if isinstance(e, OSError | asyncio.TimeoutError) and _raised_by_driver(e):
            return True  # refused, reset, unreachable; a connect or statement timeout
    return False
