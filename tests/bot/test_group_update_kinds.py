"""Real update kinds in groups: anonymous admins, channel posts in the discussion group, forum topics."""

from __future__ import annotations

from tests.group_harness import GROUP

ANONYMOUS = {"id": 1087968824, "is_bot": True, "first_name": "Group", "username": "GroupAnonymousBot"}


async def test_an_anonymous_admin_gets_a_polite_refusal_not_silence(group):
    c = group.c
    before = len(c.fake.calls)
    anonymous = {"sender_chat": {"id": GROUP, "type": "supergroup", "title": "Halaqa"}, "from": ANONYMOUS}
    await c.process(c.updates.message(1, "/khatm", chat_id=GROUP, chat_title="Halaqa", extra=anonymous))
    [reply] = c.texts_since(before)
    assert reply.startswith("🙈 You are writing as the group")
    async with c.db.unit_of_work() as uow:
        assert await uow.users.get(ANONYMOUS["id"]) is None  # the stand-in account is nobody's user
    assert c.errors == []


async def test_a_channel_post_forwarded_into_its_discussion_group_is_ignored(group):
    c = group.c
    channel = {"id": -1009, "type": "channel", "title": "News"}
    extra = {"sender_chat": channel, "is_automatic_forward": True, "from": {"id": 777000, "is_bot": False,
             "first_name": "Telegram"}}  # fmt: skip
    before = len(c.fake.calls)
    await c.process(c.updates.message(1, "/board", chat_id=GROUP, chat_title="Halaqa", extra=extra))
    assert c.texts_since(before) == []


async def test_a_reply_in_a_forum_topic_goes_to_that_topic(circle):
    c = circle.c
    c.fake.add_topic(GROUP, 77)
    topic = {"message_thread_id": 77, "is_topic_message": True}
    before = len(c.fake.calls)
    await c.process(
        c.updates.message(
            2, "/log Al-Kahf 1-10", chat_id=GROUP, chat_title="Halaqa", first_name="Omar", extra=topic
        )
    )
    [call] = [call for call in c.fake.calls[before:] if call.method == "sendMessage"]
    assert call.ok and call.params["message_thread_id"] == 77
    assert call.params["text"].startswith("✅")


async def test_a_round_started_in_a_forum_topic_shows_its_status_in_that_topic(circle):
    c = circle.c
    c.fake.add_topic(GROUP, 55)
    topic = {"message_thread_id": 55, "is_topic_message": True}
    before = len(c.fake.calls)
    await c.process(c.updates.message(1, "/khatm", chat_id=GROUP, chat_title="Halaqa", extra=topic))
    posted = [call for call in c.fake.calls[before:] if call.method == "sendMessage"]
    assert posted and all(call.ok for call in posted)
    assert [call.params.get("message_thread_id") for call in posted] == [55] * len(posted)
    assert "Khatm round" in posted[-1].params["text"]


async def test_an_anonymous_admin_hears_the_refusal_in_the_circles_language(group):
    """The group has a circle, made by an Arabic speaker: the refusal speaks its language (the creator's,
    as its announcements do), not English."""
    c = group.c
    c.fake.set_admins(GROUP, [1])
    await group.send(1, "/circle", language_code="ar")
    before = len(c.fake.calls)
    anonymous = {"sender_chat": {"id": GROUP, "type": "supergroup", "title": "Halaqa"}, "from": ANONYMOUS}
    await c.process(c.updates.message(2, "/khatm", chat_id=GROUP, chat_title="Halaqa", extra=anonymous))
    [reply] = c.texts_since(before)
    assert reply.startswith("🙈 أنت تكتب باسم المجموعة")
    assert c.errors == []
