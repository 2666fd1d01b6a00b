"""Time, injected. Rules never read the system clock themselves, so tests can choose the instant."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, tzinfo
from datetime import timezone as fixed_timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


#: A fixed offset with minutes, stored as "UTC+05:30" (IANA has no such Etc zone).
FIXED_OFFSET = re.compile(r"^UTC([+-])(\d{2}):(\d{2})$")


def zone(name: str) -> tzinfo:
    """The user's zone; an unknown name (a zone dropped from tzdata) falls back to UTC."""
    fixed = FIXED_OFFSET.match(name)
    if fixed:
        minutes = int(fixed.group(2)) * 60 + int(fixed.group(3))
        return fixed_timezone(timedelta(minutes=-minutes if fixed.group(1) == "-" else minutes))
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_date(now: datetime, timezone: str) -> date:
    """The user's calendar date at `now`: what "today" means for streaks, goals and reminders."""
    return now.astimezone(zone(timezone)).date()


def local_yesterday(now: datetime, timezone: str) -> date:
    return local_date(now, timezone) - timedelta(days=1)
