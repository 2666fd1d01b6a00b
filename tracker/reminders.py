"""Reminders: when each one is next due (in UTC, from the user's local time) and whether to send it.

`next_due_at` is stored so the scheduler's tick is one indexed query. It is recomputed with `zoneinfo`
after each send and whenever the time or the user's timezone changes, so DST and moves are right:
- a local time that does not exist (the spring-forward gap) is sent just after the gap;
- a local time that happens twice (fall-back) is sent at its first occurrence, once: the delivery key
  (user, kind, slot, local date) cannot be claimed twice.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from storage import UnitOfWork
from storage.models import Reminder, User
from tracker import goals, progress, streaks
from tracker.clock import local_date, zone

KINDS = ("daily", "streak", "kahf", "weekly")
DEFAULT_STREAK_TIME = time(21, 0)
DEFAULT_KAHF_TIME = time(9, 0)
DEFAULT_WEEKLY_TIME = time(9, 0)
FRIDAY = 4
MONDAY = 0  # the week starts on Monday (what Babel's CLDR data gives for both our languages)
LAPSED_DAYS = 28  # no weekly summary for someone who has not read for this long: a summary is not a nag
GRACE_WINDOW = timedelta(hours=2)  # after down time, a missed nudge is still sent if this recent


def _local_instant(day: date, at: time, timezone: str) -> datetime:
    """The UTC instant of `at` on local `day`. In a DST gap, the wall time does not exist: Python's
    zoneinfo reads it with the offset before the gap, which lands just after the gap (01:30 -> 02:30)."""
    return datetime.combine(day, at, tzinfo=zone(timezone)).astimezone(UTC)


def next_due(at: time, timezone: str, after: datetime, weekday: int | None = None) -> datetime:
    """The first instant strictly after `after` when it is `at` o'clock locally (on `weekday`, if given)."""
    day = local_date(after, timezone) - timedelta(days=1)  # yesterday's slot may still be ahead in UTC
    for _ in range(16):
        if weekday is None or day.weekday() == weekday:
            instant = _local_instant(day, at, timezone)
            if instant > after:
                return instant
        day += timedelta(days=1)
    raise AssertionError("unreachable: a weekday recurs within 8 days")


def _weekday(kind: str) -> int | None:
    return {"kahf": FRIDAY, "weekly": MONDAY}.get(kind)


async def set_reminder(
    uow: UnitOfWork, user: User, kind: str, at: time, now: datetime, slot: int = 1, enabled: bool = True
) -> Reminder:
    if kind not in KINDS:
        raise ValueError(f"unknown reminder kind {kind!r}")
    reminder = await uow.reminders.get(user.id, kind, slot)
    if reminder is None:
        reminder = await uow.reminders.add(Reminder(user_id=user.id, kind=kind, slot=slot, local_time=at))
    reminder.local_time = at
    reminder.enabled = enabled
    reminder.next_due_at = next_due(at, user.timezone, now, _weekday(kind)) if enabled else None
    await uow.flush()
    return reminder


async def disable(uow: UnitOfWork, user: User, kind: str, slot: int | None = None) -> int:
    count = 0
    for reminder in await uow.reminders.for_user(user.id):
        if reminder.kind == kind and (slot is None or reminder.slot == slot) and reminder.enabled:
            reminder.enabled, reminder.next_due_at = False, None
            count += 1
    await uow.flush()
    return count


REPEAT_GAP = timedelta(hours=12)
"""After a move west the same local date comes round again. Its reminder is sent again when the new slot is
at least this long after the old claim (Tokyo → Los Angeles: ~16 h later, a day lived anew); a short move
(Paris → London just after 20:00) stays at one reminder that evening."""


