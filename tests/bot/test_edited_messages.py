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


# An edit that is a question ("kahv": did you mean Al-Kahf?) asks with buttons and stores no guess; a tap
# corrects the edited message's log, once, while the question still stands.


async def _coverage(c, user_id: int) -> int:
    """Ayahs of the open khatm covered, from its bitmap."""
    from tracker import coverage

    async with c.db.unit_of_work() as uow:
        khatm = await uow.khatms.open_for(user_id)
        return coverage.from_bytes(khatm.coverage).bit_count() if khatm else 0


async def _tap(c, user_id: int, data: str, message: dict, **kw) -> tuple[list[str], list[str | None]]:
    before = len(c.fake.calls)
    await c.process(c.updates.callback(user_id, data, message, **kw))
    return c.texts_since(before), c.toasts_since(before)


def _stale(lang: str = "en") -> str:
    from bot.i18n import translator

    return translator(lang)("edit.stale")


KAHF_1_10 = (parse_reading("Al-Kahf 1-10")[0].first_index, parse_reading("Al-Kahf 1-10")[0].last_index)
MULK = (parse_reading("Al-Mulk")[0].first_index, parse_reading("Al-Mulk")[0].last_index)


async def _asked(c, user_id: int = 22) -> tuple[int, dict, str]:
    """Al-Mulk logged, then its message edited into "kahv 1-10": (the message, the question, the data of
    its Al-Kahf 1–10 answer)."""
    await c.onboard(user_id)
    message_id = await _say(c, user_id, "Al-Mulk")
    await _edit(c, user_id, "kahv 1-10", message_id)
    question, data = c.find_button(user_id, "Al-Kahf 1–10")
    return message_id, question, data


async def test_an_ambiguous_edit_asks_with_buttons_and_changes_nothing(conversation):
    c = conversation
    await c.onboard(22)
    message_id = await _say(c, 22, "Al-Mulk")
    replies = await _edit(c, 22, "kahv 1-10", message_id)
    assert (
        len(replies) == 1 and "did you mean Al-Kahf?" in replies[0] and "Tap the one you meant" in replies[0]
    )
    c.find_button(22, "Al-Kahf 1–10 ✓")
    assert _ranges(await c.readings(22)) == [MULK]  # a question, never a stored guess
    assert await _coverage(c, 22) == 30
    assert c.errors == []


async def test_the_answer_to_an_edit_corrects_that_log_once(conversation):
    c = conversation
    message_id, question, data = await _asked(c)
    texts, _ = await _tap(c, 22, data, question)
    assert len(texts) == 1 and texts[0].startswith("✏️ Corrected: Al-Mulk → Al-Kahf 1–10 · khatm ")
    [reading] = await c.readings(22)  # corrected in place: no second log
    assert _ranges([reading]) == [KAHF_1_10] and reading.source_text == "kahv 1-10"
    assert await _coverage(c, 22) == 10
    assert c.fake.buttons(c.fake.message(22, question["message_id"])) == []  # the question became its answer
    texts, toasts = await _tap(c, 22, data, question)  # a second tap (the old keyboard, a slow client)
    assert texts == [] and toasts == [_stale()]
    assert _ranges(await c.readings(22)) == [KAHF_1_10] and await _coverage(c, 22) == 10
    # The message's log is the corrected one: a later edit corrects it again.
    replies = await _edit(c, 22, "Al-Kahf 1-20", message_id)
    assert "Corrected" in replies[0] and len(await c.readings(22)) == 1
    assert c.errors == []


async def test_a_redelivered_answer_corrects_once_and_repeats_its_reply(conversation):
    c = conversation
    _, question, data = await _asked(c)
    update = c.updates.callback(22, data, question)
    await c.process(update)
    before = len(c.fake.calls)
    await c.process(update)  # Telegram delivers the same tap again
    [repeated] = [call for call in c.fake.calls[before:] if call.method == "editMessageText"]
    assert "Corrected" in repeated.params["text"]  # the first answer again (Telegram: "not modified")
    assert _ranges(await c.readings(22)) == [KAHF_1_10] and await _coverage(c, 22) == 10


