"""Which Telegram message logged which readings: the key an edited message is looked up by."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, text
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import LoggedMessage

# A log's message is written with the update's outcome, in one statement on Postgres (storage/updates.py
# `record`), or at commit if nothing records an outcome: the log's hot path stays within its budget
# (tests/perf/test_log_budget.py). Until then it waits in the session's info under this key.
STAGED = "logged_message"
_COLUMNS = LoggedMessage.__table__.c
COLUMNS = tuple(_COLUMNS.keys())


def upsert_sql(source: str) -> str:
    """The message's row from `source` (VALUES or a SELECT of the columns, in `COLUMNS` order); a
    correction moves an existing pointer to the new update."""
    return (
        f"INSERT INTO logged_messages ({', '.join(COLUMNS)}) {source}"
        " ON CONFLICT (chat_id, message_id) DO UPDATE SET user_id = excluded.user_id,"
        " update_id = excluded.update_id, logged_at = excluded.logged_at"
    )


_UPSERT = upsert_sql("VALUES (" + ", ".join(f":{c}" for c in COLUMNS) + ")")
_TYPES = [bindparam(column.name, type_=column.type) for column in _COLUMNS]
UPSERT = text(_UPSERT).bindparams(*_TYPES)
# Postgres: the message and the outcome in one statement (a data-modifying CTE; SQLite has none).
UPSERT_WITH_OUTCOME = text(
    f"WITH m AS ({_UPSERT}) UPDATE handled_updates SET outcome = :outcome WHERE update_id = :claimed"
).bindparams(*_TYPES)


async def write_staged(session: AsyncSession) -> None:
    """The staged message, if any, on its own (at commit, or where no CTE can carry it)."""
    staged = session.info.pop(STAGED, None)
    if staged is not None:
        await session.execute(UPSERT, staged)


class LoggedMessageRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.s = session

    async def remember(
        self, chat_id: int, message_id: int, user_id: int, update_id: int, now: datetime
    ) -> None:
        """Point the message at the update whose readings it logged (a correction moves the pointer).
        Staged: written with the update's outcome or at commit (see STAGED)."""
        staged: dict[str, Any] = {
            "chat_id": chat_id,
            "message_id": message_id,
            "user_id": user_id,
            "update_id": update_id,
            "logged_at": now,
        }
        self.s.info[STAGED] = staged

    async def find(self, chat_id: int, message_id: int) -> LoggedMessage | None:
        await write_staged(self.s)  # a pointer staged in this unit of work counts
        return await self.s.get(LoggedMessage, (chat_id, message_id))

    async def prune(self, before: datetime) -> int:
        stmt = delete(LoggedMessage).where(LoggedMessage.logged_at < before)
        return (await self.s.execute(stmt)).rowcount
