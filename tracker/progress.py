"""Where a user stands in their current khatm."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from quran import TOTAL_AYAHS, Ayah
from storage import UnitOfWork
from storage.models import User
from tracker import coverage
from tracker.clock import local_date
from tracker.readings import khatm_coverage, open_khatm

PACE_DAYS = 14  # the "recent pace" behind the finish estimate


@dataclass(frozen=True)
class Progress:
    khatm_number: int
    khatms_completed: int
    covered: int
    complete_juz: list[int]
    complete_pages: int
    continue_from: Ayah | None
    pace_per_day: float                # ayahs a day over the last PACE_DAYS local days
    estimated_finish: date | None
    today: date

    @property
    def percent(self) -> float:
        return 100.0 * self.covered / TOTAL_AYAHS

    @property
    def remaining(self) -> int:
        return TOTAL_AYAHS - self.covered


def continue_point(merged: list[coverage.Interval], last_end: int | None) -> Ayah | None:
    """Right after the latest reading if that is still unread, else the next unread ayah."""
    start = 1 if last_end is None or last_end >= TOTAL_AYAHS else last_end + 1
    index = coverage.first_uncovered(merged, start)
    return Ayah.from_index(index) if index else None


def estimate_finish(remaining: int, pace: float, today: date) -> date | None:
    if remaining <= 0 or pace <= 0:
        return None
    return today + timedelta(days=math.ceil(remaining / pace))


async def recent_pace(uow: UnitOfWork, user_id: int, today: date) -> float:
    """Ayahs a day over the last PACE_DAYS local days, or since the first reading if that is more recent
    (someone who started yesterday has a pace of two days, not of two weeks)."""
    window = today - timedelta(days=PACE_DAYS - 1)
    first = await uow.readings.first_day_since(user_id, window)
    if first is None:
        return 0.0
    days = (today - max(first, window)).days + 1
    return await uow.readings.amount_since(user_id, window) / max(days, 1)


async def progress(uow: UnitOfWork, user: User, now: datetime) -> Progress:
    khatm = await open_khatm(uow, user.id, now)
    merged = await khatm_coverage(uow, khatm.id)
    latest = await uow.readings.recent(user.id, limit=1)
    last_end = latest[0].end_index if latest and latest[0].khatm_id == khatm.id else None
    today = local_date(now, user.timezone)
    pace = await recent_pace(uow, user.id, today)
    covered = coverage.covered_count(merged)
    return Progress(
        khatm_number=khatm.number,
        khatms_completed=khatm.number - 1,
        covered=covered,
        complete_juz=coverage.complete_juz(merged),
        complete_pages=coverage.complete_pages(merged),
        continue_from=continue_point(merged, last_end),
        pace_per_day=pace,
        estimated_finish=estimate_finish(TOTAL_AYAHS - covered, pace, today),
        today=today,
    )
