"""A 120-member circle logging at once stays within Telegram's 20 messages a minute per group, and every
reading is still announced."""

from __future__ import annotations

from collections import Counter

from bot.handlers.circles import GROUP_CONFIRMATIONS_PER_MINUTE, flush_circle
from quran import Ayah
from tests.group_harness import GROUP

MEMBERS = {1000 + n: f"Member {n:03d}" for n in range(120)}
GROUP_LIMIT_PER_MINUTE = 20  # Telegram's limit for one bot in one group


async def _write(c, user_id: int, text: str) -> None:
    await c.process(
        c.updates.message(user_id, text, chat_id=GROUP, chat_title="Halaqa", first_name=MEMBERS[user_id])
    )


async def test_120_members_logging_in_one_window_stay_within_20_messages_a_minute(circle):
    g, c = circle, circle.c
    await g.press(1, "Turn announcements on")
    for user_id in MEMBERS:  # they joined over the past days
        await _write(c, user_id, "/join")
        c.clock.advance(minutes=10)
    async with c.db.unit_of_work() as uow:
        circle_id = (await uow.circles.by_chat(GROUP)).id
    start = len(c.fake.calls)
    for n, user_id in enumerate(MEMBERS):  # everyone logs within one minute
        await _write(c, user_id, f"/log surah {1 + n % 114}")
        c.clock.advance(seconds=0.4)
    c.clock.advance(seconds=180)  # the announcement window closes
    await flush_circle(c.app, circle_id)
    calls = c.fake.calls[start:]
    assert all(call.ok for call in calls), [call.error for call in calls if not call.ok]
    to_group = [call for call in calls if call.method == "sendMessage" and call.params["chat_id"] == GROUP]
    per_minute = Counter(call.result["date"] // 60 for call in to_group)
    assert max(per_minute.values()) <= GROUP_LIMIT_PER_MINUTE, per_minute
    # The first few got a reply; the rest a reaction on their own message — nobody got silence.
    reactions = [call for call in calls if call.method == "setMessageReaction"]
    confirmations = [call for call in to_group if call.params["text"].startswith("✅")]
    assert len(confirmations) == GROUP_CONFIRMATIONS_PER_MINUTE
    assert len(reactions) == len(MEMBERS) - GROUP_CONFIRMATIONS_PER_MINUTE
    # Every reading is announced, whole, in as many messages as it takes.
    announced = "\n".join(
        call.params["text"] for call in to_group if "Read in the circle" in call.params["text"]
    )
    assert all(name in announced for name in MEMBERS.values())
    assert len(await c.readings(1000)) == 1 and c.errors == []
    # /board for all 120 arrives whole (split at lines when it has to be).
    before = len(c.fake.calls)
    await _write(c, 1000, "/board")
    board = [call for call in c.fake.calls[before:] if call.method == "sendMessage"]
    assert board and all(call.ok for call in board)
    assert all(name in "\n".join(call.params["text"] for call in board) for name in MEMBERS.values())


async def _log(c, user_id: int, text: str) -> int:
    update = c.updates.message(user_id, text, chat_id=GROUP, chat_title="Halaqa", first_name=MEMBERS[user_id])
    await c.process(update)
    return update["message"]["message_id"]


async def _edit(c, user_id: int, text: str, message_id: int) -> list:
    before = len(c.fake.calls)
    await c.process(
        c.updates.edited_message(
            user_id,
            text,
            message_id=message_id,
            chat_id=GROUP,
            chat_title="Halaqa",
            first_name=MEMBERS[user_id],
        )
    )
    return [call for call in c.fake.calls[before:] if call.method in ("sendMessage", "setMessageReaction")]


async def test_corrections_of_edited_logs_take_from_the_same_budget(circle):
    """An edited group /log is corrected with a reply in the group: past the group's budget for the
    minute (spent by the logs), the correction is a reaction on the edited message instead, and it is
    corrected all the same."""
    c = circle.c
    members = list(MEMBERS)[:GROUP_CONFIRMATIONS_PER_MINUTE]
    for user_id in members:
        await _write(c, user_id, "/join")
    messages = {user_id: await _log(c, user_id, "/log surah 112") for user_id in members}  # the budget, spent
    first = members[0]
    [call] = await _edit(c, first, "/log surah 113", messages[first])
    assert call.method == "setMessageReaction" and call.params["message_id"] == messages[first], call.params
    async with c.db.unit_of_work() as uow:
        [reading] = await uow.readings.recent(first)
    assert (reading.start_index, reading.end_index) == (Ayah(113, 1).index, Ayah(113, 5).index)
    c.clock.advance(minutes=1)  # a minute on, the group's window has room again: a text
    [call] = await _edit(c, first, "/log surah 114", messages[first])
    assert call.method == "sendMessage" and "Corrected" in call.params["text"], call.params
    assert c.errors == []
