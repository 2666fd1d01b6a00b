"""A reminder run killed between claim and send; updates delivered twice, concurrently, or out of order."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import select, text

from bot.nudges import render
from bot.outbox import Outbox
from scheduler import ReminderScheduler
from storage.models import Delivery
from tests.scheduler.conftest import Sleeps, add_user, tick_at
from tracker.clock import system_clock

DUE = datetime(2026, 3, 10, 7, 30, tzinfo=UTC)
USERS = [21, 22, 23, 24, 25]


def nudged(fake, chat_id: int) -> int:
    return sum(1 for m in fake.sent_messages(chat_id) if m.plain_text and "reminder" in m.plain_text)


async def test_a_tick_killed_after_its_claim_loses_that_batch_only_and_never_sends_twice(conversation):
    c = conversation
    for uid in USERS:
        await add_user(c, uid, "UTC", DUE - timedelta(days=1), daily=time(7, 30))
    hung: list[int] = []
    forever, both_hung = asyncio.Event(), asyncio.Event()

    async def hang_sends(method: str, params: dict) -> None:
        if method == "sendMessage":
            hung.append(int(params["chat_id"]))
            if len(hung) == 2:
                both_hung.set()
            await forever.wait()  # the process "dies" while these sends are in flight

    c.fake.latency = hang_sends
    crashing = ReminderScheduler(
        c.db, Outbox(c.app.bot, c.db, sleep=Sleeps()), render, clock=system_clock, batch_size=2
    )
    task = asyncio.create_task(tick_at(crashing, DUE))
    async with asyncio.timeout(5):
        await both_hung.wait()
    task.cancel()  # killed between the committed claim and the send
    with pytest.raises(asyncio.CancelledError):
        await task
    lost = set(hung)
    assert len(lost) == 2  # exactly the first batch was claimed

    # Restart: a new scheduler, Telegram answering again, the same minute and the next ones.
    c.fake.latency = None
    restarted = ReminderScheduler(
        c.db, Outbox(c.app.bot, c.db, sleep=Sleeps()), render, clock=system_clock, batch_size=2
    )
    for minute in range(3):
        await tick_at(restarted, DUE + timedelta(minutes=minute))
    for uid in USERS:
        # The claimed-but-unsent nudges are lost (the documented window); nobody else's; none is doubled.
        assert nudged(c.fake, uid) == (0 if uid in lost else 1), uid
    async with c.db.unit_of_work() as uow:
        rows = {d.user_id: d for d in (await uow.session.execute(select(Delivery))).scalars()}
    for uid in lost:  # the trace the crash leaves: a claim with neither sent_at nor error
        assert (rows[uid].sent_at, rows[uid].error) == (None, None)
    # The next day nothing is owed and nothing is skipped: everyone gets exactly one nudge.
    report = await tick_at(restarted, DUE + timedelta(days=1))
    assert report.sent == 5
    assert all(nudged(c.fake, uid) == (1 if uid in lost else 2) for uid in USERS)


async def test_the_same_update_twice_is_logged_once_and_answered_both_times(conversation):
    c = conversation
    await c.onboard(31)
    update = c.updates.message(31, "read Al-Mulk")
    before = len(c.fake.calls)
    await c.process(update)
    await c.process(update)
    replies = c.texts_since(before)
    assert len(replies) == 2 and all(r.startswith("✅ Al-Mulk") for r in replies)
    assert len(await c.readings(31)) == 1
    assert c.errors == []


async def test_the_same_update_twice_at_the_same_time_is_logged_once(conversation):
    """Two deliveries racing in one process, past the in-process ordering (process_update directly): the
    claim on the update id (storage/updates.py) makes the second wait for the first to commit and repeat
    its answer. Two instances racing: tests/faults/test_two_instances.py."""
    c = conversation
    await c.onboard(32)
    update = c.updates.message(32, "read Yasin, Al-Mulk")
    before = len(c.fake.calls)
    await asyncio.gather(c.process(update), c.process(update))
    assert len(await c.readings(32)) == 2  # two passages, once
    assert c.errors == []
    replies = c.texts_since(before)
    assert len(replies) == 2 and replies[0] == replies[1] and "Yaseen" in replies[0]
    assert not any("Already logged" in r or "nothing was saved" in r.lower() for r in replies)


async def test_an_undo_press_processed_before_its_log_is_harmless(conversation):
    c = conversation
    await c.onboard(33)
    await c.send(33, "read Al-Kahf 1-10")
    [first] = await c.readings(33)
    message, _ = c.find_button(33, "Undo")
    # The next log will get the sequence's next id (checked below); its undo arrives before it (out of
    # order). The press carries the same first name, so that nothing but the log takes an id.
    async with c.db.unit_of_work() as uow:
        next_id = (await uow.session.execute(text("SELECT last_value + 1 FROM readings_id_seq"))).scalar_one()
    early = c.updates.callback(33, f"undo:{next_id}", message, first_name="Aisha")
    before = len(c.fake.calls)
    await c.process(early)
    [first_answer] = c.toasts_since(before)
    assert c.texts_since(before) == []
    assert len(await c.readings(33)) == 1  # nothing of the earlier log was touched
    await c.send(33, "read Al-Kahf 11-20")
    assert [r.id for r in await c.readings(33)] == [first.id, next_id]
    before = len(c.fake.calls)
    await c.process(early)  # redelivered: nothing undone, and no second answer to the same query
    assert c.toasts_since(before) == []  # (the outbox answers a query once: Telegram takes one answer)
    assert first_answer
    assert len(await c.readings(33)) == 2
    await c.process(c.updates.callback(33, f"undo:{next_id}", message))  # pressed now: honoured
    assert [r.id for r in await c.readings(33)] == [first.id]
    assert c.errors == []


async def test_an_edit_of_a_message_the_bot_never_saw_logs_nothing(conversation):
    c = conversation
    await c.onboard(34)
    before = len(c.fake.calls)
    await c.process(c.updates.edited_message(34, "read Yasin", message_id=999))
    assert len(c.texts_since(before)) == 1
    assert await c.readings(34) == []
    assert c.errors == []


async def test_history_delete_then_a_stale_undo_of_the_same_log(conversation):
    c = conversation
    await c.onboard(35)
    await c.send(35, "read Yasin")
    undo_message, undo_data = c.find_button(35, "Undo")
    await c.send(35, "/history")
    await c.press(35, "🗑 1")
    await c.press(35, "Yes, delete")  # /history's delete asks first
    assert await c.readings(35) == []
    before = len(c.fake.calls)
    await c.process(c.updates.callback(35, undo_data, undo_message))
    assert c.texts_since(before) == []  # a toast, nothing else
    assert c.errors == []


async def test_a_redelivered_undo_command_undoes_one_log(conversation):
    c = conversation
    await c.onboard(36)
    await c.send(36, "read Yasin")
    await c.send(36, "read Al-Mulk")
    undo = c.updates.message(36, "/undo")
    await c.process(undo)
    await c.process(undo)  # Telegram delivers it again
    assert len(await c.readings(36)) == 1
