"""Where a user stands in their current khatm."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from quran import TOTAL_AYAHS, Ayah
from storage import UnitOfWork
from storage.models import Khatm, User
from storage.repos import Window
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


def window_start(today: date) -> date:
    """The first local day of the pace window (PACE_DAYS days, today included)."""
    return today - timedelta(days=PACE_DAYS - 1)


def per_day(total: float, today: date, first_day: date) -> float:
    """`total` over the pace window's days, or over the days since `first_day` if that is later."""
    return total / ((today - max(window_start(today), first_day)).days + 1)


def pace(amounts: dict[date, float], today: date, first_day: date | None = None) -> float:
    """An amount a day over the last PACE_DAYS local days — all of them, read or not — or since the
    user's first reading (`first_day`, by default the earliest day in `amounts`) if that is more recent:
    someone who started yesterday has a pace of two days, not of two weeks. One rule for /progress
    (new ayahs) and /stats (pages)."""
    start = window_start(today)
    window = [d for d in amounts if start <= d <= today]
    if not window:
        return 0.0
    first = first_day if first_day is not None else min(amounts)
    return per_day(sum(amounts[d] for d in window), today, first)


def new_in(window: Window) -> int:
    """Ayahs that a khatm's readings dated in a window added to it, in reading-date order: what they
    cover less what its readings dated before the window covered. (In reading-date order the added
    ayahs of the window's days telescope to |cov(up to its last day)| - |cov(before its first)|, and
    only the ayahs the window covers can differ: no replay of the khatm is needed.)"""
    return (coverage.mask_of(window.ranges) & ~coverage.mask_of(window.before)).bit_count()


def window_pace(window: Window, today: date) -> float:
    """The pace (`pace`'s rule) of the new ayahs of the window ending `today`: none if no reading of the
    khatm is dated in it (later ones do not count), else per day since the window or the first reading."""
    if not window.ranges or window.first_day is None:
        return 0.0
    return per_day(float(new_in(window)), today, window.first_day)


async def recent_pace(uow: UnitOfWork, user_id: int, today: date) -> float:
    """New ayahs a day in the open khatm, recent (see `pace`): the pace the finish date is made of, so
    re-reading a surah does not bring the finish closer. One statement, whatever the history: the
    window's readings, the earlier ones that reach into them, and the user's first day."""
    khatm = await uow.khatms.open_for(user_id)
    if khatm is None:
        return 0.0
    start = window_start(today)
    return window_pace((await uow.readings.windows([(user_id, khatm.id, start, today)]))[khatm.id], today)


async def _open_khatm_coverage(
    uow: UnitOfWork, user: User, now: datetime
) -> tuple[Khatm, list[coverage.Interval], int | None]:
    """The open khatm, its merged coverage, and where the user's latest reading in it ended."""
    khatm = await open_khatm(uow, user.id, now)
    merged = await khatm_coverage(uow, khatm.id)
    latest = await uow.readings.latest_end(user.id)
    last_end = latest[1] if latest and latest[0] == khatm.id else None
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
