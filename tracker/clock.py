"""Time, injected. Rules never read the system clock themselves, so tests can choose the instant."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


def zone(name: str) -> ZoneInfo:
    """The user's zone; an unknown name (a zone dropped from tzdata) falls back to UTC."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_date(now: datetime, timezone: str) -> date:
    """The user's calendar date at `now`: what "today" means for streaks, goals and reminders."""
    return now.astimezone(zone(timezone)).date()


def local_yesterday(now: datetime, timezone: str) -> date:
    return local_date(now, timezone) - timedelta(days=1)
