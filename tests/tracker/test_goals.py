"""Goals: today's target, rebalancing a khatm deadline over a simulated month, presets, habits."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from quran import TOTAL_AYAHS, Ayah, Span, juz_span, page_of, page_span, surah_span
from tests.harness import make_user
from tracker import goals, readings
from tracker.clock import system_clock
from tracker.goals import GoalError, GoalSpec, amount_in, parse_goal, portion_from

TODAY = date(2026, 3, 1)


@pytest.mark.parametrize(
    ("text", "spec"),
    [
        ("2 pages", GoalSpec("pages", 2)),
        ("2 pages a day", GoalSpec("pages", 2)),
        ("1 juz", GoalSpec("juz", 1)),
        ("juz", GoalSpec("juz", 1)),
        ("20 ayahs", GoalSpec("ayahs", 20)),
        ("١٠ صفحات", GoalSpec("pages", 10)),
        ("khatm by 2026-04-30", GoalSpec("khatm_by", target_date=date(2026, 4, 30))),
        ("khatm in 60 days", GoalSpec("khatm_by", target_date=date(2026, 4, 29))),
        ("ختمة خلال ٣٠ يوم", GoalSpec("khatm_by", target_date=date(2026, 3, 30))),
    ],
)
def test_parse_goal(text, spec):
    assert parse_goal(text, TODAY) == spec


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("lots", "not_understood"),
        ("700 pages", "bad_amount"),
        ("0 juz", "bad_amount"),
        ("khatm by 2026-02-01", "date_passed"),
        ("khatm by 2026-02-30", "bad_date"),
        ("khatm in 0 days", "bad_days"),
    ],
)
def test_parse_goal_errors(text, code):
    with pytest.raises(GoalError) as exc:
        parse_goal(text, TODAY)
    assert exc.value.code == code


def test_amounts_are_exact_fractions_of_pages_and_juz():
    p3 = page_span(3)
    assert amount_in([(p3.first_index, p3.last_index)], "pages") == 1.0
    half = p3.first_index + p3.count // 2 - 1
    assert amount_in([(p3.first_index, half)], "pages") == pytest.approx((p3.count // 2) / p3.count)
    j = juz_span(5)
    assert amount_in([(j.first_index, j.last_index)], "juz") == 1.0
    assert amount_in([(1, 7), (1, 7)], "ayahs") == 14.0  # repeats are activity


def test_portions_end_on_a_boundary():
    start = Ayah(18, 21)
    assert portion_from(start, "ayahs", 5) == Span(Ayah(18, 21), Ayah(18, 25))
    assert portion_from(start, "pages", 2).end == page_span(page_of(start.index) + 1).end
    assert portion_from(start, "pages", 1.5).end == page_span(page_of(start.index) + 1).end
    # 18:21 is in juz 15, which ends at 18:74: "1 juz" runs on into juz 16 by what is still owed,
    # to the end of a page, so it measures one juz within a page's worth.
    one_juz = portion_from(start, "juz", 1)
    assert one_juz.end > juz_span(15).end
    assert one_juz.end.index == page_span(page_of(one_juz.end.index)).last_index  # at a page's end
    assert 1 <= amount_in([(one_juz.first_index, one_juz.last_index)], "juz") < 1 + 1 / 19
    assert portion_from(juz_span(3).start, "juz", 1).end == juz_span(3).end  # from a juz start: that juz
    assert portion_from(start, "juz", 0.2).end < juz_span(15).end
    assert portion_from(Ayah(114, 1), "juz", 3).end == Ayah(114, 6)  # never past the end


async def _user(db, user_id=1, timezone="UTC") -> None:
    async with db.unit_of_work() as uow:
        await make_user(uow, user_id, at=datetime(2026, 1, 1, tzinfo=UTC), timezone=timezone)


async def _at(db, when: datetime, fn):
    with time_machine.travel(when, tick=False):
        async with db.unit_of_work() as uow:
            user = await uow.users.get(1)
            return await fn(uow, user, system_clock())


async def test_daily_pages_target_and_what_is_left(db):
    await _user(db)
    noon = datetime(2026, 3, 1, 12, tzinfo=UTC)
    await _at(db, noon, lambda uow, u, now: goals.set_goal(uow, u, GoalSpec("pages", 2), now))
    t = await _at(db, noon, goals.today_for)
    assert (t.unit, t.target, t.done, t.met) == ("pages", 2.0, 0.0, False)
    assert t.portion == Span(page_span(1).start, page_span(2).end)
    p1 = page_span(1)
    await _at(db, noon, lambda uow, u, now: readings.log_reading(uow, u, [p1], now=now))
    t = await _at(db, noon, goals.today_for)
    assert (t.done, t.left) == (1.0, 1.0)
    assert t.portion == page_span(2)
    await _at(db, noon, lambda uow, u, now: readings.log_reading(uow, u, [page_span(2)], now=now))
    t = await _at(db, noon, goals.today_for)
    assert t.met and t.portion is None
    t = await _at(db, noon + timedelta(days=1), goals.today_for)  # a new day, a new target
    assert (t.done, t.met) == (0.0, False)


async def test_khatm_deadline_rebalances_over_a_month_of_uneven_reading(db):
    """30 days to finish. Read nothing for 3 days, then double, then a little: each morning the target
    is what is left divided by the days left, today included."""
    await _user(db, timezone="Asia/Karachi")
    start = datetime(2026, 3, 1, 4, tzinfo=UTC)  # 09:00 in Karachi
    await _at(db, start, lambda uow, u, now: goals.apply_preset(uow, u, "month", now))
    position = 1
    targets = []
    plan = [0, 0, 0] + [2] * 10 + [1] * 5 + [0.5] * 5  # shares of that day's target
    for day, share in enumerate(plan):
        now = start + timedelta(days=day)
        t = await _at(db, now, goals.today_for)
        days_left = 30 - day
        assert t.days_left == days_left
        remaining = TOTAL_AYAHS - (position - 1)
        assert t.target == math.ceil(remaining / days_left), f"day {day}"
        targets.append(t.target)
        amount = min(int(t.target * share), TOTAL_AYAHS - position + 1)
        if amount:
            span = Span.from_indices(position, position + amount - 1)
            await _at(db, now, lambda uow, u, n, span=span: readings.log_reading(uow, u, [span], now=n))
            position += amount
            t = await _at(db, now, goals.today_for)
            assert t.met == (share >= 1)
    assert targets[0] == math.ceil(TOTAL_AYAHS / 30)  # a juz a day, roughly
    assert targets[3] > targets[2] > targets[1] > targets[0]  # idle days push it up
    assert targets[13] < targets[3]  # reading double brings it down
    assert targets[17] == targets[14]  # on target: it holds steady
    assert targets[19] > targets[18]  # half a day pushes it up again


async def test_finishing_early_achieves_the_goal(db):
    await _user(db)
    now = datetime(2026, 3, 1, 12, tzinfo=UTC)
    await _at(db, now, lambda uow, u, n: goals.apply_preset(uow, u, "ramadan", n))
    await _at(
        db,
        now + timedelta(days=5),
        lambda uow, u, n: readings.log_reading(uow, u, [Span.from_indices(1, TOTAL_AYAHS)], now=n),
    )
    t = await _at(db, now + timedelta(days=6), goals.today_for)
    assert t.achieved and t.met and not t.behind


async def test_past_the_deadline_everything_left_is_due(db):
    await _user(db)
    now = datetime(2026, 3, 1, 12, tzinfo=UTC)
    await _at(
        db,
        now,
        lambda uow, u, n: goals.set_goal(uow, u, GoalSpec("khatm_by", target_date=date(2026, 3, 5)), n),
    )
    t = await _at(db, now + timedelta(days=10), goals.today_for)
    assert t.behind and t.days_left == -5 and t.target == TOTAL_AYAHS


async def test_habit_presets_mulk_every_night_and_kahf_on_fridays(db):
    await _user(db)
    friday = datetime(2026, 3, 6, 12, tzinfo=UTC)
    assert friday.weekday() == 4
    for preset in ("mulk", "kahf"):
        await _at(db, friday, lambda uow, u, n, p=preset: goals.apply_preset(uow, u, p, n))
    t = await _at(db, friday, goals.today_for)
    assert [(h.surah, h.due_today, h.done_today) for h in t.habits] == [(18, True, False), (67, True, False)]
    await _at(db, friday, lambda uow, u, n: readings.log_reading(uow, u, [surah_span(18)], now=n))
    t = await _at(db, friday, goals.today_for)
    assert [(h.surah, h.done_today) for h in t.habits] == [(18, True), (67, False)]
    t = await _at(db, friday + timedelta(days=1), goals.today_for)
    assert [(h.surah, h.due_today) for h in t.habits] == [(18, False), (67, True)]
    assert t.goal is None  # habits are not a main goal
