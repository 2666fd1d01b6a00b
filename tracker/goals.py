"""Goals: a daily amount or a khatm by a date, surah habits, today's target and today's portion.

A khatm-by-date goal splits what is left of the khatm (as it stood this morning) evenly over the days left,
today included; reading more or less today changes tomorrow's share, which is the daily rebalancing.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from quran import (
    JUZ_COUNT,
    PAGE_COUNT,
    TOTAL_AYAHS,
    Ayah,
    Span,
    juz_of,
    juz_span,
    page_of,
    page_span,
    surah_span,
)
from quran.digits import TO_ASCII
from storage import UnitOfWork
from storage.models import Goal, User
from tracker import arguments, coverage, hijri, reminders
from tracker.clock import local_date
from tracker.progress import continue_point, new_in
from tracker.text import is_off_word

UNITS = ("ayahs", "pages", "juz", "minutes")  # minutes: time read (tracker.minutes), Quran.com's unit
FRIDAY = 4
PRESETS = ("ramadan", "month", "juz1", "pages2", "mulk", "kahf")
RAMADAN_OFFER_DAYS = 14  # the Ramadan plan is offered this many days ahead, and all through Ramadan
AYAHS_PER_PAGE = TOTAL_AYAHS / PAGE_COUNT
_UNIT_SPAN = {"pages": page_span, "juz": juz_span}
_UNIT_OF = {"pages": page_of, "juz": juz_of}
_UNIT_MAX = {"pages": PAGE_COUNT, "juz": JUZ_COUNT}


def amount_in(ranges: list[tuple[int, int]], unit: str) -> float:
    """How much of `unit` these readings are: ayahs counted, pages and juz as exact fractions."""
    if unit == "ayahs":
        return float(sum(b - a + 1 for a, b in ranges))
    unit_of, unit_span = _UNIT_OF[unit], _UNIT_SPAN[unit]
    total = 0.0
    for a, b in ranges:
        for n in range(unit_of(a), unit_of(b) + 1):
            span = unit_span(n)
            overlap = min(b, span.last_index) - max(a, span.first_index) + 1
            total += overlap / span.count
    return total


# ---------------------------------------------------------------------------------------- setting goals
@dataclass(frozen=True)
class GoalSpec:
    kind: str  # ayahs | pages | juz | khatm_by
    amount: int | None = None
    target_date: date | None = None


_DAILY_PRESETS = {"juz1": GoalSpec("juz", 1), "pages2": GoalSpec("pages", 2)}


class GoalError(ValueError):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


_UNIT_WORDS = {
    "ayahs": ("ayah", "ayahs", "ayat", "aya", "ayas", "verse", "verses", "آية", "آيات", "ايات", "اية"),
    "pages": ("page", "pages", "p", "pg", "صفحة", "صفحات", "ص"),
    "juz": ("juz", "juzz", "juz'", "ajza", "para", "paras", "جزء", "أجزاء", "اجزاء"),
    "minutes": ("minute", "minutes", "min", "mins", "دقيقة", "دقائق", "دقيقه"),
}
_WORD_UNIT = {w: unit for unit, words in _UNIT_WORDS.items() for w in words}


def is_clear_request(text: str) -> bool:
    """ "/goal off" (or none, clear, stop, إيقاف, إلغاء): the user wants no goal."""
    return is_off_word(arguments.normalise(text, arguments.GOAL_WORDS))  # Arabic words as English


def parse_goal(text: str, today: date) -> GoalSpec:
    """ "2 pages", "1 juz a day", "20 ayahs", "khatm by 2027-01-31", "khatm in 60 days"."""
    text = arguments.normalise(text, arguments.GOAL_WORDS)  # صفحتين, ختمة خلال ٦٠ يومًا (tracker/arguments)
    t = unicodedata.normalize("NFKC", text).translate(TO_ASCII).lower().strip()
    m = re.search(r"(\d{4})-(\d{1,2})-(\d{1,2})", t)
    if m:
        try:
            target = date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            raise GoalError("bad_date") from None
        if target < today:
            raise GoalError("date_passed")
        return GoalSpec("khatm_by", target_date=target)
    m = re.search(r"(?:in|within|خلال|في)\s*(\d{1,4})\s*(?:days?|d|يوم|أيام|ايام)", t)
    if m:
        days = int(m[1])
        if not 1 <= days <= 3650:
            raise GoalError("bad_days")
        return GoalSpec("khatm_by", target_date=today + timedelta(days=days - 1))
    words = re.findall(r"[^\W\d]+'?", t)
    number = re.search(r"\d{1,4}", t)
    unit = next((_WORD_UNIT[w] for w in words if w in _WORD_UNIT), None)
    if unit is None:
        raise GoalError("not_understood")
    amount = int(number.group()) if number else 1
    limits = {"ayahs": TOTAL_AYAHS, "pages": PAGE_COUNT, "juz": JUZ_COUNT, "minutes": 1440}
    if not 1 <= amount <= limits[unit]:
        raise GoalError("bad_amount")
    return GoalSpec(unit, amount=amount)


async def set_goal(
    uow: UnitOfWork, user: User, spec: GoalSpec, now: datetime, preset: str | None = None
) -> Goal:
    goal = Goal(
        user_id=user.id,
        kind=spec.kind,
        amount=spec.amount,
        target_date=spec.target_date,
        preset=preset,
        started_on=local_date(now, user.timezone),
        created_at=now,
    )
    return await uow.goals.replace_main(goal)


def ramadan_open(today: date) -> bool:
    """The Ramadan plan is offered (and accepted) from RAMADAN_OFFER_DAYS before 1 Ramadan to its last
    day, by the Umm al-Qura calendar; never outside that window (nor outside the calendar's range)."""
    try:
        return hijri.days_until_ramadan(today) <= RAMADAN_OFFER_DAYS
    except ValueError:
        return False


async def apply_preset(uow: UnitOfWork, user: User, preset: str, now: datetime) -> Goal:
    """A main-goal preset replaces the main goal; a habit preset (mulk, kahf) is added beside it.
    The Ramadan plan is a khatm by Ramadan's last day, and only inside `ramadan_open`'s window."""
    today = local_date(now, user.timezone)
    if preset == "ramadan":
        if not ramadan_open(today):
            raise GoalError("ramadan_closed")
        target = hijri.ramadan_end(today)
        return await set_goal(uow, user, GoalSpec("khatm_by", target_date=target), now, preset=preset)
    if preset == "month":  # a khatm in 30 days: a juz a day
        target = today + timedelta(days=29)
        return await set_goal(uow, user, GoalSpec("khatm_by", target_date=target), now, preset=preset)
    if preset in _DAILY_PRESETS:
        return await set_goal(uow, user, _DAILY_PRESETS[preset], now, preset=preset)
    if preset in ("mulk", "kahf"):
        number, weekday = (67, None) if preset == "mulk" else (18, FRIDAY)
        goal = await uow.goals.set_habit(
            Goal(
                user_id=user.id,
                kind="surah",
                amount=number,
                weekday=weekday,
                preset=preset,
                started_on=today,
                created_at=now,
            )
        )
        if preset == "kahf":  # the Friday reminder comes with the habit
            await reminders.set_reminder(uow, user, "kahf", reminders.DEFAULT_KAHF_TIME, now)
        return goal
    raise ValueError(f"unknown preset {preset!r}")


HABIT_PRESETS = {"mulk": 67, "kahf": 18}  # preset -> surah


async def toggle_habit(uow: UnitOfWork, user: User, preset: str, now: datetime) -> bool:
    """A habit preset is a switch: pressing it adds the habit, pressing it again removes that habit
    alone (Al-Kahf's Friday reminder goes with it). -> whether the habit is on now."""
    surah = HABIT_PRESETS[preset]
    if await uow.goals.remove_habit(user.id, surah):
        if preset == "kahf":
            await reminders.disable(uow, user, "kahf")
        return False
    await apply_preset(uow, user, preset, now)
    return True


async def clear_goals(uow: UnitOfWork, user: User) -> int:
    return await uow.goals.clear(user.id)


# -------------------------------------------------------------------------------------------- today
@dataclass(frozen=True)
class Habit:
    surah: int
    weekday: int | None
    due_today: bool
    done_today: bool


@dataclass(frozen=True)
class Today:
    """Where the user stands against their goals on their local today."""

    today: date
    goal: Goal | None
    unit: str | None = None  # the unit target/done are in
    target: float = 0.0
    done: float = 0.0
    days_left: int | None = None  # khatm_by: days left, today included (<= 0: past the deadline)
    achieved: bool = False  # khatm_by: the khatm was completed since the goal was set
    portion: Span | None = None  # what to read next to meet today's target
    habits: list[Habit] = field(default_factory=list)

    @property
    def left(self) -> float:
        return max(0.0, self.target - self.done)

    @property
    def met(self) -> bool:
        return self.goal is not None and (self.achieved or self.left <= 1e-9)

    @property
    def behind(self) -> bool:
        return self.days_left is not None and self.days_left <= 0 and not self.achieved


def portion_from(start: Ayah, unit: str, amount: float) -> Span:
    """A concrete range from `start` that is `amount` of `unit` (as `amount_in` measures it), ending where
    a reader stops: the end of a page (or of the unit, if that comes first), never past An-Naas.

    Starting mid-juz, "1 juz" runs past the end of this juz into the next, by the fraction still owed.
    """
    first = start.index
    if unit == "ayahs":
        last = min(TOTAL_AYAHS, first + max(1, math.ceil(amount)) - 1)
        last = page_span(page_of(last)).last_index if amount >= AYAHS_PER_PAGE else last
        return Span.from_indices(first, last)
    left, position, last = max(amount, 1e-9), first, first
    unit_of, unit_span = _UNIT_OF[unit], _UNIT_SPAN[unit]
    while position <= TOTAL_AYAHS and left > 1e-9:
        span = unit_span(unit_of(position))
        here = (span.last_index - position + 1) / span.count  # what reading to this unit's end is worth
        if left <= here + 1e-9:
            last = position + math.ceil(left * span.count - 1e-9) - 1
            last = min(page_span(page_of(last)).last_index, span.last_index)
            break
        left -= here
        last, position = span.last_index, span.last_index + 1
    return Span.from_indices(first, max(first, min(last, TOTAL_AYAHS)))


async def today_for(uow: UnitOfWork, user: User, now: datetime) -> Today:
    return (await today_for_many(uow, [user], now))[user.id]


async def today_for_many(uow: UnitOfWork, users: list[User], now: datetime) -> dict[int, Today]:
    """Today for many users in a fixed number of queries (the scheduler decides 500 at a time)."""
    if not users:
        return {}
    ids = [u.id for u in users]
    todays = {u.id: local_date(now, u.timezone) for u in users}
    main: dict[int, Goal] = {}
    habit_goals: dict[int, list[Goal]] = defaultdict(list)
    for g in await uow.goals.for_users(ids):
        if g.kind == "surah":
            habit_goals[g.user_id].append(g)
        else:
            main[g.user_id] = g
    todays_ranges: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for user_id, day, a, b in await uow.readings.days_since(ids, min(todays.values())):
        if day == todays[user_id]:
            todays_ranges[user_id].append((a, b))
    minute_users = {u.id: todays[u.id] for u in users if u.id in main and main[u.id].kind == "minutes"}
    minutes_today = await uow.minutes.on_days(minute_users) if minute_users else {}
    with_goal = [u for u in users if u.id in main]
    khatms = await uow.khatms.open_for_many([u.id for u in with_goal]) if with_goal else {}
    # Coverage comes from the khatm row and the continue point from each user's latest reading; a
    # khatm_by deadline needs what was covered before today: the coverage less what readings dated today
    # or later added (the same bounded query as the pace, from today on), never the khatm's history.
    last_ends = await uow.readings.latest_ends([u.id for u in with_goal]) if with_goal else {}
    by_date = [
        (uid, k.id, todays[uid], date.max) for uid, k in khatms.items() if main[uid].kind == "khatm_by"
    ]
    since_today = await uow.readings.windows(by_date)
    deadline_users = [u.id for u in with_goal if main[u.id].kind == "khatm_by"]
    completed = await uow.khatms.completed_for_many(deadline_users) if deadline_users else {}
    result = {}
    for user in users:
        khatm = khatms.get(user.id)
        mask = coverage.from_bytes(khatm.coverage) if khatm else 0
        since = since_today.get(khatm.id) if khatm else None
        result[user.id] = _today(
            user,
            todays[user.id],
            main.get(user.id),
            habit_goals[user.id],
            todays_ranges[user.id],
            mask.bit_count() - new_in(since) if since else 0,
            completed.get(user.id, []),
            coverage.intervals_of(mask),
            _last_end(last_ends.get(user.id), khatm),
            minutes_today.get(user.id, 0),
        )
    return result


def _last_end(latest: tuple[int, int] | None, khatm) -> int | None:
    """Where the latest reading ended, if it belongs to the open khatm (as /progress has it)."""
    return latest[1] if latest and khatm is not None and latest[0] == khatm.id else None


def _today(
    user: User,
    today: date,
    goal: Goal | None,
    habit_goals: list[Goal],
    todays: list[tuple[int, int]],
    covered_before_today: int,
    completed: list[datetime],
    merged_now: list[coverage.Interval],
    last_end: int | None,
    minutes_today: int = 0,
) -> Today:
    """The rule itself, on loaded data: target, done, what is left and the portion to read next.
    `covered_before_today`: ayahs of the open khatm covered by its readings dated before today (khatm_by
    only)."""
    covered_today = coverage.merge(todays)
    habits = [
        Habit(
            g.amount,
            g.weekday,
            g.weekday is None or g.weekday == today.weekday(),
            coverage.contains(
                covered_today, surah_span(g.amount).first_index, surah_span(g.amount).last_index
            ),
        )
        for g in sorted(habit_goals, key=lambda g: g.amount)
    ]
    if goal is None:
        return Today(today, None, habits=habits)
    start = continue_point(merged_now, last_end) or Ayah(1, 1)
    if goal.kind == "khatm_by":
        achieved = any(local_date(at, user.timezone) >= goal.started_on for at in completed)
        remaining = TOTAL_AYAHS - covered_before_today
        days_left = (goal.target_date - today).days + 1
        target = float(remaining if days_left <= 0 else math.ceil(remaining / days_left))
        done = float(coverage.covered_count(merged_now) - covered_before_today)
        result = Today(today, goal, "ayahs", target, done, days_left, achieved, habits=habits)
    elif goal.kind == "minutes":  # time, not ayahs: no portion to compute, a page from where they are
        result = Today(today, goal, "minutes", float(goal.amount), float(minutes_today), habits=habits)
        if not result.met:
            result = replace(result, portion=unread_part(portion_from(start, "pages", 1), merged_now))
        return result
    else:
        result = Today(
            today, goal, goal.kind, float(goal.amount), amount_in(todays, goal.kind), habits=habits
        )
    if not result.met:
        portion = unread_part(portion_from(start, result.unit, result.left), merged_now)
        result = replace(result, portion=portion)
    return result


def unread_part(portion: Span, merged: list[coverage.Interval]) -> Span:
    """The portion up to the first ayah of it already read in the khatm: today's portion is new reading,
    never a re-read (its first ayah is unread: it starts at the continue point)."""
    for a, _ in merged:
        if portion.first_index < a <= portion.last_index:
            return Span.from_indices(portion.first_index, a - 1)
    return portion


def ramadan_offer(today: Today) -> int | None:
    """Days until Ramadan (0 during it) when the Ramadan plan should be offered; None otherwise."""
    if today.goal is not None and today.goal.preset == "ramadan":
        return None
    try:
        days = hijri.days_until_ramadan(today.today)
    except ValueError:
        return None
    return days if days <= RAMADAN_OFFER_DAYS else None
