"""One send-rate budget for every instance: a token bucket in a database row.

Telegram allows a bot about 30 messages a second in all — per bot, not per process — so two machines each
pacing themselves at 30/s send 60/s and collect 429s. Every sender asks the same row instead:

    budget = RateBudget(db)                # 30/s, bursts of 30
    await budget.acquire("reply")          # before each Bot API send that counts against the limit
    await budget.acquire("nudge")          # bulk: reminders, digests

Replies to people go ahead of bulk: a bulk send only takes a token while more than `reserve` are left, so
a burst of nudges can never use up what a person's reply needs. One short transaction per token: the row
is locked (`SELECT … FOR UPDATE`), refilled for the time since its last use, decremented, committed. When
the bucket is empty the caller sleeps until a token is due (the wait is computed, not polled in a loop).

Wiring: the outbox (bot/outbox.py, issue 13) calls `acquire(kind)` before each send; until it exists, the
tick's `_deliver` and `bot.runtime.send` are the call sites. SQLite (one process) works the same way.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from storage.db import Database
from storage.models import RateBudgetRow

EPSILON = 1e-4  # of a token
BULK_KINDS = frozenset({"nudge", "bulk", "digest", "announcement"})


class RateBudget:
    def __init__(
        self,
        db: Database,
        *,
        name: str = "telegram",
        rate: float = 30.0,
        capacity: float = 30.0,
        reserve: float = 5.0,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if not 0 <= reserve < capacity:
            raise ValueError("reserve must be below capacity")
        self.db, self.name, self.rate, self.capacity, self.reserve = db, name, rate, capacity, reserve
        self.clock, self.sleep = clock, sleep

    async def acquire(self, kind: str = "reply") -> float:
        """Wait for a token; `kind` "nudge" (or another bulk kind) leaves `reserve` tokens to replies.
        Returns the seconds waited."""
        floor = 1.0 + (self.reserve if kind in BULK_KINDS else 0.0)
        waited = 0.0
        while True:
            wait = await self._take(floor)
            if wait <= 0:
                return waited
            await self.sleep(wait)
            waited += wait

    async def _take(self, floor: float) -> float:
        """One transaction: refill, take a token if at least `floor` are there; else the seconds to wait."""
        now = self.clock()
        async with self.db.unit_of_work() as uow:
            s = uow.session
            insert = pg_insert if s.bind.dialect.name == "postgresql" else sqlite_insert
            await s.execute(
                insert(RateBudgetRow)
                .values(name=self.name, tokens=self.capacity, updated_at=now)
                .on_conflict_do_nothing(index_elements=["name"])
            )
            row = await s.get(RateBudgetRow, self.name, with_for_update=True, populate_existing=True)
            assert row is not None
            elapsed = max(0.0, (now - row.updated_at).total_seconds())
            tokens = min(self.capacity, row.tokens + elapsed * self.rate)
            row.updated_at = max(now, row.updated_at)
            if tokens >= floor - EPSILON:  # timestamps have microseconds: allow for their rounding
                row.tokens = max(0.0, tokens - 1.0)
                return 0.0
            row.tokens = tokens
            return math.ceil((floor - tokens) / self.rate * 1e6) / 1e6  # whole microseconds, > 0
