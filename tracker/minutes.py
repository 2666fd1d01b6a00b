"""Minutes of reading: "read for 20 minutes" logs time, for a daily goal in minutes (Quran.com's unit).

Time covers no ayahs, so it never moves the khatm; a day with minutes is a read day for the streak.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime

from storage import UnitOfWork
from storage.models import ReadingMinutes, User
from tracker.clock import local_date

MAX_MINUTES = 1440  # a day
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_MINUTES = re.compile(
    r"^(?:(?:i\s+)?(?:read|recited|reading)\s+(?:for\s+)?|قرأت\s+(?:لمدة\s+)?|قراءة\s+)?"
    r"(\d{1,4})\s*(?:minutes?|mins?|m|دقيقة|دقائق|دقيقه|د)\.?(?:\s+(?:of\s+)?(?:quran|reading))?$",
    re.IGNORECASE,
)


def parse_minutes(text: str) -> int | None:
    """ "read for 20 minutes", "20 min", "قرأت ٢٠ دقيقة" -> 20; None when the text is not a time."""
    t = unicodedata.normalize("NFKC", text).translate(_DIGITS).strip()
    m = _MINUTES.match(t)
    return int(m.group(1)) if m else None


async def log_minutes(
    uow: UnitOfWork, user: User, minutes: int, *, now: datetime, update_id: int | None = None
) -> ReadingMinutes:
    """Record `minutes` on the user's local today (once per Telegram update)."""
    if not 1 <= minutes <= MAX_MINUTES:
        raise ValueError(f"minutes must be 1..{MAX_MINUTES}, not {minutes}")
    if update_id is not None:
        existing = await uow.minutes.for_update_id(user.id, update_id)
        if existing is not None:
            return existing
    row = ReadingMinutes(
        user_id=user.id, local_date=local_date(now, user.timezone), minutes=minutes, recorded_at=now,
        update_id=update_id,
    )  # fmt: skip
    return await uow.minutes.add(row)
