"""Circle announcements are never lost: a failed send is said by the next flush; long ones are split."""

from __future__ import annotations

from bot.fit import MAX_TEXT, plain_length
from bot.handlers.circles import flush_circle
from tests.group_harness import GROUP


async def _circle_id(c) -> int:
    async with c.db.unit_of_work() as uow:
        return (await uow.circles.by_chat(GROUP)).id


async def _announcements(c, before: int) -> list[str]:
    return [t for t in c.texts_since(before) if t.startswith("📣")]


async def test_an_announcement_telegram_refused_is_announced_by_the_next_flush(circle):
    g, c = circle, circle.c
    await g.press(1, "Turn announcements on")
    await g.send(2, "/log Al-Kahf 1-20")
    circle_id = await _circle_id(c)
    c.fake.timeout_next("sendMessage", chat_id=GROUP)
    before = len(c.fake.calls)
    await flush_circle(c.app, circle_id)
    assert await _announcements(c, before) == []  # timed out: nobody saw it
    before = len(c.fake.calls)
    await flush_circle(c.app, circle_id)
    assert await _announcements(c, before) == ["📣 Read in the circle:\n• Omar read Al-Kahf 1–20"]
    before = len(c.fake.calls)
    await flush_circle(c.app, circle_id)
    assert await _announcements(c, before) == []  # and only once
    assert c.errors == []


async def _join(c, user_id: int, name: str) -> None:
    await c.process(c.updates.message(user_id, "/join", chat_id=GROUP, chat_title="Halaqa", first_name=name))


async def test_a_long_announcement_is_split_and_every_line_arrives(circle):
    g, c = circle, circle.c
    await g.press(1, "Turn announcements on")
    members = {1000 + n: f"Member number {n:03d} of the circle" for n in range(120)}
    for user_id, name in members.items():
        await _join(c, user_id, name)
        await c.send(user_id, f"surah {1 + (user_id - 1000) % 114}", first_name=name)
    before = len(c.fake.calls)
    await flush_circle(c.app, await _circle_id(c))
    calls = [call for call in c.fake.calls[before:] if call.method == "sendMessage"]
    assert calls and all(call.ok for call in calls)
    parts = [call.params["text"] for call in calls if call.params["chat_id"] == GROUP]
    assert len(parts) >= 2 and all(plain_length(p) <= MAX_TEXT for p in parts)
    said = "\n".join(parts)
    assert all(name in said for name in members.values())  # every reading announced, none cut
    assert c.errors == []
