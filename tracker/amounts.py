"""What a message means in the user's own khatm: amounts with no place, and the day it was read.

"read 5 pages", "2 juz", "20 ayahs", "قرأت صفحتين" say how much, not where: they continue the open khatm
from where the user left off (``tracker.progress.continue_from``). The parser (pure) returns the amount;
this module, which knows the user, turns it into a span. Likewise "2 days ago" / "on Friday" become a
local date here.

Counting: the unit holding the continue point is the first of the N units (a page started half-way
counts as the first page), so "5 pages" from Maryam 1 (page 305) ends with the last ayah of page 309.
Past the end of the mushaf it stops at An-Naas 6 (``capped``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from quran import (
    HIZB_COUNT,
    HIZB_QUARTER_COUNT,
    JUZ_COUNT,
    PAGE_COUNT,
    TOTAL_AYAHS,
    Ayah,
    Span,
    hizb_of,
    hizb_quarter_of,
    hizb_quarter_span,
    hizb_span,
    juz_of,
    juz_span,
    page_of,
    page_span,
)
from storage import UnitOfWork
from storage.models import User
from tracker import progress
from tracker.clock import local_date

#: How far back a message may date a reading ("60 days ago" is the parser's limit too).
MAX_DAYS_BACK = 60

_UNITS = {
    "page": (page_of, page_span, PAGE_COUNT),
    "juz": (juz_of, juz_span, JUZ_COUNT),
    "hizb": (hizb_of, hizb_span, HIZB_COUNT),
    "hizb quarter": (hizb_quarter_of, hizb_quarter_span, HIZB_QUARTER_COUNT),
}


@dataclass(frozen=True)
class Continued:
    span: Span
    unit: str  # "page", "juz", "hizb", "hizb quarter", "ayah"
    count: int
    start: Ayah  # where the khatm continued from
    capped: bool  # the amount ran past the end of the mushaf


def continue_span(start: Ayah, unit: str, count: int) -> Continued:
    """``count`` units of ``unit`` from ``start`` (pure)."""
    if count < 1:
        raise ValueError("an amount is at least 1")
    first = start.index
    if unit == "ayah":
        last = first + count - 1
        capped = last > TOTAL_AYAHS
        last = min(last, TOTAL_AYAHS)
    else:
        unit_of, span_of, total = _UNITS[unit]
        target = unit_of(first) + count - 1
        capped = target > total
        last = span_of(min(target, total)).last_index
    return Continued(Span.from_indices(first, last), unit, count, start, capped)


async def continue_khatm(uow: UnitOfWork, user: User, now: datetime, unit: str, count: int) -> Continued:
    """The span an amount covers in the user's open khatm: from where they left off (or Al-Fatiha 1)."""
    start = await progress.continue_from(uow, user, now) or Ayah(1, 1)
    return continue_span(start, unit, count)


def reading_day(today: date, days_ago: int = 0, weekday: int | None = None) -> date:
    """The local date a message means: ``days_ago`` before today, or the most recent ``weekday``
    (0 Monday … 6 Sunday; today if today is that day)."""
    if weekday is not None:
        return today - timedelta(days=(today.weekday() - weekday) % 7)
    if not 0 <= days_ago <= MAX_DAYS_BACK:
        raise ValueError(f"days_ago must be 0..{MAX_DAYS_BACK}")
    return today - timedelta(days=days_ago)


def user_reading_day(user: User, now: datetime, days_ago: int = 0, weekday: int | None = None) -> date:
    return reading_day(local_date(now, user.timezone), days_ago, weekday)
