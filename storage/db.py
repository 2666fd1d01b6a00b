"""Engine, sessions and the unit of work: the only door to the database."""

from __future__ import annotations

from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self
from uuid import uuid4

from sqlalchemy import event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from storage import messages, optimistic, retry
from storage.circles import CircleRepo
from storage.confirmations import ConfirmationRepo
from storage.hifz import HifzRepo
from storage.leases import LeaseRepo
from storage.messages import LoggedMessageRepo
from storage.repos import (
    DeliveryRepo,
    ExcusedRepo,
    GoalRepo,
    HandledRepo,
    KhatmRepo,
    MinutesRepo,
    ReadingRepo,
    ReminderRepo,
    UserRepo,
)
from storage.updates import UpdateClaims

RECYCLE_SECONDS = 300  # well under the idle timeouts of Postgres proxies (Fly's: 10 min; PgBouncer's)


@dataclass(frozen=True)
class Timeouts:
    """How long the app waits on the database before calling it unavailable (seconds).

    Without them a black-holed database (packets dropped, no RST) hangs each request for as long as the
    kernel keeps retrying; with them the update fails fast as *transient* (webhook 503, Telegram retries).
    - connect: opening a connection (asyncpg `timeout`).
    - statement: one statement's round trip (asyncpg `command_timeout`, enforced by the client, so it
      works behind PgBouncer too; asyncpg cancels the query on the server).
    - pool: waiting for a free connection of the pool.
    """

    connect: float = 5.0
    statement: float = 10.0
    pool: float = 5.0


def create_engine(
    url: str | URL,
    *,
    pool_size: int = 5,
    echo: bool = False,
    timeouts: Timeouts = Timeouts(),
    pgbouncer: bool = False,
) -> AsyncEngine:
    """An async engine for Postgres (asyncpg) or SQLite (aiosqlite), configured for this app.

    `pgbouncer`: PgBouncer in transaction mode hands each transaction a different server connection, so
    asyncpg's prepared-statement caches (named statements living on one server connection) must be off.
    """
    if make_url(url).get_backend_name() == "sqlite":
        engine = create_async_engine(url, echo=echo)

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record) -> None:
            cur = dbapi_conn.cursor()
            # SQLite ignores foreign keys (and so ON DELETE CASCADE) unless asked, per connection.
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=5000")
            cur.close()

        return engine
    connect_args: dict[str, Any] = {"timeout": timeouts.connect, "command_timeout": timeouts.statement}
    if pgbouncer:
        connect_args |= {"statement_cache_size": 0, "prepared_statement_name_func": _unique_statement_name}
        url = make_url(url).update_query_dict({"prepared_statement_cache_size": "0"})
    # No pre-ping: it costs three round trips (BEGIN, ";", ROLLBACK) on every checkout, more than the
    # log itself. Connections are recycled before servers and proxies drop idle ones, and a unit of work
    # that meets a dead connection anyway is retried once on a fresh one (storage.retry).
    engine = create_async_engine(
        url,
        echo=echo,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_timeout=timeouts.pool,
        pool_recycle=RECYCLE_SECONDS,
        connect_args=connect_args,
    )
    retry.install(engine.sync_engine)
    optimistic.install_guard(engine.sync_engine)
    return engine


def _unique_statement_name() -> str:
    return f"__asyncpg_{uuid4()}__"


class Database:
    """Owns the engine; hands out units of work."""

    def __init__(
        self,
        url: str,
        *,
        pool_size: int = 5,
        echo: bool = False,
        timeouts: Timeouts = Timeouts(),
        pgbouncer: bool = False,
    ) -> None:
        self.url = url
        self.engine = create_engine(
            url, pool_size=pool_size, echo=echo, timeouts=timeouts, pgbouncer=pgbouncer
        )
        # autoflush: a query must see the changes made earlier in the same unit of work.
        self._sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        # The optimistic path (storage/optimistic.py): no transaction, every statement its own. Postgres,
        # and not behind PgBouncer in transaction mode: there a statement outside a transaction is not
        # kept on one server connection between asyncpg's prepare and its execute.
        self._optimistic = (
            async_sessionmaker(
                self.engine.execution_options(isolation_level="AUTOCOMMIT", **{optimistic.OPTIMISTIC: True}),
                expire_on_commit=False,
            )
            if self.engine.dialect.name == "postgresql" and not pgbouncer
            else None
        )

    @property
    def backend(self) -> str:
        return self.engine.dialect.name

    def unit_of_work(self) -> UnitOfWork:
        return UnitOfWork(self._sessions)

    @property
    def has_optimistic_path(self) -> bool:
        return self._optimistic is not None

    def optimistic_unit_of_work(self) -> UnitOfWork:
        """A unit of work on the optimistic path (storage/optimistic.py): reads, then one write that
        holds only if the person's row did not change; `NeedsLock` when it cannot. Postgres only."""
        if self._optimistic is None:
            raise RuntimeError("the optimistic path needs Postgres")
        return UnitOfWork(self._optimistic, optimistic=True)

    async def ping(self) -> bool:
        try:
            async with self.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        except Exception:
            return False
        return True

    async def dispose(self) -> None:
        await self.engine.dispose()


class UnitOfWork:
    """One session and one transaction: committed when the block ends cleanly, rolled back otherwise.

    Use one per update or per job, and send nothing to Telegram inside it: commit first, then send.
    """

    def __init__(self, sessions: async_sessionmaker[AsyncSession], *, optimistic: bool = False) -> None:
        self._sessions = sessions
        self._optimistic = optimistic
        self.session: AsyncSession

    async def __aenter__(self) -> Self:
        self.session = self._sessions()
        if self._optimistic:
            self.session.info[optimistic.OPTIMISTIC] = True
        await self.session.begin()
        self.users = UserRepo(self.session)
        self.khatms = KhatmRepo(self.session)
        self.readings = ReadingRepo(self.session)
        self.deliveries = DeliveryRepo(self.session)
        self.excused = ExcusedRepo(self.session)
        self.goals = GoalRepo(self.session)
        self.reminders = ReminderRepo(self.session)
        self.handled = HandledRepo(self.session)
        self.minutes = MinutesRepo(self.session)
        self.circles = CircleRepo(self.session)
        self.confirmations = ConfirmationRepo(self.session)
        self.messages = LoggedMessageRepo(self.session)
        self.hifz = HifzRepo(self.session)
        self.updates = UpdateClaims(self.session, self.users)
        self.leases = LeaseRepo(self.session)
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            if exc_type is None:
                await messages.write_staged(self.session)  # a log's message nobody wrote yet
                await self.session.commit()
            else:
                await self.session.rollback()
        finally:
            await self.session.close()

    async def flush(self) -> None:
        await self.session.flush()
