"""Reminders: when each one is next due (in UTC, from the user's local time). Whether a due one is sent
is decided at tick time, in tracker.deciding.

`next_due_at` is stored so the scheduler's tick is one indexed query. It is recomputed with `zoneinfo`
after each send and whenever the time or the user's timezone changes, so DST and moves are right:
- a local time that does not exist (the spring-forward gap) is sent just after the gap;
- a local time that happens twice (fall-back) is sent at its first occurrence, once: the delivery key
  (user, kind, slot, local date) cannot be claimed twice.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

from quran.digits import to_ascii_digits
from storage import UnitOfWork
from storage.models import Reminder, User
from tracker import arguments
from tracker.clock import local_date, zone
from tracker.text import is_off_word

KINDS = ("daily", "streak", "kahf", "weekly")
DEFAULT_STREAK_TIME = time(21, 0)
DEFAULT_KAHF_TIME = time(9, 0)
DEFAULT_WEEKLY_TIME = time(9, 0)
FRIDAY = 4
MONDAY = 0  # the week starts on Monday (what Babel's CLDR data gives for both our languages)


def local_instant(day: date, at: time, timezone: str) -> datetime:
    """The UTC instant of `at` on local `day`. In a DST gap, the wall time does not exist: Python's
    zoneinfo reads it with the offset before the gap, which lands just after the gap (01:30 -> 02:30)."""
    return datetime.combine(day, at, tzinfo=zone(timezone)).astimezone(UTC)


def next_due(at: time, timezone: str, after: datetime, weekday: int | None = None) -> datetime:
    """The first instant strictly after `after` when it is `at` o'clock locally (on `weekday`, if given)."""
    day = local_date(after, timezone) - timedelta(days=1)  # yesterday's slot may still be ahead in UTC
    for _ in range(16):
        if weekday is None or day.weekday() == weekday:
            instant = local_instant(day, at, timezone)
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


def parse_time(text: str) -> time | None:
    """ "7:30", "07:30", "21", "9pm", "9:15 am", "٧:٣٠" -> a local time; None if it isn't one."""
    m = _TIME.match(to_ascii_digits(text))
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


ALL = "all"  # "/remind off": every kind at once


def parse_request(words: list[str]) -> tuple[str, list[time]]:
    """ "/remind 07:30 21:00", "/remind streak 22:00", "/remind kahf off" -> (kind, times); no times = off.
    "/remind off" alone is every reminder (kind ALL); "/remind daily off" only the daily one.

    ValueError when the times can't be read, or there are too many for the kind.
    """
    words = arguments.normalise_words(words, arguments.REMIND_WORDS)  # الكهف, إيقاف (tracker/arguments)
    words = [w.lower() for w in words]
    if len(words) == 1 and is_off_word(words[0]):
        return ALL, []
    named = bool(words) and words[0] in KINDS
    kind = words[0] if named else "daily"
    values = words[1:] if named else words
    if len(values) == 1 and is_off_word(values[0]):
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


def advance(reminder: Reminder, user: User, now: datetime) -> None:
    """Move the reminder to its next local occurrence after the one just handled (sent or skipped)."""
    after = max(now, reminder.next_due_at or now)
    reminder.next_due_at = next_due(reminder.local_time, user.timezone, after, _weekday(reminder.kind))
