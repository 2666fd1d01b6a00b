"""Study circles end to end: several people in one group, the real Application, Postgres, a fake Telegram."""

from __future__ import annotations

import asyncio

from sqlalchemy import select
from telegram import Update

from bot.handlers.circles import flush_circle
from quran import juz_span
from storage.models import Circle, CircleMember, JuzAssignment, KhatmRound
from tests.group_harness import GROUP


async def _circle_row(c, chat_id=GROUP) -> Circle:
    async with c.db.unit_of_work() as uow:
        return await uow.circles.by_chat(chat_id)


async def _round(c) -> KhatmRound:
    async with c.db.unit_of_work() as uow:
        rows = await uow.session.execute(select(KhatmRound).order_by(KhatmRound.id.desc()))
        return rows.scalars().first()


async def _assignments(c, round_id) -> dict[int, int]:
    async with c.db.unit_of_work() as uow:
        return {a.juz: a.user_id for a in await uow.circles.assignments(round_id)}


async def test_create_join_by_command_and_button_and_leave(group):
    g = group
    assert (await g.send(2, "/join")) == ["This group is not a study circle yet. Send /circle to start one."]
    replies = await g.send(1, "/circle")
    assert replies[0].startswith("🌙 Halaqa is now a study circle! 1 member so far.")
    assert "Welcome to the circle, Omar!" in (await g.send(2, "/join"))[0]
    texts, _ = await g.press(3, "Join the circle")
    assert texts == ["🤝 Welcome to the circle, Maryam!"]
    _, toasts = await g.press(3, "Join the circle")
    assert toasts == ["Maryam, you are already in this circle. 🌿"]
    assert (await g.send(2, "/leave"))[0].startswith("You left the circle.")
    async with g.c.db.unit_of_work() as uow:
        assert [m.user_id for m, _ in await uow.circles.members((await _circle_row(g.c)).id)] == [1, 3]
    assert (await g.send(2, "read Al-Kahf 1-20")) == []  # chatter is never parsed
    assert await g.c.readings(2) == []
    assert g.c.errors == []


async def test_logging_in_the_group_and_in_private_feeds_one_batched_announcement(circle):
    g, c = circle, circle.c
    _, toasts = await g.press(2, "Turn announcements on")  # not an admin
    assert toasts == ["Only the group's admins can do that."]
    texts, toasts = await g.press(1, "Turn announcements on")
    assert toasts == ["Announcements: on"] and "Announcements: on" in texts[0]
    replies = await g.send(2, "/log Al-Kahf 1-20")
    assert replies == ["✅ Al-Kahf 1–20 · 20 ayahs · khatm 0.3%"]  # short in the group
    # Maryam logs in private
    assert (await c.send(3, "Al-Mulk", first_name="Maryam"))[0].startswith("✅ Al-Mulk")
    # not a member: never shown
    await c.send(9, "Yaseen", first_name="Guest")
    assert (await g.send(9, "/log Yaseen")) == ["Join the circle first, then your logs count here."]
    before = len(c.fake.calls)
    await flush_circle(c.app, (await _circle_row(c)).id)  # what the JobQueue job runs
    assert c.texts_since(before) == [
        "📣 Read in the circle:\n• Omar read Al-Kahf 1–20\n• Maryam read Al-Mulk"
    ]
    before = len(c.fake.calls)
    await flush_circle(c.app, (await _circle_row(c)).id)
    assert c.texts_since(before) == []  # each reading is announced once
    assert c.errors == []


async def test_a_portion_done_from_next_in_private_is_announced_in_the_circle(circle):
    """/next's Done button logs through tracker.logbook like any log: the member's circles hear of it."""
    g, c = circle, circle.c
    await g.press(1, "Turn announcements on")
    await c.send(3, "/next", first_name="Maryam")
    replies = await c.press(3, "Done ✓")
    assert any(r.startswith("✅") for r in replies), replies
    before = len(c.fake.calls)
    await flush_circle(c.app, (await _circle_row(c)).id)
    [announcement] = c.texts_since(before)
    assert announcement.startswith("📣 Read in the circle:\n• ") and "read Al-Faatiha" in announcement
    assert c.errors == []


async def test_the_board_celebrates_who_read_and_names_nobody_who_did_not(circle):
    g, c = circle, circle.c
    await g.send(2, "/log juz 1")
    await c.send(3, "pages 1-4", first_name="Maryam")
    c.clock.advance(days=1)
    await c.send(3, "pages 5-6", first_name="Maryam")
    c.clock.advance(days=6)  # next Tuesday: a new week, the same month
    await g.send(2, "/log pages 30-31")
    board = (await g.send(1, "/board"))[0]
    week, month = board.split("\n\n")[:2]
    assert week == "🌿 This week\n• Omar — 2 pages · 1 day\nTogether: 2 pages · 1 of 3 members read"
    assert month.splitlines() == [
        "🌙 This month",
        "• Omar — 23 pages · 2 days",
        "• Maryam — 6 pages · 2 days",
        "Together: 29 pages · 2 of 3 members read",
    ]
    assert "Aisha" not in board and "miss" not in board.lower()
    assert board.endswith("may Allah accept from us all. 🤲")