async def reschedule(uow: UnitOfWork, user: User, now: datetime) -> None:
    """After a timezone change: every enabled reminder's next instant in the new zone. A date lived again
    after a large move west gets its reminder: the old claim on it is released (see REPEAT_GAP)."""
    for reminder in await uow.reminders.for_user(user.id):
        if reminder.enabled:
            due = next_due(reminder.local_time, user.timezone, now, _weekday(reminder.kind))
            reminder.next_due_at = due
            day = local_date(due, user.timezone)
            await uow.deliveries.release(user.id, reminder.kind, reminder.slot, day, due - REPEAT_GAP)
    await uow.flush()


async def ensure_defaults(uow: UnitOfWork, user: User, now: datetime) -> None:
    """The streak warning (21:00 local) and the weekly summary (Monday 09:00) are on by default, once the
    user has finished onboarding; both are one tap to turn off in /remind."""
    if await uow.reminders.get(user.id, "streak", 1) is None:
        await set_reminder(uow, user, "streak", DEFAULT_STREAK_TIME, now)
    if await uow.reminders.get(user.id, "weekly", 1) is None:
        await set_reminder(uow, user, "weekly", DEFAULT_WEEKLY_TIME, now)


_TIME = re.compile(r"^\s*(\d{1,2})(?:[:.h](\d{2}))?\s*(am|pm|ص|م)?\s*$", re.IGNORECASE)
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


def parse_time(text: str) -> time | None:
    """ "7:30", "07:30", "21", "9pm", "9:15 am", "٧:٣٠" -> a local time; None if it isn't one."""
    m = _TIME.match(text.translate(_DIGITS))
    if not m:
        return None
    hour, minute, half = int(m[1]), int(m[2] or 0), (m[3] or "").lower()
    if half in ("pm", "م") and hour < 12:
        hour += 12
    elif half in ("am", "ص") and hour == 12:
        hour = 0
    if hour > 23 or minute > 59 or (half and not 1 <= int(m[1]) <= 12):
        return None
    return time(hour, minute)


MAX_DAILY = 3
_OFF_WORDS = {"off", "stop", "none", "إيقاف", "ايقاف"}


ALL = "all"  # "/remind off": every kind at once


def parse_request(words: list[str]) -> tuple[str, list[time]]:
    """ "/remind 07:30 21:00", "/remind streak 22:00", "/remind kahf off" -> (kind, times); no times = off.
    "/remind off" alone is every reminder (kind ALL); "/remind daily off" only the daily one.

    ValueError when the times can't be read, or there are too many for the kind.
    """
    words = [w.lower() for w in words]
    if len(words) == 1 and words[0] in _OFF_WORDS:
        return ALL, []
    named = bool(words) and words[0] in KINDS
    kind = words[0] if named else "daily"
    values = words[1:] if named else words
    if len(values) == 1 and values[0] in _OFF_WORDS:
        return kind, []
    times = [parse_time(v) for v in values]
    if not times or None in times or len(times) > (MAX_DAILY if kind == "daily" else 1):
        raise ValueError("not reminder times")
    return kind, sorted(set(times))


async def apply_request(uow: UnitOfWork, user: User, kind: str, times: list[time], now: datetime) -> None:
    """Set the kind's reminders to exactly `times` (slots 1, 2, …); no times turns the kind off (every
    kind, for ALL)."""
    if kind == ALL:
        for each in KINDS:
            await disable(uow, user, each)
        return
    await disable(uow, user, kind)
    for slot, at in enumerate(times, 1):
        await set_reminder(uow, user, kind, at, now, slot=slot)


# -------------------------------------------------------------------------------- deciding at tick time
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
    midnight = _local_instant(day + timedelta(days=1), time(0, 0), user.timezone)
    where = await progress.continue_from(uow, user, now)
    return Decision(True, "send", day, {"streak": s, "time_left": midnight - now, "continue_from": where})


def advance(reminder: Reminder, user: User, now: datetime) -> None:
    """Move the reminder to its next local occurrence after the one just handled (sent or skipped)."""
    after = max(now, reminder.next_due_at or now)
    reminder.next_due_at = next_due(reminder.local_time, user.timezone, after, _weekday(reminder.kind))
