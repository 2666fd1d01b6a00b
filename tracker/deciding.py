"""Deciding at tick time: whether a due reminder is sent now, and what it says.

When a reminder is due is tracker.reminders' business (scheduling); this module looks at the user's day
as it is at the tick — the goal met, the streak at risk, Al-Kahf already read — and decides.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from storage import UnitOfWork
from storage.models import Reminder, User
from tracker import goals, progress, streaks
from tracker.clock import local_date
from tracker.reminders import local_instant

LAPSED_DAYS = 28  # no weekly summary for someone who has not read for this long: a summary is not a nag
GRACE_WINDOW = timedelta(hours=2)  # after down time, a missed nudge is still sent if this recent


@dataclass(frozen=True)
class Decision:
    send: bool
    reason: str  # "send", "late", "day_over", "target_met", "no_streak", "done"
    local_date: date
    payload: dict[str, Any]


async def decide(
    uow: UnitOfWork, user: User, reminder: Reminder, now: datetime, grace: timedelta = GRACE_WINDOW
) -> Decision:
    """Whether the due `reminder` should be sent now, and what it should say."""
    return (await decide_many(uow, [(reminder, user)], now, grace))[0]


async def decide_many(
    uow: UnitOfWork, due: list[tuple[Reminder, User]], now: datetime, grace: timedelta = GRACE_WINDOW
) -> list[Decision]:
    """Decide a batch of due reminders with a fixed number of queries for the common kinds."""
    decisions: list[Decision | None] = [None] * len(due)
    days = [local_date(r.next_due_at or now, u.timezone) for r, u in due]
    live = []
    for i, (reminder, user) in enumerate(due):
        if now - (reminder.next_due_at or now) > grace:
            decisions[i] = Decision(False, "late", days[i], {})
        elif local_date(now, user.timezone) != days[i]:
            decisions[i] = Decision(False, "day_over", days[i], {})
        else:
            live.append(i)
    todays = await goals.today_for_many(uow, list({due[i][1].id: due[i][1] for i in live}.values()), now)
    for i in live:
        reminder, user = due[i]
        today = todays[user.id]
        if reminder.kind == "daily":
            decisions[i] = (
                Decision(False, "target_met", days[i], {})
                if today.met
                else Decision(True, "send", days[i], {"today": today})
            )
        elif reminder.kind == "kahf":
            done = any(h.surah == 18 and h.done_today for h in today.habits)
            decisions[i] = (
                Decision(False, "done", days[i], {})
                if done
                else Decision(True, "send", days[i], {"today": today})
            )
        elif reminder.kind == "weekly":
            decisions[i] = await _decide_weekly(uow, user, now, days[i])
        else:
            decisions[i] = await _decide_streak(uow, user, now, days[i])
    return [d for d in decisions if d is not None]


async def _decide_weekly(uow: UnitOfWork, user: User, now: datetime, day: date) -> Decision:
    """Last week (the seven local days before today): pages, days read, the streak, where to continue."""
    ranges: dict[date, list[tuple[int, int]]] = {}
    for _, d, a, b in await uow.readings.days_since([user.id], day - timedelta(days=LAPSED_DAYS)):
        ranges.setdefault(d, []).append((a, b))
    if not ranges:
        return Decision(False, "lapsed", day, {})
    week = [d for d in ranges if day - timedelta(days=7) <= d < day]
    pages = sum(goals.amount_in(ranges[d], "pages") for d in week)
    s = await streaks.streak_for(uow, user, now)
    where = await progress.continue_from(uow, user, now)
    payload = {"pages": pages, "days": len(week), "streak": s, "continue_from": where}
    return Decision(True, "send", day, payload)


async def _decide_streak(uow: UnitOfWork, user: User, now: datetime, day: date) -> Decision:
    s = await streaks.streak_for(uow, user, now)
    if not s.at_risk:
        return Decision(False, "no_streak", day, {})
    midnight = local_instant(day + timedelta(days=1), time(0, 0), user.timezone)
    where = await progress.continue_from(uow, user, now)
    return Decision(True, "send", day, {"streak": s, "time_left": midnight - now, "continue_from": where})
