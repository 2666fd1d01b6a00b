"""The minute tick end to end: real Application, fake Bot API, Postgres, travelled time, no sleeping."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, time, timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from bot.nudges import render
from bot.outbox import Outbox
from fake_telegram import FakeBotAPI
from quran import page_span, surah_span
from scheduler import ReminderScheduler
from storage import Database
from storage.models import Delivery
from tests.scheduler.conftest import add_user, tick_at
from tracker import goals, readings, users
from tracker.clock import system_clock


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def texts(fake: FakeBotAPI, chat_id: int) -> list[str]:
    return [m.plain_text for m in fake.sent_messages(chat_id)]


@pytest.mark.parametrize(
    ("timezone", "due"),
    [
        ("Asia/Kolkata", utc(2026, 3, 10, 2, 0)),
        ("Asia/Kathmandu", utc(2026, 3, 10, 1, 45)),
        ("Pacific/Kiritimati", utc(2026, 3, 9, 17, 30)),
        ("Pacific/Pago_Pago", utc(2026, 3, 10, 18, 30)),
    ],
)
async def test_daily_reminder_fires_at_the_right_utc_instant_once(conversation, scheduler, timezone, due):
    c = conversation
    await add_user(c, 1, timezone, due - timedelta(hours=20), daily=time(7, 30))
    assert (await tick_at(scheduler, due - timedelta(minutes=1))).sent == 0
    report = await tick_at(scheduler, due)
    assert (report.due, report.sent) == (1, 1)
    assert texts(c.fake, 1) == [
        "📖 A gentle reminder: time for your Quran today. Tell me what you read, or see /next."
    ]
    assert (await tick_at(scheduler, due + timedelta(minutes=1))).sent == 0  # never twice
    async with c.db.unit_of_work() as uow:
        [reminder] = await uow.reminders.for_user(1)
        assert reminder.next_due_at == due + timedelta(days=1)
        delivery = (await uow.session.execute(select(Delivery))).scalar_one()
        assert delivery.sent_at == due and delivery.error is None


@pytest.mark.parametrize(
    ("timezone", "first", "repeat"),
    [
        ("Europe/London", utc(2026, 10, 25, 0, 30), utc(2026, 10, 25, 1, 30)),
        ("America/New_York", utc(2026, 11, 1, 5, 30), utc(2026, 11, 1, 6, 30)),
    ],
)
async def test_0130_on_fall_back_day_is_sent_once(conversation, scheduler, timezone, first, repeat):
    c = conversation
    await add_user(c, 2, timezone, first - timedelta(hours=12), daily=time(1, 30))
    assert (await tick_at(scheduler, first)).sent == 1
    assert (await tick_at(scheduler, repeat)).sent == 0  # the second 01:30
    assert len(c.fake.sent_messages(2)) == 1


async def test_0130_on_spring_forward_day_is_sent_once_just_after_the_gap(conversation, scheduler):
    c = conversation
    await add_user(c, 3, "Europe/London", utc(2026, 3, 28, 12), daily=time(1, 30))
    assert (await tick_at(scheduler, utc(2026, 3, 29, 1, 29))).sent == 0
    assert (await tick_at(scheduler, utc(2026, 3, 29, 1, 30))).sent == 1  # 02:30 BST
    assert (await tick_at(scheduler, utc(2026, 3, 29, 2, 30))).sent == 0


async def test_a_timezone_change_mid_day_moves_the_reminder(conversation, scheduler):
    c = conversation
    await add_user(c, 4, "UTC", utc(2026, 3, 10, 6), daily=time(20, 0))
    with time_machine.travel(utc(2026, 3, 10, 10), tick=False):
        async with c.db.unit_of_work() as uow:
            await users.set_timezone(uow, await uow.users.get(4), "Asia/Kolkata", system_clock())
    assert (await tick_at(scheduler, utc(2026, 3, 10, 14, 29))).sent == 0
    assert (await tick_at(scheduler, utc(2026, 3, 10, 14, 30))).sent == 1  # 20:00 in Kolkata
    assert (await tick_at(scheduler, utc(2026, 3, 10, 20, 0))).sent == 0  # not at 20:00 UTC too


async def test_after_down_time_recent_nudges_are_sent_and_old_ones_skipped(conversation, scheduler):
    c = conversation
    created = utc(2026, 3, 9, 12)
    await add_user(c, 5, "UTC", created, daily=time(7, 0))  # 1.5 h late at 08:30: sent
    await add_user(c, 6, "UTC", created, daily=time(5, 0))  # 3.5 h late: skipped
    await add_user(c, 7, "Asia/Dubai", created, daily=time(23, 30))  # due 19:30 UTC 9 March...
    report = await tick_at(scheduler, utc(2026, 3, 10, 8, 30))  # ...the bot was down until now
    assert report.sent == 1 and report.skipped["late"] == 2
    assert texts(c.fake, 5) and not texts(c.fake, 6) and not texts(c.fake, 7)
    async with c.db.unit_of_work() as uow:  # moved on to their next day
        [r6] = await uow.reminders.for_user(6)
        assert r6.next_due_at == utc(2026, 3, 11, 5, 0)


async def test_a_late_nudge_whose_local_day_has_ended_is_skipped(conversation, scheduler):
    c = conversation
    await add_user(c, 8, "UTC", utc(2026, 3, 9, 12), daily=time(23, 30))
    report = await tick_at(scheduler, utc(2026, 3, 10, 0, 40))  # 70 min late, but a new day
    assert report.sent == 0 and report.skipped["day_over"] == 1


async def test_daily_reminder_gives_todays_portion_and_done_logs_exactly_it(conversation, scheduler):
    c = conversation
    await add_user(c, 9, "UTC", utc(2026, 3, 10, 6), daily=time(7, 0))
    with time_machine.travel(utc(2026, 3, 10, 6, 30), tick=False):
        async with c.db.unit_of_work() as uow:
            await goals.set_goal(uow, await uow.users.get(9), goals.GoalSpec("pages", 2), system_clock())
    await tick_at(scheduler, utc(2026, 3, 10, 7, 0))
    assert texts(c.fake, 9) == ["📖 Time for your Quran. Today: Al-Faatiha 1 – Al-Baqara 5 · 2 pages"]
    c.clock.set(utc(2026, 3, 10, 7, 5))
    replies = await c.press(9, "Done ✓")
    assert replies[0].startswith("✅ Al-Faatiha 1 – Al-Baqara 5 · 12 ayahs")
    [reading] = await c.readings(9)
    assert (reading.start_index, reading.end_index) == (page_span(1).first_index, page_span(2).last_index)


async def test_no_daily_reminder_once_todays_target_is_met(conversation, scheduler):
    c = conversation
    await add_user(c, 10, "UTC", utc(2026, 3, 10, 6), daily=time(20, 0))
    with time_machine.travel(utc(2026, 3, 10, 9), tick=False):
        async with c.db.unit_of_work() as uow:
            user = await uow.users.get(10)
            await goals.set_goal(uow, user, goals.GoalSpec("pages", 1), system_clock())
            await readings.log_reading(uow, user, [page_span(1)], now=system_clock())
    report = await tick_at(scheduler, utc(2026, 3, 10, 20, 0))
    assert report.sent == 0 and report.skipped["target_met"] == 1


async def test_streak_warning_with_time_left_and_quick_log_buttons(conversation, scheduler):
    c = conversation
    await add_user(c, 11, "Asia/Karachi", utc(2026, 3, 9, 17), streak=time(21, 0))  # 22:00 local
    await add_user(c, 12, "Asia/Karachi", utc(2026, 3, 9, 17), streak=time(21, 0))
    for day in (7, 8, 9):  # a 3-day streak for user 11
        with time_machine.travel(utc(2026, 3, day, 8), tick=False):
            async with c.db.unit_of_work() as uow:
                user = await uow.users.get(11)
                await readings.log_reading(uow, user, [surah_span(112)], now=system_clock())
    with time_machine.travel(utc(2026, 3, 9, 8), tick=False):  # user 12 has only 1 day
        async with c.db.unit_of_work() as uow:
            await readings.log_reading(uow, await uow.users.get(12), [surah_span(112)], now=system_clock())
    report = await tick_at(scheduler, utc(2026, 3, 10, 16, 0))  # 21:00 in Karachi, nothing today
    assert report.sent == 1 and report.skipped["no_streak"] == 1
    assert texts(c.fake, 11) == [
        "🔥 Your streak of 3 days ends in 3 h 0 min. Read anything to keep it — even one page:"
    ]
    assert [row[0][0] for row in c.fake.sent_messages(11)[0].buttons] == [
        "📖 Al-Falaq 1 – An-Naas 6",
        "Al-Ikhlaas",
        "Al-Asr",
    ]  # the next page, two short surahs
    c.clock.set(utc(2026, 3, 10, 16, 5))
    await c.press(11, "Al-Asr")
    assert (await c.readings(11))[-1].local_date.isoformat() == "2026-03-10"


async def test_friday_kahf_reminder_for_those_who_chose_it(conversation, scheduler):
    c = conversation
    await add_user(c, 13, "Africa/Cairo", utc(2026, 3, 9, 12))
    with time_machine.travel(utc(2026, 3, 9, 12), tick=False):
        async with c.db.unit_of_work() as uow:
            await goals.apply_preset(uow, await uow.users.get(13), "kahf", system_clock())
    assert (await tick_at(scheduler, utc(2026, 3, 12, 7, 0))).sent == 0  # Thursday
    assert (await tick_at(scheduler, utc(2026, 3, 13, 7, 0))).sent == 1  # Friday 09:00 Cairo
    assert texts(c.fake, 13) == ["🕌 Jumu'ah mubarak! Time for Surah Al-Kahf."]


async def test_429_is_waited_out_and_retried_once_403_marks_the_user_blocked(conversation, scheduler, sleeps):
    c = conversation
    due = utc(2026, 3, 10, 7, 0)
    await add_user(c, 14, "UTC", utc(2026, 3, 9, 12), daily=time(7, 0))
    await add_user(c, 15, "UTC", utc(2026, 3, 9, 12), daily=time(7, 0))
    c.fake.fail_next_rate_limited("sendMessage", retry_after=3)
    c.fake.block(15)
    report = await tick_at(scheduler, due)
    assert (report.sent, report.blocked) == (1, 1)
    assert sleeps.calls == [3.0]
    assert len(texts(c.fake, 14)) == 1
    assert (await c.user(15)).blocked_at == due
    # Blocked: nothing is sent (or even decided) for them until they write again.
    assert (await tick_at(scheduler, due + timedelta(days=1))).due == 1
    c.fake.unblock(15)
    c.clock.set(due + timedelta(days=1, hours=1))
    await c.send(15, "/help")
    assert (await c.user(15)).blocked_at is None


async def test_a_429_that_persists_fails_that_nudge_without_stopping_others(conversation, scheduler, sleeps):
    c = conversation
    await add_user(c, 16, "UTC", utc(2026, 3, 9, 12), daily=time(7, 0))
    c.fake.fail_next_rate_limited("sendMessage", retry_after=5, times=2)
    report = await tick_at(scheduler, utc(2026, 3, 10, 7, 0))
    assert (report.sent, report.failed, report.rate_limited) == (0, 1, 1)
    async with c.db.unit_of_work() as uow:
        delivery = (await uow.session.execute(select(Delivery))).scalar_one()
        assert delivery.sent_at is None and delivery.error.startswith("429")


async def test_two_schedulers_racing_on_one_postgres_send_each_nudge_once(conversation, pg_url):
    c = conversation
    due = utc(2026, 3, 10, 7, 0)
    for user_id in range(100, 300):
        await add_user(c, user_id, "UTC", utc(2026, 3, 9, 12), daily=time(7, 0))
    fakes, schedulers, dbs = [], [], []
    for _ in range(2):
        from telegram import Bot

        fake = FakeBotAPI()
        for user_id in range(100, 300):
            fake.start_chat(user_id)  # the same people, who started the bot, on either instance's Telegram
        bot = Bot("123456:RACE", request=fake, get_updates_request=fake)
        await bot.initialize()
        db = Database(pg_url)
        fakes.append(fake)
        dbs.append(db)
        schedulers.append(ReminderScheduler(db, Outbox(bot, db), render, clock=system_clock, batch_size=25))
    with time_machine.travel(due, tick=False):
        reports = await asyncio.gather(*(s.tick() for s in schedulers))
    sent_to = [m.chat_id for fake in fakes for m in fake.sent_messages()]
    assert sorted(sent_to) == list(range(100, 300))  # every one, exactly once
    assert sum(r.sent for r in reports) == 200
    assert all(r.sent > 0 for r in reports)  # both really worked
    async with c.db.unit_of_work() as uow:
        assert await uow.session.scalar(select(func.count()).select_from(Delivery)) == 200
    for db in dbs:
        await db.dispose()
