"""Which Telegram message logged which readings: the key an edited message is looked up by."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import LoggedMessage


class LoggedMessageRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.s = session

    async def remember(
        self, chat_id: int, message_id: int, user_id: int, update_id: int, now: datetime
    ) -> None:
        """Point the message at the update whose readings it logged (a correction moves the pointer)."""
        await self.s.merge(
            LoggedMessage(
                chat_id=chat_id, message_id=message_id, user_id=user_id, update_id=update_id, logged_at=now
            )
        )

    async def find(self, chat_id: int, message_id: int) -> LoggedMessage | None:
        return await self.s.get(LoggedMessage, (chat_id, message_id))

    async def prune(self, before: datetime) -> int:
        stmt = delete(LoggedMessage).where(LoggedMessage.logged_at < before)
        return (await self.s.execute(stmt)).rowcount
