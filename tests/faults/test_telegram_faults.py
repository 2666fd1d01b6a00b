"""Telegram refusing the bot's messages: 429, 500, 403 and timeouts, to handler replies and to nudges.

The rule (bot/runtime.py): the unit of work commits before anything is sent. So a failed reply never
un-writes what the user did — and the bot must not then tell them "nothing was saved".
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import select

from bot.nudges import render
from bot.outbox import Outbox
from scheduler import ReminderScheduler
from storage.models import Delivery
from tests.scheduler.conftest import Sleeps, add_user, tick_at
from tracker.clock import system_clock

SORRY = "Sorry — something went wrong on my side and nothing was saved. Please try again in a moment."


def inject(fake, kind: str, method: str = "sendMessage") -> None:
    if kind == "429":
        fake.fail_next_rate_limited(method, retry_after=7)
    elif kind == "500":
        fake.fail_next(method, 500, "Internal Server Error")
    elif kind == "403":
        fake.fail_next(method, 403, "Forbidden: bot was blocked by the user")
    else:
        fake.timeout_next(method)


@pytest.mark.parametrize("kind", ["429", "500", "403", "timeout"])
async def test_a_failed_reply_keeps_the_log_and_does_not_claim_nothing_was_saved(conversation, kind):
    """The outbox owns Telegram's refusals (bot/outbox.py): nothing reaches the error handler, a 429 is
    waited out and the reply retried once, a 403 marks the user blocked, the rest are given up."""
    c = conversation
    await c.onboard(1)
    inject(c.fake, kind)
    update = c.updates.message(1, "read Al-Kahf 1-20")
    before = len(c.fake.calls)
    await c.process(update)
    assert c.errors == []
    # The reading was committed before the reply was attempted: it stays, exactly once.
    [reading] = await c.readings(1)
    assert reading.update_id == update["update_id"]
    # No apology saying "nothing was saved" (it would be false, and would invite a second, duplicate log).
    texts = c.texts_since(before)
    assert SORRY not in texts
    if kind == "429":
        assert c.sleeps == [7.0] and len(texts) == 1 and texts[0].startswith("✅")
    else:
        assert c.sleeps == [] and texts == []
    assert ((await c.user(1)).blocked_at is not None) == (kind == "403")
    # The user carries on normally; a redelivery of the same update does not log it again.
    await c.process(update)
    assert len(await c.readings(1)) == 1
    assert (await c.send(1, "/progress"))[0].startswith("📖 Khatm #1")


@pytest.mark.parametrize("kind", ["429", "500", "timeout"])
async def test_a_failed_button_answer_keeps_the_undo(conversation, kind):
    c = conversation
    await c.onboard(2)
    await c.send(2, "read Yasin")
    message, data = c.find_button(2, "Undo")
    inject(c.fake, kind, "answerCallbackQuery")
    before = len(c.fake.calls)
    await c.process(c.updates.callback(2, data, message))
    assert await c.readings(2) == []  # the undo was committed first
    assert c.errors == []
    answers = [call for call in c.fake.calls[before:] if call.method == "answerCallbackQuery"]
    assert len(answers) == 1  # answered once (and refused): not again by the error handler
    [text] = c.texts_since(before)
    assert text.startswith("↩️ Removed")


async def test_the_apology_still_goes_out_when_the_database_failed(conversation, monkeypatch):
    """The other side of the rule: a failure before commit does get the apology."""
    from tracker import readings

    c = conversation
    await c.onboard(3)

    async def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(readings, "log_reading", broken)
    assert await c.send(3, "read Yasin") == [SORRY]


# ------------------------------------------------------------------------------------------- nudges
DUE = datetime(2026, 3, 10, 7, 30, tzinfo=UTC)


@pytest.fixture
def nudger(conversation) -> ReminderScheduler:
    return ReminderScheduler(
        conversation.db,
        Outbox(conversation.app.bot, conversation.db, sleep=Sleeps()),
        render,
        clock=system_clock,
    )


async def deliveries(db) -> dict[int, Delivery]:
    async with db.unit_of_work() as uow:
        return {d.user_id: d for d in (await uow.session.execute(select(Delivery))).scalars()}


async def test_nudges_survive_every_kind_of_telegram_failure(conversation, nudger):
    c = conversation
    users = {10: "ok", 11: "429", 12: "500", 13: "403", 14: "timeout", 15: "429-once"}
    for uid in users:
        await add_user(c, uid, "UTC", DUE - timedelta(days=1), daily=time(7, 30))
    c.fake.fail_next("sendMessage", 429, "Too Many Requests: retry after 5", 5, times=2, chat_id=11)
    c.fake.fail_next("sendMessage", 500, "Internal Server Error", chat_id=12)
    c.fake.block(13)
    c.fake.timeout_next("sendMessage", chat_id=14)
    c.fake.fail_next("sendMessage", 429, "Too Many Requests: retry after 2", 2, chat_id=15)

    report = await tick_at(nudger, DUE)
    assert (report.due, report.sent, report.blocked, report.failed, report.rate_limited) == (6, 2, 1, 3, 1)
    assert nudger.outbox.sleep.calls == [5, 2]  # retry_after honoured, once each, never twice
    sent = {m.chat_id for m in c.fake.sent_messages() if m.chat_id in users}
    assert sent == {10, 15}
    rows = await deliveries(c.db)
    assert rows[10].sent_at == DUE and rows[15].sent_at == DUE
    assert rows[11].error == "429 retry after 5s" and rows[11].sent_at is None
    assert rows[12].error.startswith("NetworkError") and rows[14].error.startswith("TimedOut")
    assert rows[13].error.startswith("403")
    assert (await c.user(13)).blocked_at == DUE
    # The failures are recorded, not retried by the next tick (a timeout may have been delivered: never
    # risk sending twice); tomorrow everyone who did not block the bot is nudged again.
    assert (await tick_at(nudger, DUE + timedelta(minutes=1))).sent == 0
    report = await tick_at(nudger, DUE + timedelta(days=1))
    assert (report.due, report.sent) == (5, 5)  # the blocked user is no longer due
