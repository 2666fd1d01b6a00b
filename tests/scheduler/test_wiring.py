"""How the tick is wired into the bot: one job for everyone, metrics, and the circles' round nudges."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import time_machine

from bot import metrics
from bot.nudges import make_scheduler, start_ticking, tick_job
from bot.outbox import Outbox
from storage.models import User
from tests.scheduler.conftest import add_user, tick_at
from tracker import circles


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


async def test_one_repeating_job_whatever_the_number_of_users(conversation):
    c = conversation
    for user_id in range(1, 51):
        await add_user(c, user_id, "UTC", utc(2026, 3, 9, 12), daily=time(7, 0))
    start_ticking(c.app, c.db, c.clock)
    jobs = c.app.job_queue.jobs()
    assert [j.name for j in jobs] == ["reminder-tick"]
    assert jobs[0].trigger.interval.total_seconds() == 60


async def test_the_tick_job_counts_what_it_sent(conversation):
    c = conversation
    await add_user(c, 1, "UTC", utc(2026, 3, 9, 12), daily=time(7, 0))
    c.app.bot_data["scheduler"] = make_scheduler(c.app, c.db, lambda: utc(2026, 3, 10, 7, 0))
    sent_before = metrics.NUDGES_SENT._value.get()

    class Context:
        application = c.app

    await tick_job(Context())
    assert metrics.NUDGES_SENT._value.get() == sent_before + 1
    assert metrics.LAST_TICK._value.get() == utc(2026, 3, 10, 7, 0).timestamp()


async def test_round_nudges_go_out_with_the_tick_once(conversation):
    c = conversation
    created = utc(2026, 3, 1, 12)
    with time_machine.travel(created, tick=False):
        async with c.db.unit_of_work() as uow:
            aisha = await uow.users.add(
                User(id=1, first_name="Aisha", created_at=created, onboarded_at=created)
            )
            circle, _ = await circles.create_circle(uow, -100, "Halaqa", aisha, created)
            rnd = await circles.start_round(uow, circle, created, deadline=date(2026, 3, 15))
            await circles.claim_juz(uow, rnd.id, 7, aisha, created)
    c.fake.start_chat(1)  # Aisha started the bot before (made in the database here)
    scheduler = make_scheduler(c.app, c.db, c.clock)
    with time_machine.travel(utc(2026, 3, 13, 18), tick=False):
        c.clock.set(utc(2026, 3, 13, 18))
        report = await scheduler.tick()
    assert report.sent == 1
    [message] = c.fake.sent_messages(1)
    assert "7" in message.plain_text and "March 15, 2026" in message.plain_text
    c.clock.set(utc(2026, 3, 14, 18))
    assert (await tick_at(scheduler, utc(2026, 3, 14, 18))).sent == 0


async def test_a_source_message_refused_by_a_group_is_counted_as_blocked(conversation):
    from bot.nudges import render
    from scheduler import Outgoing, ReminderScheduler

    c = conversation

    async def to_a_group_that_removed_the_bot(uow, now):
        return [Outgoing(-100999, "🗓 digest"), Outgoing(1, "hello", user_id=None)]

    c.fake.block(-100999)
    c.fake.start_chat(1)
    scheduler = ReminderScheduler(
        c.db, Outbox(c.app.bot, c.db), render, clock=c.clock, sources=[to_a_group_that_removed_the_bot]
    )
    report = await scheduler.tick()
    assert (report.due, report.sent, report.blocked, report.failed) == (2, 1, 1, 0)


async def test_a_deadline_mention_in_the_group_goes_to_the_circles_forum_topic(conversation):
    """A member who never started the bot is mentioned in the group — in the topic the circle lives in."""
    c = conversation
    created = utc(2026, 3, 1, 12)
    c.fake.add_topic(-100, 77)
    with time_machine.travel(created, tick=False):
        async with c.db.unit_of_work() as uow:
            aisha = await uow.users.add(User(id=1, first_name="Aisha", created_at=created))  # not onboarded
            circle, _ = await circles.create_circle(uow, -100, "Halaqa", aisha, created)
            circles.live_in_topic(circle, 77)
            rnd = await circles.start_round(uow, circle, created, deadline=date(2026, 3, 15))
            await circles.claim_juz(uow, rnd.id, 7, aisha, created)
    scheduler = make_scheduler(c.app, c.db, c.clock)  # Aisha never started the bot: no private nudge
    with time_machine.travel(utc(2026, 3, 13, 18), tick=False):
        c.clock.set(utc(2026, 3, 13, 18))
        assert (await scheduler.tick()).sent == 1
    [call] = [call for call in c.fake.calls if call.method == "sendMessage"]
    assert call.ok and call.params["chat_id"] == -100 and call.params["message_thread_id"] == 77
