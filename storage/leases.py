"""Nudge claims are leases, not final (the tick: scheduler/tick.py).

A claim (a `deliveries` row, UNIQUE per user, kind, slot and local date) goes through:
  claimed (claimed_at = lease start) → attempted (attempted_at, committed just before the send)
  → sent (sent_at) or failed (error).
A claim that was neither attempted nor finished within LEASE — its tick was killed, or stopped on
SIGTERM and released it — is taken over by the next tick at any instance (SKIP LOCKED: one taker). An
attempted claim is never retried: its send may have reached Telegram, and a doubled nudge is worse than a
lost one. So a kill loses at most the nudges in flight (attempted, not yet marked), never doubles one.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Delivery, Reminder, User

LEASE = timedelta(minutes=2)


class LeaseRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.s = session

    async def expired(
        self, now: datetime, *, oldest: datetime, limit: int
    ) -> list[tuple[Delivery, Reminder, User]]:
        """Claims whose lease ran out unattempted (claimed after `oldest`), re-leased to this tick."""
        stmt = (
            select(Delivery, Reminder, User)
            .join(
                Reminder,
                (Reminder.user_id == Delivery.user_id)
                & (Reminder.kind == Delivery.kind)
                & (Reminder.slot == Delivery.slot),
            )
            .join(User, User.id == Delivery.user_id)
            .where(
                Delivery.sent_at.is_(None),
                Delivery.error.is_(None),
                Delivery.attempted_at.is_(None),
                Delivery.claimed_at < now - LEASE,
                Delivery.claimed_at >= oldest,
                User.blocked_at.is_(None),
            )
            .order_by(Delivery.claimed_at)
            .limit(limit)
        )
        if self.s.bind.dialect.name == "postgresql":
            stmt = stmt.with_for_update(of=Delivery, skip_locked=True)
        rows = [(d, r, u) for d, r, u in (await self.s.execute(stmt)).all()]
        if rows:
            await self.s.execute(
                update(Delivery).where(Delivery.id.in_([d.id for d, _, _ in rows])).values(claimed_at=now)
            )
        return rows

    async def attempt(self, delivery_ids: list[int], now: datetime) -> None:
        if delivery_ids:
            await self.s.execute(
                update(Delivery).where(Delivery.id.in_(delivery_ids)).values(attempted_at=now)
            )

    async def release(self, delivery_ids: list[int], now: datetime) -> None:
        """Give back claims that were never attempted (SIGTERM): the next tick anywhere takes them."""
        if delivery_ids:
            await self.s.execute(
                update(Delivery)
                .where(Delivery.id.in_(delivery_ids), Delivery.attempted_at.is_(None))
                .values(claimed_at=now - LEASE - timedelta(seconds=1))
            )
