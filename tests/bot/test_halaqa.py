"""A hifz halaqa in a group conversation: the admin teaches, members opt in, recitations feed cards."""

from __future__ import annotations

from sqlalchemy import select

from bot.handlers.halaqa import parse_heard
from storage.models import HifzRevision
from tests.group_harness import GROUP, NAMES


async def _reply_to(group, teacher: int, student: int, text: str) -> list[str]:
    """`teacher` answers a message of `student` in the group with `text`."""
    c = group.c
    update = c.updates.message(teacher, text, chat_id=GROUP, chat_title="Halaqa", first_name=NAMES[teacher])
    update["message"]["reply_to_message"] = {
        "message_id": 1,
        "from": {"id": student, "is_bot": False, "first_name": NAMES[student]},
        "chat": update["message"]["chat"],
        "date": update["message"]["date"],
        "text": "Al-Mulk, from memory",
    }
    before = len(c.fake.calls)
    await c.process(update)
    return c.texts_since(before)


def test_parse_heard():
    assert parse_heard(["al-mulk", "weak", "2", "mistakes"]) == ("al-mulk", "weak", 2)
    assert parse_heard(["الملك", "جيد", "٢", "أخطاء"]) == ("الملك", "good", 2)
    assert parse_heard(["juz", "30", "excellent"]) == ("juz 30", "excellent", None)
    assert parse_heard(["al-mulk", "1-10"]) == ("al-mulk 1-10", None, None)


async def test_the_teacher_flow(circle):
    g = circle
    [refused] = await g.send(2, "/halaqa")
    assert refused.startswith("Only a group admin")
    [created] = await g.send(1, "/halaqa")
    assert created.startswith("🕌 This circle is now a hifz halaqa. Teacher: Aisha.")
    [outsider] = await g.send(4, "/halaqa share")
    assert outsider.startswith("Please /join the circle first")
    [shared] = await g.send(2, "/halaqa share")
    assert shared.startswith("🤝 Omar shares their hifz")

    [not_teacher] = await _reply_to(g, 2, 3, "/heard al-mulk good")
    assert not_teacher == "Only the halaqa's teacher records recitations."
    [not_shared] = await _reply_to(g, 1, 3, "/heard al-mulk good")
    assert not_shared.startswith("Maryam hasn't shared their hifz")
    [usage] = await _reply_to(g, 1, 2, "/heard al-mulk")
    assert usage.startswith("Reply to the student's message")

    [heard] = await _reply_to(g, 1, 2, "/heard al-mulk weak 2 mistakes")
    assert heard == (
        "📝 Recorded for Omar: Al-Mulk p.562–564 — weak, 2 mistakes. It is scheduled in their revision."
    )
    async with g.c.db.unit_of_work() as uow:
        rows = (await uow.session.execute(select(HifzRevision).order_by(HifzRevision.id))).scalars().all()
        assert [(r.user_id, r.source, r.rating, r.teacher_id, r.mistakes) for r in rows] == [
            (2, "memorised", 3, None, None),  # recited from memory: in his hifz from now on
            (2, "teacher", 2, 1, 2),  # weak -> Hard
        ]
    # Many mistakes are never better than Hard, whatever the grade.
    g.c.clock.advance(days=1)
    await _reply_to(g, 1, 2, "/heard al-mulk excellent 5 mistakes")
    async with g.c.db.unit_of_work() as uow:
        last = (await uow.session.execute(select(HifzRevision).order_by(HifzRevision.id.desc()))).scalars()
        assert next(iter(last)).rating == 2

    # The board: kindly, revision kept up this week.
    g.c.clock.advance(days=1)
    [board] = await g.send(1, "/halaqa board")
    assert board.splitlines() == [
        "🌿 Revision this week",
        "• Omar: revised on 2 days, 6 pages (hifz: 3 pages)",
        "Every page kept is a blessing. 🤲",
    ]
    await g.send(2, "/halaqa unshare")
    [empty] = await g.send(1, "/halaqa board")
    assert empty.startswith("No one shares their hifz")


async def test_an_edited_heard_command_does_not_record_the_recitation_again(circle):
    """An edit of the teacher's /heard must not give the student a second review of one recitation. Edits
    go to the edit handler first (bot/app.py), and /heard's own filter takes new messages only (passing
    `filters=` to CommandHandler replaces its default, which takes edits too)."""
    g, c = circle, circle.c
    await g.send(1, "/halaqa")
    await g.send(2, "/halaqa share")
    await _reply_to(g, 1, 2, "/heard al-mulk weak 2 mistakes")
    [sent] = [call for call in c.fake.calls if call.method == "sendMessage" and "📝" in call.params["text"]]
    edit = c.updates.edited_message(
        1, "/heard al-mulk good", message_id=sent.result["message_id"] - 1, chat_id=GROUP, chat_title="Halaqa"
    )
    await c.process(edit)
    async with c.db.unit_of_work() as uow:
        sources = (await uow.session.execute(select(HifzRevision.source))).scalars().all()
    assert sorted(sources) == ["memorised", "teacher"]  # one recitation heard, recorded once
    assert c.errors == []
