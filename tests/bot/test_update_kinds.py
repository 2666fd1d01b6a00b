"""Real update kinds, handled as a user expects: forwards and via_bot, anonymous admins, forum topics,
photos with a caption, blocking and unblocking the bot, and exactly the update kinds we subscribe to."""

from __future__ import annotations

from bot.runtime import ALLOWED_UPDATES

FORWARDED = "↪️ That is a forwarded message, so I did not log it."


async def test_a_forwarded_reading_is_not_logged_as_the_users_own(conversation):
    c = conversation
    await c.onboard(30)
    origin = {"type": "user", "date": 1, "sender_user": {"id": 31, "is_bot": False, "first_name": "Omar"}}
    before = len(c.fake.calls)
    await c.process(c.updates.message(30, "Al-Kahf 1-20", extra={"forward_origin": origin}))
    assert c.texts_since(before)[0].startswith(FORWARDED)
    before = len(c.fake.calls)
    await c.process(c.updates.message(30, "/undo", extra={"forward_origin": origin}))  # not run either
    assert c.texts_since(before)[0].startswith(FORWARDED)
    assert await c.readings(30) == []
    assert (await c.send(30, "Al-Kahf 1-20"))[0].startswith("✅")  # their own words are logged


async def test_a_message_sent_via_an_inline_bot_is_not_logged(conversation):
    c = conversation
    await c.onboard(32)
    via = {"id": 999, "is_bot": True, "first_name": "Quotes", "username": "QuotesBot"}
    before = len(c.fake.calls)
    await c.process(c.updates.message(32, "Al-Mulk", extra={"via_bot": via}))
    assert c.texts_since(before)[0].startswith(FORWARDED)
    assert await c.readings(32) == []


async def test_a_photo_whose_caption_is_a_reading_is_logged(conversation):
    c = conversation
    await c.onboard(33)
    before = len(c.fake.calls)
    await c.process(c.updates.photo(33, caption="Al-Kahf 1-20"))
    assert c.texts_since(before)[0].startswith("✅ Al-Kahf 1–20")
    assert len(await c.readings(33)) == 1
    before = len(c.fake.calls)
    await c.process(c.updates.photo(33))  # no caption: still the kind "I read text" reply
    assert c.texts_since(before) == [
        "I can only read text. Tell me what you read, like Al-Kahf 1-20 or page 5."
    ]


async def test_blocking_the_bot_is_recorded_at_once_and_unblocking_resumes(conversation):
    c = conversation
    await c.onboard(34)
    await c.process(c.updates.my_chat_member(34, 34, added=False))  # blocked the bot
    assert (await c.user(34)).blocked_at == c.clock()
    await c.process(c.updates.my_chat_member(34, 34, added=True))  # unblocked
    assert (await c.user(34)).blocked_at is None
    assert c.errors == []


def test_allowed_updates_list_exactly_what_the_handlers_serve():
    assert set(ALLOWED_UPDATES) == {"message", "edited_message", "callback_query", "my_chat_member"}
    assert "business_message" not in ALLOWED_UPDATES and "channel_post" not in ALLOWED_UPDATES


async def test_reminders_stop_while_the_bot_is_blocked_and_resume_when_unblocked(conversation):
    from datetime import UTC, datetime, time, timedelta

    from bot.nudges import render
    from bot.outbox import Outbox
    from scheduler import ReminderScheduler
    from tests.scheduler.conftest import Sleeps, add_user, tick_at
    from tracker.clock import system_clock

    c = conversation
    due = datetime(2026, 3, 10, 7, 30, tzinfo=UTC)
    await add_user(c, 60, "UTC", due - timedelta(days=1), daily=time(7, 30))
    nudger = ReminderScheduler(c.db, Outbox(c.app.bot, c.db, sleep=Sleeps()), render, clock=system_clock)
    await c.process(c.updates.my_chat_member(60, 60, added=False))  # blocked, before the reminder's time
    assert (await tick_at(nudger, due)).sent == 0
    await c.process(c.updates.my_chat_member(60, 60, added=True))  # unblocked
    report = await tick_at(nudger, due + timedelta(days=1))
    assert report.sent == 1 and [m.chat_id for m in c.fake.sent_messages(60)] == [60]
