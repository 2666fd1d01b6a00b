"""Numbers for /stats and the weekly summaries: pages per day, totals by period, pace, khatms."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from quran import JUZ_COUNT, PAGE_COUNT, juz_span, page_span
from storage import UnitOfWork
from storage.models import User
from tracker import goals, streaks
from tracker.clock import local_date
from tracker.progress import pace
from tracker.readings import khatm_coverage, open_khatm

PAGES_PER_JUZ = PAGE_COUNT / JUZ_COUNT


@dataclass(frozen=True)
class Period:
    pages: float
    days: int


@dataclass(frozen=True)
class Stats:
    today: date
    daily_pages: list[tuple[date, float]]  # the last 30 local days, oldest first, zeros included
    year_pages: dict[date, float]  # pages per local day over the last 53 weeks
    target_pages: float | None  # today's target, in pages, if there is a goal
    week: Period
    month: Period
    year: Period
    all_time: Period
    pace_pages: float  # pages a day, recent
    khatms_completed: int
    streak: streaks.Streak


def target_in_pages(today: goals.Today) -> float | None:
    if today.goal is None:
        return None
    if today.unit == "pages":
        return today.target
    if today.unit == "juz":
        return today.target * PAGES_PER_JUZ
    return today.target / goals.AYAHS_PER_PAGE


async def stats_for(uow: UnitOfWork, user: User, now: datetime) -> Stats:
    today = local_date(now, user.timezone)
    per_day: dict[date, list[tuple[int, int]]] = defaultdict(list)
    for _, day, a, b in await uow.readings.days_since([user.id], date.min):
        per_day[day].append((a, b))
    pages = {day: goals.amount_in(ranges, "pages") for day, ranges in per_day.items()}

    def period(first: date) -> Period:
        days = [d for d in pages if first <= d <= today]
        return Period(sum(pages[d] for d in days), len(days))

    last_30 = [today - timedelta(days=n) for n in range(29, -1, -1)]
    daily = [(d, pages.get(d, 0.0)) for d in last_30]
    year_start = today - timedelta(weeks=53)
    return Stats(
        today=today,
        daily_pages=daily,
        year_pages={d: v for d, v in pages.items() if d > year_start},
        target_pages=target_in_pages(await goals.today_for(uow, user, now)),
        week=period(today - timedelta(days=6)),
        month=period(today.replace(day=1)),
        year=period(today.replace(month=1, day=1)),
        all_time=period(date.min),
        pace_pages=pace(pages, today, first_day=min(pages, default=None)),
        khatms_completed=(await open_khatm(uow, user.id, now)).number - 1,
        streak=await streaks.streak_for(uow, user, now),
    )


async def khatm_fractions(uow: UnitOfWork, user: User, now: datetime, unit: str = "juz") -> list[float]:
    """How much of each juz (or page) of the open khatm is read, 0..1: the khatm picture."""
    merged = await khatm_coverage(uow, (await open_khatm(uow, user.id, now)).id)
    spans = (
        [juz_span(n) for n in range(1, JUZ_COUNT + 1)]
        if unit == "juz"
        else [page_span(n) for n in range(1, PAGE_COUNT + 1)]
    )
    out = []
    for span in spans:
        covered = sum(
            max(0, min(b, span.last_index) - max(a, span.first_index) + 1)
            for a, b in merged
            if a <= span.last_index and b >= span.first_index
        )
        out.append(covered / span.count)
    return out
