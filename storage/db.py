"""Engine, sessions and the unit of work: the only door to the database."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from storage.circles import CircleRepo
from storage.repos import (
    DeliveryRepo,
    ExcusedRepo,
    GoalRepo,
    HandledRepo,
    KhatmRepo,
    ReadingRepo,
    ReminderRepo,
    UserRepo,
)
from storage.updates import UpdateClaims


def create_engine(url: str, *, pool_size: int = 5, echo: bool = False) -> AsyncEngine:
    """An async engine for Postgres (asyncpg) or SQLite (aiosqlite), configured for this app."""
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
    return create_async_engine(
        url, echo=echo, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True, pool_recycle=1800
    )


class Database:
    """Owns the engine; hands out units of work."""

    def __init__(self, url: str, *, pool_size: int = 5, echo: bool = False) -> None:
        self.url = url
        self.engine = create_engine(url, pool_size=pool_size, echo=echo)
        # autoflush: a query must see the changes made earlier in the same unit of work.
        self._sessions = async_sessionmaker(self.engine, expire_on_commit=False)

    @property
    def backend(self) -> str:
        return self.engine.dialect.name

    def unit_of_work(self) -> UnitOfWork:
        return UnitOfWork(self._sessions)

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

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions
        self.session: AsyncSession

    async def __aenter__(self) -> Self:
        self.session = self._sessions()
        await self.session.begin()
        self.users = UserRepo(self.session)
        self.khatms = KhatmRepo(self.session)
        self.readings = ReadingRepo(self.session)
        self.deliveries = DeliveryRepo(self.session)
        self.excused = ExcusedRepo(self.session)
        self.goals = GoalRepo(self.session)
        self.reminders = ReminderRepo(self.session)
        self.handled = HandledRepo(self.session)
        self.circles = CircleRepo(self.session)
        self.updates = UpdateClaims(self.session)
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            if exc_type is None:
                await self.session.commit()
            else:
                await self.session.rollback()
        finally:
            await self.session.close()

    async def flush(self) -> None:
        await self.session.flush()