async def test_a_full_khatm_round_from_start_to_the_next_round(circle):
    g, c = circle, circle.c
    assert (await g.send(2, "/khatm"))[0].startswith("Only the group's admins")
    await g.send(1, "/khatm 10 days")
    status = g.status_message()
    assert status["text"].startswith("📖 Khatm round 1 — 0 of 30 juz done · 0 taken\nAiming to finish by")
    rnd = await _round(c)
    _, toasts = await g.press(2, "Take juz 5")
    assert toasts == ["Juz 5 is yours. Bismillah! 📖"]
    assert g.status_message()["message_id"] == status["message_id"]  # edited in place
    assert "Omar: juz 5" in g.status_text()
    _, toasts = await g.tap(3, f"ct:{rnd.id}:5")  # an old button
    assert toasts == ["Juz 5 was just taken by Omar — pick another one? 🌿"]
    _, toasts = await g.tap(3, f"cd:{rnd.id}:5")
    assert toasts == ["Juz 5 is someone else's — only its reader can mark it done."]
    _, toasts = await g.tap(9, f"ct:{rnd.id}:6")  # not in the circle
    assert toasts == ["Join the circle first (/join)."]
    _, toasts = await g.press(2, "Share out the rest")
    assert toasts == ["Only the group's admins can do that."]
    _, toasts = await g.press(1, "Share out the rest")
    assert toasts == ["Shared out 29 juz."]
    first = await _assignments(c, rnd.id)
    assert sorted(list(first.values()).count(u) for u in (1, 2, 3)) == [10, 10, 10]
    assert not [label for label, _ in g.buttons() if label.startswith("Take")]
    # Omar reads his juz: logged in the group, it finishes at once
    assert (await g.send(2, "/log juz 5"))[0].startswith("✅")
    assert "5 ✅" in g.status_text() and "1 of 30 juz done" in g.status_text()
    # Maryam logs in private (no hook there yet): the next status render notices it
    maryam = next(j for j, u in first.items() if u == 3)
    await c.send(3, f"juz {maryam}", first_name="Maryam")
    _, toasts = await g.tap(1, f"cd:{rnd.id}:{next(j for j, u in first.items() if u == 1)}")
    assert toasts[0].startswith("Juz") and "3 of 30 juz done" in g.status_text()
    for juz, user in first.items():  # everyone taps Done
        await g.tap(user, f"cd:{rnd.id}:{juz}")
    summary = c.fake.last_message(GROUP)
    assert summary.plain_text.startswith("🎉 Khatm round 1 is complete! The whole Quran, together, in 1 day.")
    assert "Omar: juz " in summary.plain_text and "May Allah accept it" in summary.plain_text
    assert (await _round(c)).completed_at is not None and (await _round(c)).status_message_id is None
    _, toasts = await g.press(2, "Start round 2")
    assert toasts == ["Only the group's admins can do that."]
    _, toasts = await g.press(1, "Start round 2")
    assert toasts == ["A new round has started. Bismillah!"]
    second = await _round(c)
    assert second.number == 2 and g.status_text().startswith("📖 Khatm round 2")
    await g.press(1, "Share out the rest")
    rotated = await _assignments(c, second.id)
    assert all(rotated[j % 30 + 1] == first[j] for j in range(1, 31))  # juz n's reader reads n+1
    assert c.errors == []


async def test_concurrent_taps_on_the_same_juz_one_wins(circle):
    g, c = circle, circle.c
    await g.send(1, "/khatm")
    rnd = await _round(c)
    message = g.status_message()
    u1 = Update.de_json(c.updates.callback(2, f"ct:{rnd.id}:7", message, first_name="Omar"), c.app.bot)
    u2 = Update.de_json(c.updates.callback(3, f"ct:{rnd.id}:7", message, first_name="Maryam"), c.app.bot)
    before = len(c.fake.calls)
    await asyncio.gather(c.app.process_update(u1), c.app.process_update(u2))
    toasts = sorted(c.toasts_since(before))
    assert toasts[0].startswith("Juz 7 is yours")
    assert toasts[1].startswith("Juz 7 was just taken by")
    assert len(await _assignments(c, rnd.id)) == 1
    assert c.errors == []


