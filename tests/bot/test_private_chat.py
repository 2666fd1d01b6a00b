"""End-to-end private conversations: the real Application on Postgres, Telegram faked at HTTP."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from bot.app import set_command_menu
from quran import Ayah
from storage.models import Khatm, Reading, User

KAHF_1 = Ayah(18, 1).index


async def test_onboarding_language_then_typed_city(conversation):
    c = conversation
    replies = await c.send(1, "/start", language="ar-EG")
    assert replies[0].startswith("السلام عليكم")  # Telegram's language, at once
    replies = await c.press(1, "English")
    assert replies[0] == "Language: English ✓"
    assert "Which timezone are you in?" in replies[-1]
    replies = await c.send(1, "karachi")
    assert replies[0] == "Timezone: Asia/Karachi (UTC+5) ✓"
    assert "All set!" in replies[1]
    user = await c.user(1)
    assert (user.language, user.timezone) == ("en", "Asia/Karachi")
    assert user.onboarded_at == c.clock.now
    assert c.errors == []


async def test_onboarding_is_skippable_in_one_tap(conversation):
    c = conversation
    await c.send(2, "/start")
    await c.press(2, "English")
    replies = await c.press(2, "Skip")
    assert replies[0].startswith("Keeping timezone UTC")
    assert (await c.user(2)).onboarded_at is not None
    assert (await c.send(2, "/start"))[0].startswith("Welcome back")


async def test_timezone_from_a_shared_location_or_an_offset(conversation):
    c = conversation
    await c.send(3, "/start")
    await c.press(3, "English")
    before = len(c.fake.calls)
    await c.process(c.updates.location(3, 21.4225, 39.8262))  # Makkah
    assert c.texts_since(before)[0] == "Timezone: Asia/Riyadh (UTC+3) ✓"
    await c.send(3, "/settings")
    await c.press(3, "Change timezone")
    replies = await c.press(3, "UTC+5")
    assert replies[0].startswith("Timezone: UTC+5 ✓")  # never the inverted POSIX name Etc/GMT-5


async def test_an_arabic_user_sees_and_types_offsets_as_arabic_writes_them(conversation):
    c = conversation
    await c.send(30, "/start", language="ar")
    replies = await c.press(30, "العربية", language="ar")
    labels = [text for row in c.fake.buttons(c.last(30).message.get("reply_markup")) for text, _ in row]
    assert labels[:10] == [
        "غرينتش−٥", "غرينتش", "غرينتش+١", "غرينتش+٢", "غرينتش+٣",
        "غرينتش+٤", "غرينتش+٥", "غرينتش+٦", "غرينتش+٧", "غرينتش+٨",
    ]  # fmt: skip
    assert "الحالية: UTC." not in replies[-1] and "الحالية: غرينتش." in replies[-1]
    replies = await c.press(30, "غرينتش+٣", language="ar")
    assert replies[0] == "المنطقة الزمنية: غرينتش+٣ ✓"
    assert (await c.user(30)).timezone == "Etc/GMT-3"
    # What the bot shows can be typed back, and the question says the current zone the same way
    await c.send(30, "/settings", language="ar")
    replies = await c.press(30, "تغيير المنطقة", language="ar")
    assert "الحالية: غرينتش+٣." in replies[-1]  # not the inverted POSIX name "Etc/GMT-3"
    replies = await c.send(30, "غرينتش +٥:٣٠", language="ar")
    assert replies[0] == "المنطقة الزمنية: غرينتش+٥:٣٠ ✓"
    assert (await c.user(30)).timezone == "UTC+05:30"


async def test_a_letter_and_a_number_are_not_an_offset(conversation):
    c = conversation
    await c.send(31, "/start")
    await c.press(31, "English")
    replies = await c.send(31, "k5")  # once read as "UTC+5", and stored
    assert replies[0].startswith("I couldn't find a timezone for “k5”")
    assert (await c.user(31)).timezone == "UTC"


async def test_an_unknown_timezone_gets_help_not_a_parse_error(conversation):
    c = conversation
    await c.send(4, "/start")
    await c.press(4, "English")
    replies = await c.send(4, "Atlantis")
    assert replies[0].startswith("I couldn't find a timezone for “Atlantis”")
    assert (await c.user(4)).timezone == "UTC"


async def test_language_changes_later_in_settings(conversation):
    c = conversation
    await c.onboard(5)
    await c.send(5, "/settings")
    await c.press(5, "Change language")
    replies = await c.press(5, "العربية")
    assert replies[0] == "اللغة: العربية ✓"
    assert (await c.send(5, "الكهف ١-٢٠"))[0] == "✅ الكهف ١–٢٠ · ٢٠ آية · الختمة ٠٫٣٪"


@pytest.mark.parametrize(
    ("text", "first", "last", "label"),
    [
        ("read Al-Kahf 1-20", (18, 1), (18, 20), "Al-Kahf 1–20 · 20 ayahs"),
        ("2:255", (2, 255), (2, 255), "Al-Baqara 255 · 1 ayah"),
        ("I read surah Yasin today", (36, 1), (36, 83), "Yaseen · 83 ayahs"),
        (
            "pages 45-50",
            (2, 265),
            (3, 9),
            "pages 45–50 (Al-Baqara 265 – Aal-i-Imraan 9) · 31 ayahs",
        ),  # Madani pages
        ("juz 30", (78, 1), (114, 6), "juz 30 (An-Naba 1 – An-Naas 6) · 564 ayahs"),
        ("finished surah mulk", (67, 1), (67, 30), "Al-Mulk · 30 ayahs"),
    ],
)
async def test_logging_in_many_phrasings(conversation, text, first, last, label):
    c = conversation
    replies = await c.send(10, text)
    assert replies[0].startswith(f"✅ {label} · khatm ")
    [reading] = await c.readings(10)
    assert (reading.start_index, reading.end_index) == (Ayah(*first).index, Ayah(*last).index)
    assert reading.source_text == text
    assert reading.local_date == date(2026, 3, 10)


async def test_arabic_user_logs_in_arabic_and_is_answered_in_arabic(conversation):
    c = conversation
    await c.onboard(11, language="ar")
    replies = await c.send(11, "قرأت الكهف ١-٢٠ وسورة الملك", language="ar")
    assert replies[0] == "✅ الكهف ١–٢٠، الملك · ٥٠ آية · الختمة ٠٫٨٪"
    assert [(r.start_index, r.end_index, r.part) for r in await c.readings(11)] == [
        (KAHF_1, KAHF_1 + 19, 0),
        (Ayah(67, 1).index, Ayah(67, 30).index, 1),
    ]
    replies = await c.send(11, "/progress", language="ar")
    assert "الختمة رقم ١" in replies[0] and "أكمل من" in replies[0]


async def test_a_message_that_does_not_parse_explains_and_saves_nothing(conversation):
    c = conversation
    replies = await c.send(12, "kahv 1-5")
    assert "did you mean Al-Kahf?" in replies[0]
    assert "Al-Kahf 1-20" in replies[0]  # an example to copy
    replies = await c.send(12, "Al-Kahf 1-200")
    assert "Al-Kahf has 110 ayahs" in replies[0]
    assert await c.readings(12) == []


async def test_yesterday_logs_for_the_previous_local_day(conversation):
    c = conversation
    await c.onboard(13, timezone="Asia/Kolkata")
    c.clock.set(datetime(2026, 3, 10, 19, 0, tzinfo=UTC))  # 00:30 on 11 March in Kolkata
    await c.send(13, "Al-Mulk")
    replies = await c.send(13, "yesterday Al-Kahf 1-10")
    assert replies[0].endswith("\nLogged for yesterday.")
    assert [r.local_date for r in await c.readings(13)] == [date(2026, 3, 11), date(2026, 3, 10)]


async def test_undo_button_and_undo_command(conversation):
    c = conversation
    await c.send(14, "Al-Fatiha")
    await c.send(14, "Al-Kahf 1-10 and Yasin")
    replies = await c.press(14, "Undo")
    assert replies == ["↩️ Removed: Al-Kahf 1–10, Yaseen."]
    assert [r.start_index for r in await c.readings(14)] == [1]
    assert (await c.send(14, "/undo")) == ["↩️ Removed: Al-Faatiha."]
    assert (await c.send(14, "/undo")) == ["There is nothing to undo."]


async def test_the_same_update_processed_twice_is_logged_once(conversation):
    c = conversation
    update = c.updates.message(15, "Al-Kahf 1-20 and 2:255")
    before = len(c.fake.calls)
    await c.process(update)
    first = c.texts_since(before)
    await c.process(update)  # a webhook retry: the first answer again, no second log
    assert len(await c.readings(15)) == 2
    assert c.texts_since(before) == first + first and "Al-Kahf" in first[0]
    assert c.errors == []


async def test_khatm_completion_congratulates_closes_and_opens_the_next(conversation):
    c = conversation
    await c.send(16, "juz 1-29")
    await c.send(16, "juz 2")  # a repeat counts once
    replies = await c.send(16, "juz amma")
    assert "Khatm #1 complete" in replies[0]
    assert "March 10, 2026 · 21 Ramadan 1447 AH" in replies[0]  # both calendars
    assert "khatm 100%" in replies[0]
    async with c.db.unit_of_work() as uow:
        khatms = (
            (await uow.session.execute(select(Khatm).where(Khatm.user_id == 16).order_by(Khatm.number)))
            .scalars()
            .all()
        )
    assert [(k.number, k.completed_at is not None) for k in khatms] == [(1, True), (2, False)]
    progress = (await c.send(16, "/progress"))[0]
    assert "Khatm #2 — 0.0%" in progress and "Khatms completed: 1" in progress
    assert "Continue from Al-Faatiha 1" in progress
    # Undoing the log that completed it reopens khatm 1, and history is kept throughout.
    replies = await c.press(16, "Undo")
    assert replies == ["↩️ Removed: An-Naba 1 – An-Naas 6.\nKhatm #1 is open again."]
    assert "Khatm #1 — 91.0%" in (await c.send(16, "/progress"))[0]


async def test_progress_says_where_to_continue_and_when_you_will_finish(conversation):
    c = conversation
    for day in range(7):
        c.clock.set(datetime(2026, 3, 1 + day, 9, 0, tzinfo=UTC))
        await c.send(17, f"Al-Baqara {1 + day * 20}-{20 + day * 20}")
    text = (await c.send(17, "/progress"))[0]
    assert "Khatm #1 — 2.2% (140 of 6,236 ayahs)" in text
    assert "Juz complete: 0 of 30 · Pages: 19 of 604" in text  # 2:141 is on page 20
    assert "Continue from Al-Baqara 141" in text
    # 140 ayahs over the 7 days since the first reading = 20 a day; 6096 left = 305 days from 7 March.
    assert "(~20 ayahs a day) you'll finish around January 6, 2027." in text


async def test_history_lists_recent_entries_with_delete_buttons(conversation):
    c = conversation
    await c.send(18, "Al-Fatiha")
    c.clock.advance(days=1)
    await c.send(18, "Al-Ikhlas")
    text = (await c.send(18, "/history"))[0]
    assert text.splitlines()[1:] == ["1. Al-Ikhlaas — March 11, 2026", "2. Al-Faatiha — March 10, 2026"]
    replies = await c.press(18, "🗑 2")
    assert replies == ["Delete Al-Faatiha (March 10, 2026)?"]
    replies = await c.press(18, "Yes, delete")
    assert replies[0].splitlines() == [
        "🗑 Deleted Al-Faatiha (March 10, 2026).",
        "Recent readings (tap 🗑 to delete one):",
        "1. Al-Ikhlaas — March 11, 2026",
    ]
    assert len(await c.readings(18)) == 1


async def test_buttons_cannot_touch_another_users_entries(conversation):
    c = conversation
    await c.send(19, "Al-Kahf")
    message, data = c.find_button(19, "Undo")
    before = len(c.fake.calls)
    await c.process(c.updates.callback(20, data, message))  # someone else's tap
    await c.process(c.updates.callback(20, data.replace("undo", "del"), message))
    assert c.toasts_since(before) == ["That button no longer applies."] * 2
    assert len(await c.readings(19)) == 1


async def test_pressing_a_button_of_a_deleted_entry_is_harmless(conversation):
    c = conversation
    await c.send(21, "Al-Kahf")
    await c.send(21, "/undo")
    before = len(c.fake.calls)
    await c.press(21, "Undo")  # the old confirmation's button
    assert c.toasts_since(before) == ["That button no longer applies."]
    assert c.errors == []


async def test_bad_input_gets_a_kind_reply_and_writes_nothing(conversation):
    c = conversation
    for update in (c.updates.sticker(22), c.updates.photo(22), c.updates.voice(22)):
        before = len(c.fake.calls)
        await c.process(update)
        assert c.texts_since(before) == [
            "I can only read text. Tell me what you read, like Al-Kahf 1-20 or page 5."
        ]
    before = len(c.fake.calls)
    await c.process(c.updates.edited_message(22, "Al-Kahf 1-10", message_id=1))
    assert c.texts_since(before) == [
        "I only read new messages. To change a log, use /undo and send it again."
    ]
    assert (await c.send(22, "/frobnicate"))[0] == "I don't know /frobnicate. See /help for what I can do."
    replies = await c.send(22, "surah " + "blorp" * 799)  # 4,001 characters
    assert len(replies) == 1 and replies[0].startswith("🤔") and len(replies[0]) < 1000
    replies = await c.send(22, "Al-Kahf " + "1 " * 1996)  # 1,996 ayahs, one by one
    assert replies == [
        "That is 1,996 passages in one message — I take up to 30 at a time. "
        "Please send them in smaller parts."
    ]
    assert await c.readings(22) == []
    assert c.errors == []


async def test_a_failure_mid_update_rolls_everything_back_and_apologises(conversation, monkeypatch):
    c = conversation
    import bot.handlers.reading as reading

    def explode(*args, **kwargs):
        raise RuntimeError("boom after the rows were written")

    monkeypatch.setattr(reading, "confirmation", explode)
    replies = await c.send(23, "Al-Kahf 1-20")
    assert replies == [
        "Sorry — something went wrong on my side and nothing was saved. Please try again in a moment."
    ]
    assert await c.readings(23) == []
    assert len(c.errors) == 1
    monkeypatch.undo()
    assert (await c.send(23, "Al-Kahf 1-20"))[0].startswith("✅")  # and a retry works


async def test_command_menu_is_set_in_english_and_arabic(conversation):
    c = conversation
    await set_command_menu(c.app)
    calls = c.fake.calls_to("setMyCommands")
    # One menu per scope (private chats, groups, group admins: tests/circles/test_menus_and_invites.py).
    assert [call.params.get("language_code") for call in calls] == [None, None, None, "ar", "ar", "ar"]
    assert calls[0].params["scope"] == {"type": "all_private_chats"}
    assert [cmd["command"] for cmd in calls[0].params["commands"]] == [
        "log",
        "progress",
        "next",
        "goal",
        "streak",
        "stats",
        "remind",
        "hifz",
        "review",
        "history",
        "undo",
        "settings",
        "export",
        "deleteme",
        "help",
    ]
    assert calls[3].params["commands"][0]["description"].startswith("تسجيل")


async def test_blocked_user_is_unblocked_when_they_write_again(conversation):
    c = conversation
    await c.send(24, "/start")
    async with c.db.unit_of_work() as uow:
        (await uow.users.get(24)).blocked_at = datetime(2026, 3, 1, tzinfo=UTC)
    await c.send(24, "/help")
    assert (await c.user(24)).blocked_at is None
    async with c.db.unit_of_work() as uow:
        assert await uow.session.scalar(select(func.count()).select_from(User)) == 1
        assert await uow.session.scalar(select(func.count()).select_from(Reading)) == 0


async def test_a_misspelt_city_is_a_question_not_a_stored_guess(conversation):
    c = conversation
    await c.send(32, "/start")
    await c.press(32, "English")
    replies = await c.send(32, "lahor")
    assert replies[0] == (
        "Did you mean Lahore? That is Asia/Karachi (UTC+5 now). Tap it to set it, or type your city again."
    )
    user = await c.user(32)
    assert (user.timezone, user.onboarded_at) == ("UTC", None)  # nothing stored yet
    replies = await c.press(32, "✓ Asia/Karachi")
    assert replies[0] == "Timezone: Asia/Karachi (UTC+5) ✓"
    assert (await c.user(32)).timezone == "Asia/Karachi"


async def test_a_misspelt_city_can_be_typed_again_instead(conversation):
    c = conversation
    await c.send(33, "/start", language="ar")
    await c.press(33, "العربية", language="ar")
    [question] = await c.send(33, "makka", language="ar")
    assert question.startswith("هل تقصد") and "Asia/Riyadh" in question and "غرينتش+٣" in question
    replies = await c.send(33, "Makkah", language="ar")  # spelt out: no question
    assert replies[0] == "المنطقة الزمنية: \u2068Asia/Riyadh\u2069 (غرينتش+٣) ✓"  # a Latin name, isolated
    assert (await c.user(33)).timezone == "Asia/Riyadh"
