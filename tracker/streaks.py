"""Streaks, forgiving by design.

A day counts when it has at least one reading, or minutes of reading, in the user's local calendar day
(the `local_date` stored with each reading, so a later timezone change never rewrites the past). Today never
breaks a streak: it is not over yet. An excused day (travel, illness, menstruation) pauses the streak; a
missed day is forgiven by a grace day if fewer than `grace_per_week` grace days were used in the 7 days
ending that day. Neither adds to the streak's length; they only keep it from breaking. The excused days
/streak lists are those inside the current streak (after its first read day), never ones from before it.

The streak warning (tracker.reminders) is sent only for a streak of 2 days or more (`Streak.at_risk`): a
single day is not yet a streak worth a nudge before midnight.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from storage import UnitOfWork
from storage.models import User
from tracker.clock import local_date

WINDOW = 7


@dataclass(frozen=True)
class Streak:
    current: int  # read days in the unbroken run that reaches today
    longest: int
    read_today: bool
    days_this_month: int
    grace_left: int  # grace days still available today (0 when off)
    graced: list[date] = field(default_factory=list)  # missed days forgiven in the current run
    excused: list[date] = field(default_factory=list)  # excused days in the current run

    @property
    def at_risk(self) -> bool:
        """A streak worth protecting that today's reading has not yet extended."""
        return self.current >= 2 and not self.read_today


def compute_streak(read: set[date], excused: set[date], today: date, grace_per_week: int) -> Streak:
    """Walk the days forward from the first reading to today, applying the rules above."""
    days_this_month = sum(1 for d in read if (d.year, d.month) == (today.year, today.month) and d <= today)
    if not read:
        return Streak(0, 0, False, 0, grace_per_week)
    start = min(min(read), min(excused, default=today))
    run = longest = 0
    graced_recent: deque[date] = deque()  # grace days used in the last WINDOW days
    run_graced: list[date] = []
    run_excused: list[date] = []
    day = start
    while day <= today:
        while graced_recent and graced_recent[0] <= day - timedelta(days=WINDOW):
            graced_recent.popleft()
        if day in read:
            run += 1
        elif day in excused:
            if run > 0:  # an excused day pauses a streak; before one began there is nothing to pause
                run_excused.append(day)
        elif day == today:
            pass  # today is not over: it cannot break anything
        elif run > 0 and len(graced_recent) < grace_per_week:
            graced_recent.append(day)
            run_graced.append(day)
        else:
            run, run_graced, run_excused = 0, [], []
        longest = max(longest, run)
        day += timedelta(days=1)
    while graced_recent and graced_recent[0] <= today - timedelta(days=WINDOW):
        graced_recent.popleft()
    return Streak(
        run,
        longest,
        today in read,
        days_this_month,
        max(0, grace_per_week - len(graced_recent)),
        run_graced,
        run_excused if run else [],
    )


async def streak_for(uow: UnitOfWork, user: User, now: datetime) -> Streak:
    today = local_date(now, user.timezone)
    read = (
        await uow.readings.days_read(user.id)
        | await uow.minutes.days(user.id)  # minutes count too
        | await uow.hifz.days_revised(user.id)  # and a day of revision
    )
    excused = await uow.excused.days(user.id)
    return compute_streak(read, excused, today, user.grace_days_per_week)


EXCUSE_REASONS = ("travel", "illness", "menstruation", "other")


EXCUSABLE_DAYS_AGO = (0, 1)  # today or yesterday: an excuse is for a day just lived, not for history


async def excuse_recent(uow: UnitOfWork, user: User, days_ago: int, reason: str, now: datetime) -> date:
    """Excuse the user's local today (0) or yesterday (1); the day excused."""
    if days_ago not in EXCUSABLE_DAYS_AGO:
        raise ValueError(f"only today or yesterday can be excused, not {days_ago} days ago")
    day = local_date(now, user.timezone) - timedelta(days=days_ago)
    await excuse_day(uow, user, day, reason)
    return day


async def excuse_day(uow: UnitOfWork, user: User, day: date, reason: str) -> bool:
    """Excuse a local day; False when it was already excused."""
    if reason not in EXCUSE_REASONS:
        raise ValueError(f"unknown reason {reason!r}")
    return await uow.excused.add(user.id, day, reason)


async def set_grace(uow: UnitOfWork, user: User, per_week: int) -> None:
    if not 0 <= per_week <= 7:
        raise ValueError("grace days per week must be 0..7")
    user.grace_days_per_week = per_week
