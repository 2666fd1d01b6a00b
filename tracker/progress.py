"""Where a user stands in their current khatm."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from quran import TOTAL_AYAHS, Ayah
from storage import UnitOfWork
from storage.models import Khatm, User
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
    pace_per_day: float  # ayahs a day over the last PACE_DAYS local days
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


def pace(amounts: dict[date, float], today: date) -> float:
    """An amount a day over the last PACE_DAYS local days, or since the first reading if that is more
    recent (someone who started yesterday has a pace of two days, not of two weeks). One rule for
    /progress (ayahs) and /stats (pages)."""
    window = [d for d in amounts if today - timedelta(days=PACE_DAYS - 1) <= d <= today]
    if not window:
        return 0.0
    return sum(amounts[d] for d in window) / ((today - min(window)).days + 1)


async def recent_pace(uow: UnitOfWork, user_id: int, today: date) -> float:
    """Ayahs a day, recent (see `pace`); repeated readings count: this is activity, not coverage."""
    ayahs: dict[date, float] = defaultdict(float)
    for _, day, a, b in await uow.readings.days_since([user_id], today - timedelta(days=PACE_DAYS - 1)):
        ayahs[day] += b - a + 1
    return pace(ayahs, today)


async def _open_khatm_coverage(
    uow: UnitOfWork, user: User, now: datetime
) -> tuple[Khatm, list[coverage.Interval], int | None]:
    """The open khatm, its merged coverage, and where the user's latest reading in it ended."""
    khatm = await open_khatm(uow, user.id, now)
    merged = await khatm_coverage(uow, khatm.id)
    latest = await uow.readings.recent(user.id, limit=1)
    last_end = latest[0].end_index if latest and latest[0].khatm_id == khatm.id else None
    return khatm, merged, last_end


async def continue_from(uow: UnitOfWork, user: User, now: datetime) -> Ayah | None:
    """Where to continue, without the rest of /progress (reminders need only this)."""
    _, merged, last_end = await _open_khatm_coverage(uow, user, now)
    return continue_point(merged, last_end)


async def progress(uow: UnitOfWork, user: User, now: datetime) -> Progress:
    khatm, merged, last_end = await _open_khatm_coverage(uow, user, now)
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
