"""Edited messages: an edited command never runs again; an edited log corrects that log."""

from __future__ import annotations

from quran import parse_reading
from tests.group_harness import GROUP


async def _say(c, user_id: int, text: str, **kw) -> int:
    """`user_id` writes `text`; -> the id of their message (to edit it later)."""
    update = c.updates.message(user_id, text, first_name="Aisha", **kw)
    await c.process(update)
    return update["message"]["message_id"]


async def _edit(c, user_id: int, text: str, message_id: int, **kw) -> list[str]:
    before = len(c.fake.calls)
    await c.process(c.updates.edited_message(user_id, text, message_id=message_id, first_name="Aisha", **kw))
    return c.texts_since(before)


def _ranges(readings) -> list[tuple[int, int]]:
    return [(r.start_index, r.end_index) for r in readings]


async def test_an_edited_log_command_corrects_the_log_instead_of_storing_a_second_one(conversation):
    c = conversation
    await c.onboard(22)
    message_id = await _say(c, 22, "/log kahf 21-40")
    replies = await _edit(c, 22, "/log kahf 21-50", message_id)
    readings = await c.readings(22)
    assert len(readings) == 1
    kahf = parse_reading("kahf 21-50")[0]
    assert _ranges(readings) == [(kahf.first_index, kahf.last_index)]
    assert readings[0].end_index - readings[0].start_index == 29
    assert len(replies) == 1 and "Corrected" in replies[0] and "21–50" in replies[0]
    assert c.errors == []


async def test_an_edited_free_text_log_is_corrected(conversation):
    c = conversation
    await c.onboard(22)
    message_id = await _say(c, 22, "Al-Mulk")
    replies = await _edit(c, 22, "Al-Kahf 1-10", message_id)
    readings = await c.readings(22)
    assert len(readings) == 1 and readings[0].end_index - readings[0].start_index == 9
    assert "Corrected" in replies[0] and "Al-Kahf" in replies[0] and "Al-Mulk" in replies[0]


async def test_an_old_message_edited_into_undo_does_not_undo(conversation):
    c = conversation
    await c.onboard(22)
    first = await _say(c, 22, "hello there")
    await c.send(22, "Al-Kahf 1-10")
    replies = await _edit(c, 22, "/undo", first)
    assert len(await c.readings(22)) == 1
    assert replies == ["I only read new messages. To change a log, use /undo and send it again."]


async def test_an_edited_undo_command_does_not_undo_again(conversation):
    c = conversation
    await c.onboard(22)
    await c.send(22, "Al-Kahf 1-10")
    await c.send(22, "Al-Mulk")
    undo = await _say(c, 22, "/undo")
    await _edit(c, 22, "/undo ", undo)
    assert len(await c.readings(22)) == 1


async def test_an_edit_that_no_longer_parses_keeps_the_log_and_says_why(conversation):
    c = conversation
    await c.onboard(22)
    message_id = await _say(c, 22, "Al-Kahf 1-10")
    replies = await _edit(c, 22, "Al-Kahf 500-900", message_id)
    assert len(await c.readings(22)) == 1
    assert replies and replies[0].startswith("🤔")


async def test_in_a_group_an_edited_log_corrects_and_an_edit_into_undo_is_ignored(conversation):
    c = conversation
    c.fake.set_admins(GROUP, [1])
    group = {"chat_id": GROUP, "chat_title": "Halaqa"}
    await _say(c, 1, "/circle", **group)
    hello = await _say(c, 1, "salaam", **group)
    log = await _say(c, 1, "/log kahf 1-10", **group)
    assert len(await c.readings(1)) == 1
    replies = await _edit(c, 1, "/log kahf 1-20", log, **group)
    readings = await c.readings(1)
    assert len(readings) == 1 and readings[0].end_index - readings[0].start_index == 19
    assert len(replies) == 1 and "Corrected" in replies[0]
    assert await _edit(c, 1, "/undo", hello, **group) == []
    assert await _edit(c, 1, "/leave", hello, **group) == []
    assert len(await c.readings(1)) == 1
    assert c.errors == []


async def test_housekeeping_forgets_month_old_log_messages_then_their_edits_change_nothing(conversation):
    from tracker import housekeeping

    c = conversation
    await c.onboard(22)
    message_id = await _say(c, 22, "Al-Mulk")
    c.clock.advance(days=31)
    async with c.db.unit_of_work() as uow:
        await housekeeping.prune(uow, c.clock())
    replies = await _edit(c, 22, "Al-Kahf 1-10", message_id)
    assert replies == ["I only read new messages. To change a log, use /undo and send it again."]
    [reading] = await c.readings(22)
    assert reading.end_index - reading.start_index == 29  # Al-Mulk's 30 ayahs, unchanged
