"""Others are answered while one person's chart is drawn; one chat's updates still run in order."""

from __future__ import annotations

import asyncio

from telegram import Update

import bot.handlers.stats as stats_handlers
from bot.concurrency import OrderedUpdateProcessor


async def _through_processor(c, update: dict) -> None:
    u = Update.de_json(update, c.app.bot)
    await c.app.update_processor.process_update(u, c.app.process_update(u))


async def test_other_users_are_answered_while_a_chart_renders(conversation, monkeypatch):
    c = conversation
    assert isinstance(c.app.update_processor, OrderedUpdateProcessor)
    drawing, release = asyncio.Event(), asyncio.Event()

    async def slow_render(fn, *args, **kwargs) -> bytes:  # a render that takes as long as we like
        drawing.set()
        await release.wait()
        return b"\x89PNG\r\n\x1a\n" + b"0" * 64

    monkeypatch.setattr(stats_handlers, "render_off_loop", slow_render)
    await c.send(1, "Al-Fatiha")
    chart = asyncio.create_task(_through_processor(c, c.updates.message(1, "/stats")))
    await asyncio.wait_for(drawing.wait(), 5)
    await asyncio.wait_for(_through_processor(c, c.updates.message(2, "Al-Kahf 1-10")), 5)
    assert c.fake.last_text(2).startswith("✅ Al-Kahf 1–10")  # answered while user 1's chart is drawn
    assert not chart.done()
    release.set()
    await asyncio.wait_for(chart, 5)
    assert [m.method for m in c.fake.sent_messages(1)][-2:] == ["sendPhoto", "sendPhoto"]


async def test_one_chats_updates_run_one_at_a_time_in_order(conversation):
    c = conversation
    first = c.updates.message(3, "Al-Kahf 1-10")
    undo = c.updates.message(3, "/undo")
    await asyncio.gather(_through_processor(c, first), _through_processor(c, undo))
    assert await c.readings(3) == []  # the undo saw the log it follows
    assert [m.plain_text.split("\n")[0] for m in c.fake.sent_messages(3)] == [
        "✅ Al-Kahf 1–10 · 10 ayahs · khatm 0.2%",
        "↩️ Removed: Al-Kahf 1–10.",
    ]
    assert c.app.update_processor.chats_in_flight == 0  # idle chats are forgotten


async def test_a_new_user_writing_in_a_group_and_in_private_at_once_is_created_once(conversation):
    c = conversation
    private = c.updates.message(5, "Al-Kahf 1-5")
    group = c.updates.message(5, "/help", chat_id=-100555, chat_type="supergroup")
    await asyncio.gather(_through_processor(c, private), _through_processor(c, group))
    assert c.errors == []
    assert c.fake.last_text(5).startswith("✅ Al-Kahf 1–5")
    assert (await c.user(5)) is not None and len(await c.readings(5)) == 1


async def test_one_persons_updates_in_two_chats_run_in_order(conversation):
    c = conversation
    await c.send(6, "/start")
    log_in_group = c.updates.message(6, "/circle", chat_id=-100666, chat_type="supergroup")
    undo_in_private = c.updates.message(6, "Al-Fatiha")
    order: list[str] = []
    original = c.app.process_update

    async def recording(update):
        order.append(f"start {update.update_id}")
        await original(update)
        order.append(f"end {update.update_id}")

    c.app.process_update = recording
    await asyncio.gather(_through_processor(c, log_in_group), _through_processor(c, undo_in_private))
    first, second = log_in_group["update_id"], undo_in_private["update_id"]
    assert order == [f"start {first}", f"end {first}", f"start {second}", f"end {second}"]
    assert c.app.update_processor.chats_in_flight == 0
