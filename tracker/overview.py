"""The operators' view (/admin): how many people use the bot, and whether reminders are flowing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from storage import UnitOfWork


@dataclass(frozen=True)
class Overview:
    users: int
    active_7d: int  # users with a reading recorded in the last 7 days
    readings_24h: int
    blocked: int
    circles: int
    reminders_enabled: int
    reminders_overdue: int  # due more than 5 minutes ago: the tick is behind, or stopped
    nudges_24h: int
    nudges_failed_24h: int


async def overview(uow: UnitOfWork, now: datetime) -> Overview:
    return Overview(
        **await uow.users.overview(
            now, day=timedelta(days=1), week=timedelta(days=7), overdue=timedelta(minutes=5)
        )
    )
