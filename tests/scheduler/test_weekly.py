"""Weekly summaries: in private on Monday morning (opt-out), and a digest with the board in each circle."""

from __future__ import annotations

from datetime import UTC, datetime

import time_machine

from bot.nudges import make_scheduler
from quran import page_span
from storage.models import User
from tests.scheduler.conftest import tick_at
from tracker import circles, readings, reminders
from tracker.clock import system_clock


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


async def _reader(c, user_id: int, name: str, days: range, *, timezone: str = "UTC") -> None:
    """A reader made in the database who started the bot (in the fake) and read on `days` of March."""
    c.fake.start_chat(user_id)
    db = c.db
    start = utc(2026, 3, 1, 8)
    with time_machine.travel(start, tick=False):
        async with db.unit_of_work() as uow:
            user = await uow.users.add(User(id=user_id, first_name=name, timezone=timezone, created_at=start))
            await reminders.ensure_defaults(uow, user, system_clock())  # what onboarding turns on
    for day in days:
        with time_machine.travel(utc(2026, 3, day, 8), tick=False):
            async with db.unit_of_work() as uow:
                await readings.log_reading(
                    uow, await uow.users.get(user_id), [page_span(day)], now=system_clock()
                )


async def test_weekly_summary_on_monday_morning_with_a_chart_button(conversation):
    c = conversation
    await _reader(c, 1, "Aisha", range(2, 9))  # Monday 2 .. Sunday 8 March
    scheduler = make_scheduler(c.app, c.db, system_clock)
    await tick_at(scheduler, utc(2026, 3, 8, 21))  # Sunday evening: the streak is safe
    report = await tick_at(scheduler, utc(2026, 3, 9, 9, 0))  # Monday 09:00
    assert report.sent == 1
    [summary] = [m for m in c.fake.sent_messages(1) if "Your week" in m.plain_text]
    assert summary.plain_text == (
        "🗓 Your week: 7 pages over 7 days. 🔥 Streak: 7 days.\n➡️ Continue from Al-Baqara 58."
    )  # page 8 ends at 2:57
    assert summary.buttons == [[("📊 See the charts", "stats:show")]]
    c.clock.set(utc(2026, 3, 9, 9, 5))
    before = len(c.fake.calls)
    await c.press(1, "See the charts")
    assert [call.method for call in c.fake.calls[before:]].count("sendPhoto") == 2
    assert (await tick_at(scheduler, utc(2026, 3, 9, 9, 1))).sent == 0  # once


async def test_no_weekly_summary_for_the_lapsed_or_those_who_turned_it_off(conversation):
    c = conversation
    await _reader(c, 2, "Omar", range(2, 3))
    await _reader(c, 3, "Maryam", range(2, 9))
    with time_machine.travel(utc(2026, 3, 5), tick=False):
        async with c.db.unit_of_work() as uow:
            await reminders.disable(uow, await uow.users.get(3), "weekly")
    scheduler = make_scheduler(c.app, c.db, system_clock)
    await tick_at(scheduler, utc(2026, 4, 5, 22))  # the bot was down; it catches up
    report = await tick_at(scheduler, utc(2026, 4, 6, 9, 0))  # a month later, Monday
    assert report.sent == 0 and report.skipped["lapsed"] >= 1
    assert not [m for m in c.fake.sent_messages(3) if "Your week" in m.plain_text]


async def test_each_circle_gets_one_digest_with_the_board_as_a_picture(conversation):
    c = conversation
    await _reader(c, 4, "Aisha", range(2, 9))
    await _reader(c, 5, "عمر", range(5, 9))
    with time_machine.travel(utc(2026, 3, 1, 9), tick=False):
        async with c.db.unit_of_work() as uow:
            aisha, omar = await uow.users.get(4), await uow.users.get(5)
            circle, _ = await circles.create_circle(uow, -1001, "Family", aisha, system_clock())
            await circles.join(uow, circle, omar, system_clock())
            await circles.start_round(uow, circle, system_clock())
            for user in (aisha, omar):  # no other nudges in the way
                await reminders.disable(uow, user, "weekly")
                await reminders.disable(uow, user, "streak")
    scheduler = make_scheduler(c.app, c.db, system_clock)
    assert (await tick_at(scheduler, utc(2026, 3, 9, 8, 59))).sent == 0
    assert (await tick_at(scheduler, utc(2026, 3, 9, 9, 0))).sent == 1
    [digest] = c.fake.sent_messages(-1001)
    assert digest.plain_text.startswith("🗓 This week in the circle\n")
    assert "Khatm round 1" in digest.plain_text
    assert digest.photo is not None and digest.photo[:8] == b"\x89PNG\r\n\x1a\n"
    assert (await tick_at(scheduler, utc(2026, 3, 9, 10, 0))).sent == 0  # once a week
    assert (await tick_at(scheduler, utc(2026, 3, 16, 9, 30))).sent == 1  # next Monday


async def test_a_circles_digest_goes_to_its_forum_topic_and_to_general_once_that_is_gone(conversation):
    c = conversation
    await _reader(c, 6, "Aisha", range(2, 9))
    c.fake.add_topic(-1002, 77)
    with time_machine.travel(utc(2026, 3, 1, 9), tick=False):
        async with c.db.unit_of_work() as uow:
            aisha = await uow.users.get(6)
            circle, _ = await circles.create_circle(uow, -1002, "Family", aisha, system_clock())
            circles.live_in_topic(circle, 77)
            for kind in ("weekly", "streak"):
                await reminders.disable(uow, aisha, kind)
    scheduler = make_scheduler(c.app, c.db, system_clock)
    assert (await tick_at(scheduler, utc(2026, 3, 9, 9, 0))).sent == 1
    [call] = [call for call in c.fake.calls if call.method == "sendPhoto"]
    assert call.ok and call.params["message_thread_id"] == 77
    c.fake.delete_topic(-1002, 77)
    before = len(c.fake.calls)
    assert (await tick_at(scheduler, utc(2026, 3, 16, 9, 0))).sent == 1
    # A quiet week: no board to draw, the digest is text.
    sends = [call for call in c.fake.calls[before:] if call.method in ("sendPhoto", "sendMessage")]
    assert [(s.ok, s.params.get("message_thread_id")) for s in sends] == [(False, 77), (True, None)]
    assert "message thread not found" in sends[0].error
