"""Streaks on the user's local calendar, forgiving by design. Time is travelled, never slept."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from quran import juz_span
from storage.models import User
from tracker import readings, streaks
from tracker.clock import system_clock
from tracker.streaks import compute_streak

D = date(2026, 3, 1)


def days(*offsets: int) -> set[date]:
    return {D + timedelta(days=o) for o in offsets}


def test_consecutive_days_and_today_not_yet_read():
    s = compute_streak(days(0, 1, 2, 3), set(), D + timedelta(days=4), grace_per_week=0)
    assert (s.current, s.longest, s.read_today, s.at_risk) == (4, 4, False, True)
    s = compute_streak(days(0, 1, 2, 3, 4), set(), D + timedelta(days=4), grace_per_week=0)
    assert (s.current, s.read_today, s.at_risk) == (5, True, False)


def test_a_missed_day_breaks_without_grace_and_is_forgiven_with_it():
    read = days(0, 1, 2, 4, 5)  # day 3 missed
    assert compute_streak(read, set(), D + timedelta(days=5), 0).current == 2
    s = compute_streak(read, set(), D + timedelta(days=5), 1)
    assert (s.current, s.graced, s.grace_left) == (5, [D + timedelta(days=3)], 0)


def test_grace_is_exhausted_by_a_second_miss_within_seven_days_and_renews_after():
    read = days(0, 1, 3, 5, 6)  # days 2 and 4 missed: only one forgiven
    assert compute_streak(read, set(), D + timedelta(days=6), 1).current == 2
    read = days(0, 1, 3, 4, 5, 6, 7, 8, 9, 11, 12)  # misses 8 days apart: both forgiven
    s = compute_streak(read, set(), D + timedelta(days=12), 1)
    assert (s.current, len(s.graced)) == (11, 2)
    assert compute_streak(read, set(), D + timedelta(days=12), 1).grace_left == 0
    assert compute_streak(read, set(), D + timedelta(days=18), 1).current == 0  # long gone


def test_excused_days_pause_instead_of_break_and_do_not_count():
    read = days(0, 1, 5, 6)
    excused = days(2, 3, 4)  # travelling
    s = compute_streak(read, excused, D + timedelta(days=6), grace_per_week=0)
    assert (s.current, s.excused) == (4, sorted(excused))


def test_longest_streak_is_kept_after_a_break():
    read = days(*range(10), *range(20, 23))
    s = compute_streak(read, set(), D + timedelta(days=22), 0)
    assert (s.current, s.longest) == (3, 10)


def test_days_read_this_month():
    read = days(-3, -2, 0, 1, 2)  # two days in February
    assert compute_streak(read, set(), D + timedelta(days=2), 0).days_this_month == 3


async def _log_at(db, user_id: int, when: datetime) -> None:
    with time_machine.travel(when, tick=False):
        async with db.unit_of_work() as uow:
            user = await uow.users.get(user_id)
            await readings.log_reading(uow, user, [juz_span(1)], now=system_clock())


async def _streak_at(db, user_id: int, when: datetime) -> streaks.Streak:
    with time_machine.travel(when, tick=False):
        async with db.unit_of_work() as uow:
            return await streaks.streak_for(uow, await uow.users.get(user_id), system_clock())


@pytest.mark.parametrize(
    "timezone",
    [
        "Asia/Kolkata",  # +5:30
        "Asia/Kathmandu",  # +5:45
        "Pacific/Kiritimati",  # +14: its day starts before anyone else's
        "Pacific/Pago_Pago",  # −11: local dates one behind UTC for most of the day
        "America/New_York",  # −4 after the DST change of 8 March 2026
    ],
)
async def test_streak_across_local_midnight_in_several_timezones(db, timezone):
    zone = ZoneInfo(timezone)

    def local(day: int, hour: int, minute: int = 0) -> datetime:
        return datetime(2026, 3, day, hour, minute, tzinfo=zone).astimezone(UTC)

    async with db.unit_of_work() as uow:
        await uow.users.add(
            User(id=1, timezone=timezone, grace_days_per_week=0, created_at=datetime(2026, 1, 1, tzinfo=UTC))
        )
    # An hour apart, either side of the user's midnight: two local days, whatever the UTC date says.
    await _log_at(db, 1, local(10, 23, 30))
    await _log_at(db, 1, local(11, 0, 30))
    s = await _streak_at(db, 1, local(11, 0, 35))
    assert (s.current, s.read_today) == (2, True)
    # 12 March passes with no reading: during it the streak is at risk, not yet broken...
    s = await _streak_at(db, 1, local(12, 23, 59))
    assert (s.current, s.at_risk) == (2, True)
    # ...and a minute after the local midnight that ends it, it is broken (no grace).
    s = await _streak_at(db, 1, local(13, 0, 1))
    assert (s.current, s.longest) == (0, 2)


async def test_changing_timezone_does_not_rewrite_past_days(db):
    async with db.unit_of_work() as uow:
        await uow.users.add(
            User(
                id=2,
                timezone="Asia/Tokyo",
                grace_days_per_week=0,
                created_at=datetime(2026, 1, 1, tzinfo=UTC),
            )
        )
    await _log_at(db, 2, datetime(2026, 3, 9, 16, 0, tzinfo=UTC))  # 10 March 01:00 in Tokyo
    async with db.unit_of_work() as uow:
        (await uow.users.get(2)).timezone = "America/Los_Angeles"  # moves west, 17 hours back
    await _log_at(db, 2, datetime(2026, 3, 11, 16, 0, tzinfo=UTC))  # 11 March 09:00 in LA
    async with db.unit_of_work() as uow:
        assert await uow.readings.days_read(2) == {date(2026, 3, 10), date(2026, 3, 11)}
    s = await _streak_at(db, 2, datetime(2026, 3, 11, 18, 0, tzinfo=UTC))
    assert s.current == 2


async def test_excusing_a_day_through_the_rule(db):
    async with db.unit_of_work() as uow:
        user = await uow.users.add(
            User(id=3, grace_days_per_week=0, created_at=datetime(2026, 1, 1, tzinfo=UTC))
        )
        assert await streaks.excuse_day(uow, user, date(2026, 3, 2), "illness") is True
        assert await streaks.excuse_day(uow, user, date(2026, 3, 2), "travel") is False
        with pytest.raises(ValueError):
            await streaks.excuse_day(uow, user, date(2026, 3, 3), "lazy")
    await _log_at(db, 3, datetime(2026, 3, 1, 12, tzinfo=UTC))
    await _log_at(db, 3, datetime(2026, 3, 3, 12, tzinfo=UTC))
    assert (await _streak_at(db, 3, datetime(2026, 3, 3, 13, tzinfo=UTC))).current == 2


async def test_only_today_or_yesterday_can_be_excused_and_in_the_users_calendar(db):
    async with db.unit_of_work() as uow:
        user = await uow.users.add(
            User(id=4, timezone="Pacific/Kiritimati", created_at=datetime(2026, 1, 1, tzinfo=UTC))
        )
        now = datetime(2026, 3, 10, 11, 0, tzinfo=UTC)  # already 11 March in Kiritimati
        assert await streaks.excuse_recent(uow, user, 0, "travel", now) == date(2026, 3, 11)
        assert await streaks.excuse_recent(uow, user, 1, "travel", now) == date(2026, 3, 10)
        with pytest.raises(ValueError):
            await streaks.excuse_recent(uow, user, 5, "travel", now)
        assert await uow.excused.days(4) == {date(2026, 3, 10), date(2026, 3, 11)}
