"""Rows that only served to prevent duplicates, dropped once no duplicate can arrive any more."""

from __future__ import annotations

from datetime import datetime, timedelta

from storage import UnitOfWork

HANDLED_UPDATES_KEPT = timedelta(days=7)  # Telegram stops redelivering an update within a day
DELIVERIES_KEPT = timedelta(days=60)  # a claim guards its own local day; two months is generous
LOGGED_MESSAGES_KEPT = timedelta(days=30)  # an edit of a month-old log corrects nothing (it is ignored)


async def prune(uow: UnitOfWork, now: datetime) -> tuple[int, int]:
    """Delete old handled-update records and delivery claims: (updates, deliveries) removed. Old
    message-to-log pointers go too (tracker/corrections.py)."""
    await uow.messages.prune(now - LOGGED_MESSAGES_KEPT)
    return (
        await uow.handled.prune(now - HANDLED_UPDATES_KEPT),
        await uow.deliveries.prune(now - DELIVERIES_KEPT),
    )
