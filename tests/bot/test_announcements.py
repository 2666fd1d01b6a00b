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


async def _circle_in_topic(c, thread_id: int) -> int:
    """A forum group whose circle was made in topic `thread_id`; Omar joins in General and logs in private."""
    c.fake.set_admins(GROUP, [1])
    c.fake.add_topic(GROUP, thread_id)
    topic = {"message_thread_id": thread_id, "is_topic_message": True}
    await c.process(c.updates.message(1, "/circle", chat_id=GROUP, chat_title="Halaqa", extra=topic))
    message, data = c.find_button(GROUP, "Turn announcements on")
    await c.process(c.updates.callback(1, data, message))
    await _join(c, 2, "Omar")
    await c.send(2, "/log Al-Kahf 1-20", first_name="Omar")
    return await _circle_id(c)


async def test_the_announcement_goes_to_the_forum_topic_the_circle_lives_in(group):
    c = group.c
    circle_id = await _circle_in_topic(c, 77)
    before = len(c.fake.calls)
    await flush_circle(c.app, circle_id)
    [call] = [
        call
        for call in c.fake.calls[before:]
        if call.method == "sendMessage" and call.params["text"].startswith("📣")
    ]
    assert call.ok and call.params["message_thread_id"] == 77  # not the General topic
    assert c.errors == []


async def test_an_announcement_whose_topic_was_deleted_goes_to_general_and_stays_there(group):
    c = group.c
    circle_id = await _circle_in_topic(c, 77)
    c.fake.delete_topic(GROUP, 77)
    before = len(c.fake.calls)
    await flush_circle(c.app, circle_id)
    sends = [
        call
        for call in c.fake.calls[before:]
        if call.method == "sendMessage" and call.params["text"].startswith("📣")
    ]
    assert [(call.ok, call.params.get("message_thread_id")) for call in sends] == [(False, 77), (True, None)]
    assert "message thread not found" in sends[0].error  # the fake is strict: no such topic
    async with c.db.unit_of_work() as uow:
        assert (await uow.circles.get(circle_id)).thread_id is None
    assert c.errors == []


async def test_a_status_message_posted_afresh_by_the_flush_goes_to_the_circles_topic(group):
    """The flush refreshes the round's status with no command to take a topic from: a status message that
    is gone is posted again in the topic the circle lives in, not in General."""
    c = group.c
    circle_id = await _circle_in_topic(c, 77)
    await c.process(c.updates.message(1, "/khatm", chat_id=GROUP, chat_title="Halaqa"))  # from General
    async with c.db.unit_of_work() as uow:
        old = (await uow.circles.open_round(circle_id)).status_message_id
    await c.app.bot.delete_message(GROUP, old)
    await c.process(c.updates.message(2, "/log juz 5", chat_id=GROUP, chat_title="Halaqa", first_name="Omar"))
    before = len(c.fake.calls)
    await flush_circle(c.app, circle_id)
    posted = [
        call
        for call in c.fake.calls[before:]
        if call.method == "sendMessage" and call.ok and "Khatm round" in call.params["text"]
    ]
    assert [call.params.get("message_thread_id") for call in posted] == [77], [
        (call.method, call.params.get("message_thread_id"), call.params.get("text", "")[:30])
        for call in c.fake.calls[before:]
    ]
    assert c.errors == []
