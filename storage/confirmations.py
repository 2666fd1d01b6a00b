"""A group's text confirmations in the last minute: one window for every instance (docs/schema.md).

Telegram lets a bot send about 20 messages a minute to one group, however many processes the bot runs
as, so the count of texts a group got lives in the database, one row per group:

    if await uow.confirmations.take(chat_id, now, limit=8, window=timedelta(minutes=1)):
        ...  # confirm with a text; else with a reaction

`take` runs in the caller's unit of work (the update's transaction: the decision belongs to the update,
and a log that rolls back spends nothing). Its first statement inserts the group's row or, when it
exists, locks it and returns it — `INSERT … ON CONFLICT (chat_id) DO UPDATE … RETURNING sent`, which
waits for a transaction holding (or inserting) the row and then returns what that one committed. The
times a minute old or older are dropped, the new one added when fewer than `limit` are left, and the
row written back; the lock is held until the caller commits, so a take at another instance waits and
then counts this one. Nothing may be sent to Telegram before that commit (the runtime's rule anyway).

SQLite: the upsert is a write, so it takes the database's single write lock the same way; same code.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import TELEGRAM_GROUP_PER_MINUTE, GroupConfirmations


class ConfirmationRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.s = session

    async def take(self, chat_id: int, now: datetime, *, limit: int, window: timedelta) -> bool:
        """One text for the group `chat_id` at `now`, if fewer than `limit` went in the `window` before
        (a time exactly `window` old no longer counts). The group's row stays locked until the caller's
        transaction ends."""
        if not 0 < limit <= TELEGRAM_GROUP_PER_MINUTE:
            raise ValueError(f"limit must be 1..{TELEGRAM_GROUP_PER_MINUTE}")
        insert = pg_insert if self.s.bind.dialect.name == "postgresql" else sqlite_insert
        upsert = insert(GroupConfirmations).values(chat_id=chat_id, sent=[])
        upsert = upsert.on_conflict_do_update(
            index_elements=["chat_id"], set_={"chat_id": upsert.excluded.chat_id}
        ).returning(GroupConfirmations.sent)
        sent = (await self.s.execute(upsert)).scalar_one()
        recent = [t for t in sent if now - datetime.fromisoformat(t) < window]
        if len(recent) >= limit:
            return False
        recent.append(now.astimezone(UTC).isoformat(timespec="microseconds"))
        await self.s.execute(
            update(GroupConfirmations).where(GroupConfirmations.chat_id == chat_id).values(sent=recent)
        )
        return True