async def test_a_deleted_status_message_is_posted_fresh(circle):
    g, c = circle, circle.c
    await g.send(1, "/khatm")
    old = g.status_message()["message_id"]
    await c.app.bot.delete_message(GROUP, old)
    await g.tap(2, f"ct:{(await _round(c)).id}:3")
    fresh = g.status_message()
    assert fresh["message_id"] != old and "Omar: juz 3" in fresh["text"]
    assert (await _round(c)).status_message_id == fresh["message_id"]


async def test_admin_only_actions_are_refused_politely(circle):
    g = circle
    await g.send(1, "/khatm")
    for text in ("/khatm cancel", "/reassign 5", "/wird 2"):
        assert (await g.send(3, text)) == ["Only the group's admins can do that — please ask one of them. 🌿"]
    await g.send(1, "/khatm cancel")
    assert (await _round(g.c)).cancelled_at is not None
    assert "Khatm round 1 was closed." in g.c.fake.last_message(GROUP).plain_text


async def test_wird_mode_a_shared_portion_marked_done_per_member(circle):
    g, c = circle, circle.c
    assert (await g.send(2, "/wird"))[0].startswith("No shared wird yet.")
    replies = await g.send(1, "/wird 2")
    assert replies[0].startswith("📖 Today's wird: pages 1–2 (Al-Faatiha 1 – Al-Baqara 5)")
    assert replies[0].endswith("0 of 3 members have read it today. 🌿")
    texts, toasts = await g.press(2, "I read today's wird")
    assert toasts == ["Logged — may Allah accept it! ✅"] and "1 of 3 members" in texts[0]
    _, toasts = await g.press(2, "I read today's wird")
    assert toasts == ["You have read today's wird already. ✅"]
    # read in private: counts too
    await c.send(3, "pages 1-2", first_name="Maryam")
    assert "2 of 3 members" in (await g.send(1, "/wird"))[0]
    c.clock.advance(days=1)
    assert (await g.send(2, "/wird"))[0].startswith("📖 Today's wird: pages 3–4")
    assert [(r.source, r.start_index) for r in await c.readings(2)] == [("circle", juz_span(1).first_index)]


async def test_removed_from_the_group_then_migrated_to_a_supergroup_nothing_lost(group):
    g, c = group, group.c
    g.chat_id = -4001  # a basic group
    c.fake.set_admins(-4001, [1])
    await g.send(1, "/circle")
    await g.send(2, "/join")
    await g.send(1, "/khatm")
    await g.tap(2, f"ct:{(await _round(c)).id}:2")
    await c.process(c.updates.my_chat_member(1, -4001, added=False))
    assert (await _circle_row(c, -4001)).active is False
    assert (await g.send(2, "/board")) == ["This group is not a study circle yet. Send /circle to start one."]
    before = len(c.fake.calls)
    await c.process(c.updates.my_chat_member(1, -4001, added=True))
    assert c.texts_since(before)[0].startswith("Assalamu alaikum, I'm back!")
    assert (await _circle_row(c, -4001)).active is True
    await c.process(c.updates.migrate(1, -4001, GROUP))
    await c.process(c.updates.migrate_from(1, GROUP, -4001))  # the second half changes nothing
    assert await _circle_row(c, -4001) is None
    moved = await _circle_row(c, GROUP)
    async with c.db.unit_of_work() as uow:
        members = (
            (
                await uow.session.execute(
                    select(CircleMember.user_id).where(CircleMember.circle_id == moved.id)
                )
            )
            .scalars()
            .all()
        )
        claims = (await uow.session.execute(select(JuzAssignment.juz))).scalars().all()
    assert sorted(members) == [1, 2] and claims == [2]
    g.chat_id = GROUP
    assert (await g.send(2, "/log juz 2"))[0].startswith("✅")
    assert c.errors == []


async def test_buttons_only_work_in_their_own_group(circle):
    g, c = circle, circle.c
    await g.send(1, "/khatm")
    rnd = await _round(c)
    foreign = {**g.status_message(), "chat": {"id": -1009999, "type": "supergroup", "title": "Other"}}
    _, toasts = await g.tap(2, f"ct:{rnd.id}:1", foreign)
    assert toasts and "Juz 1 is yours" not in (toasts[0] or "")
    assert await _assignments(c, rnd.id) == {}


async def test_help_in_a_group_says_what_a_circle_is_then_its_commands(conversation):
    c = conversation
    group = -100777
    before = len(c.fake.calls)
    await c.process(c.updates.message(1, "/help", chat_id=group, chat_type="supergroup"))
    assert c.texts_since(before)[0].endswith("Send /circle to make this group a study circle.")
    await c.process(c.updates.message(1, "/circle", chat_id=group, chat_type="supergroup"))
    before = len(c.fake.calls)
    await c.process(c.updates.message(1, "/start", chat_id=group, chat_type="supergroup"))
    assert c.texts_since(before)[0].startswith("Join with /join or the button.")