async def test_an_answer_after_undo_is_out_of_date(conversation):
    c = conversation
    message_id, question, data = await _asked(c)
    await c.send(22, "/undo")
    texts, toasts = await _tap(c, 22, data, question)
    assert texts == [] and toasts == [_stale()]
    assert await c.readings(22) == [] and await _coverage(c, 22) == 0
    before = len(c.fake.calls)
    replies = await _edit(c, 22, "kahv 1-20", message_id)  # no log left to correct: nothing to ask
    assert "did you mean Al-Kahf?" in replies[0] and "Tap the one" not in replies[0]
    assert all(not c.fake.buttons(call.params.get("reply_markup")) for call in c.fake.calls[before:])


async def test_an_answer_after_a_further_edit_is_out_of_date(conversation):
    c = conversation
    await c.onboard(22)
    message_id = await _say(c, 22, "Al-Mulk")
    await _edit(c, 22, "kahv 1-10", message_id)
    first_question, first_answer = c.find_button(22, "Al-Kahf 1–10")
    await _edit(c, 22, "kahv 1-20", message_id)  # asked again, about what the message says now
    _, toasts = await _tap(c, 22, first_answer, first_question)
    assert toasts == [_stale()] and _ranges(await c.readings(22)) == [MULK]
    question, data = c.find_button(22, "Al-Kahf 1–20")
    await _edit(c, 22, "Al-Kahf 500-900", message_id)  # not a reading at all: explained, nothing asked
    _, toasts = await _tap(c, 22, data, question)
    assert toasts == [_stale()] and _ranges(await c.readings(22)) == [MULK]
    await _edit(c, 22, "kahv 1-30", message_id)
    question, data = c.find_button(22, "Al-Kahf 1–30")
    await _edit(c, 22, "Yaseen", message_id)  # now it says something plain: corrected at once
    texts, toasts = await _tap(c, 22, data, question)
    assert texts == [] and toasts == [_stale()]
    [yaseen] = parse_reading("Yaseen")
    assert _ranges(await c.readings(22)) == [(yaseen.first_index, yaseen.last_index)]
    assert await _coverage(c, 22) == 83
    assert c.errors == []


async def test_an_arabic_edit_that_asks_is_answered_in_arabic(conversation):
    from quran import page_span

    c = conversation
    await c.onboard(23, language="ar")
    message_id = await _say(c, 23, "الملك", language_code="ar")
    replies = await _edit(c, 23, "ص ٥", message_id, language_code="ar")
    assert replies[0].startswith("🤔 سورة ص ٥ أم الصفحة ٥؟") and "اضغط على ما تقصده:" in replies[0]
    assert _ranges(await c.readings(23)) == [MULK]
    page5 = page_span(5)
    question, data = c.find_button(23, f"صفحة ٥: {page5.label('ar')}")
    texts, _ = await _tap(c, 23, data, question, language_code="ar")
    assert texts[0].startswith(f"✏️ صُحّح التسجيل: الملك ← {page5.label('ar')} · الختمة ")
    assert _ranges(await c.readings(23)) == [(page5.first_index, page5.last_index)]
    _, toasts = await _tap(c, 23, data, question, language_code="ar")
    assert toasts == [_stale("ar")]


async def test_in_a_group_only_the_editor_can_answer_their_edit(conversation):
    c = conversation
    c.fake.set_admins(GROUP, [1])
    group = {"chat_id": GROUP, "chat_title": "Halaqa"}
    await _say(c, 1, "/circle", **group)
    await _say(c, 2, "/join", **group)
    log = await _say(c, 1, "/log kahf 1-20", **group)
    replies = await _edit(c, 1, "/log kahv 1-10", log, **group)
    assert len(replies) == 1 and "did you mean Al-Kahf?" in replies[0]
    question, data = c.find_button(GROUP, "Al-Kahf 1–10")
    _, toasts = await _tap(c, 2, data, question, first_name="Omar")  # another member taps it
    assert toasts == [_stale()] and await c.readings(2) == []
    assert [r.end_index - r.start_index for r in await c.readings(1)] == [19]
    texts, _ = await _tap(c, 1, data, question, first_name="Aisha")
    assert len(texts) == 1 and texts[0].startswith("✏️ Corrected: Al-Kahf 1–20 → Al-Kahf 1–10")
    assert _ranges(await c.readings(1)) == [KAHF_1_10]
    assert c.errors == []
