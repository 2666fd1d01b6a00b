"""The rough edges of daily use, each as a conversation: what a reader types, what the bot answers."""

from __future__ import annotations

from datetime import UTC, datetime

from quran import surah_span


def _labels(c, chat_id: int) -> list[str]:
    message = c.fake.message(chat_id, c.last(chat_id).message_id)
    return [text for row in c.fake.buttons(message.get("reply_markup")) for text, _ in row]


async def test_habit_presets_are_switches_that_say_what_changed(conversation):
    c = conversation
    c.clock.set(datetime(2026, 12, 4, 9, tzinfo=UTC))  # a Friday in December
    await c.send(1, "/goal")
    [reply] = await c.press(1, "Al-Mulk every night")
    assert reply.startswith("✅ Added: Al-Mulk every night.\nYour goal: no goal yet\n• Al-Mulk every night")
    assert "Goal set" not in reply
    assert "✓ Al-Mulk every night" in _labels(c, 1)
    [reply] = await c.press(1, "Al-Kahf every Friday")
    assert reply.startswith("✅ Added: Al-Kahf every Friday.")
    assert "• Al-Kahf every Friday" in reply and "• Al-Mulk every night" in reply
    [reply] = await c.press(1, "Al-Kahf every Friday")  # again: removed, alone
    assert reply.startswith("☑️ Removed: Al-Kahf every Friday.")
    assert "• Al-Mulk every night" in reply and "Al-Kahf every Friday\n" not in reply
    async with c.db.unit_of_work() as uow:
        kahf = await uow.reminders.get(1, "kahf", 1)
    assert kahf is not None and not kahf.enabled  # its Friday reminder went with it


async def test_next_with_only_a_habit_offers_the_habit_and_done_logs_it(conversation):
    c = conversation
    await c.send(2, "/goal")
    await c.press(2, "Al-Mulk every night")
    [reply] = await c.send(2, "/next")
    assert reply == "🌙 Al-Mulk is due today\n📖 Next: Al-Mulk"
    [reply] = await c.press(2, "Al-Mulk")
    assert reply.startswith("✅ Al-Mulk · 30 ayahs")
    [reading] = await c.readings(2)
    mulk = surah_span(67)
    assert (reading.start_index, reading.end_index) == (mulk.first_index, mulk.last_index)


async def test_the_ramadan_plan_is_offered_only_near_and_during_ramadan(conversation):
    c = conversation
    c.clock.set(datetime(2026, 12, 1, 9, tzinfo=UTC))  # Ramadan 1448 begins about 8 February 2027
    await c.send(3, "/goal")
    assert not any("Ramadan" in label for label in _labels(c, 3))
    c.clock.set(datetime(2027, 1, 20, 9, tzinfo=UTC))  # still more than 14 days ahead
    await c.send(3, "/goal")
    assert not any("Ramadan" in label for label in _labels(c, 3))
    c.clock.set(datetime(2027, 1, 30, 9, tzinfo=UTC))  # within 14 days
    await c.send(3, "/goal")
    [reply] = await c.press(3, "Ramadan")
    assert reply.startswith("✅ Goal set: a khatm by March 8, 2027")  # Ramadan's last day, not today + 29


async def test_an_old_ramadan_button_outside_the_window_sets_nothing(conversation):
    c = conversation
    c.clock.set(datetime(2027, 1, 30, 9, tzinfo=UTC))
    await c.send(4, "/goal")
    c.clock.set(datetime(2027, 4, 1, 9, tzinfo=UTC))  # Ramadan is over
    message, data = c.find_button(4, "Ramadan")
    before = len(c.fake.calls)
    await c.process(c.updates.callback(4, data, message))
    assert c.toasts_since(before) == ["The Ramadan plan opens 14 days before Ramadan."]
    [reply] = await c.send(4, "/goal")
    assert "Your goal: no goal yet" in reply


async def test_help_lists_stats_and_remind(conversation):
    c = conversation
    [reply] = await c.send(5, "/help")
    assert "/stats — charts of your reading" in reply
    assert "/remind — reminders at your time" in reply


async def test_remind_off_means_all_and_one_kind_can_be_turned_off_alone(conversation):
    c = conversation
    await c.onboard(6)  # streak warning and weekly summary on by default
    await c.send(6, "/remind 07:30")
    await c.send(6, "/remind kahf 10:00")
    [reply] = await c.send(6, "/remind daily off")
    assert reply.startswith("✅ Saved.\nReminders (your time, UTC)\nDaily: off\nStreak warning: 21:00")
    assert "Al-Kahf on Fridays: 10:00\nWeekly summary: Mondays 09:00" in reply
    [reply] = await c.send(6, "/remind off")
    assert reply.startswith(
        "✅ Saved.\nReminders (your time, UTC)\nDaily: off\nStreak warning: off\n"
        "Al-Kahf on Fridays: off\nWeekly summary: off"
    )
    async with c.db.unit_of_work() as uow:
        assert not any(r.enabled for r in await uow.reminders.for_user(6))


async def test_daily_and_streak_reminders_in_the_same_minute_get_a_word(conversation):
    c = conversation
    await c.onboard(7)
    [reply] = await c.send(7, "/remind 20:00")
    assert "both at" not in reply
    [reply] = await c.send(7, "/remind 21:00")
    assert (
        "ℹ️ The daily reminder and the streak warning are both at 21:00: they will arrive together." in reply
    )


async def test_history_is_paged_by_reading_date(conversation):
    c = conversation
    for day in range(12):  # twelve days, logged out of order: the last one is for the earliest day
        c.clock.set(datetime(2026, 3, 1 + day, 12, tzinfo=UTC))
        await c.send(8, f"2:{day + 1}")
    await c.send(8, "yesterday 3:1")  # logged last, read on 11 March
    [reply] = await c.send(8, "/history")
    lines = reply.splitlines()
    assert lines[1:4] == [
        "1. Al-Baqara 12 — March 12, 2026",
        "2. Aal-i-Imraan 1 — March 11, 2026",
        "3. Al-Baqara 11 — March 11, 2026",
    ]
    assert lines[-1] == "Page 1 of 2"
    [reply] = await c.press(8, "Older")
    assert reply.splitlines()[1:] == [
        "11. Al-Baqara 3 — March 3, 2026",
        "12. Al-Baqara 2 — March 2, 2026",
        "13. Al-Baqara 1 — March 1, 2026",
        "Page 2 of 2",
    ]
    [reply] = await c.press(8, "Newer")
    assert reply.splitlines()[1].startswith("1. Al-Baqara 12")


async def test_delete_asks_first_keep_changes_nothing_and_undo_brings_it_back(conversation):
    c = conversation
    await c.send(9, "Al-Kahf 1-20")
    await c.send(9, "/history")
    assert await c.press(9, "🗑 1") == ["Delete Al-Kahf 1–20 (March 10, 2026)?"]
    assert len(await c.readings(9)) == 1  # nothing deleted yet
    [reply] = await c.press(9, "Keep it")
    assert reply.splitlines()[1] == "1. Al-Kahf 1–20 — March 10, 2026"
    await c.press(9, "🗑 1")
    [reply] = await c.press(9, "Yes, delete")
    assert reply.splitlines() == [
        "🗑 Deleted Al-Kahf 1–20 (March 10, 2026).",
        "Nothing logged yet. Tell me what you read, like Al-Faatiha.",
    ]
    assert await c.readings(9) == []
    [reply] = await c.press(9, "Undo")
    assert reply.splitlines()[:2] == [
        "↩️ Restored Al-Kahf 1–20 (March 10, 2026).",
        "Recent readings (tap 🗑 to delete one):",
    ]
    [restored] = await c.readings(9)
    assert (restored.local_date.isoformat(), restored.source) == ("2026-03-10", "message")


async def test_excuse_today_is_not_offered_once_today_is_read(conversation):
    c = conversation
    await c.send(10, "/streak")
    assert "Excuse today" in _labels(c, 10)
    await c.send(10, "Al-Ikhlas")
    [reply] = await c.send(10, "/streak")
    assert reply.splitlines()[1] == "Today is done ✓"
    assert "Excuse today" not in _labels(c, 10)
    assert "Excuse yesterday" in _labels(c, 10)


async def test_an_empty_stats_says_nothing_yet_instead_of_empty_charts(conversation):
    c = conversation
    before = len(c.fake.calls)
    [reply] = await c.send(11, "/stats")
    assert reply.startswith("📊 Nothing yet — your charts start with your first reading.")
    assert [call for call in c.fake.calls[before:] if call.method == "sendPhoto"] == []


async def test_a_log_that_adds_nothing_new_says_so(conversation):
    c = conversation
    [first] = await c.send(12, "Al-Kahf 1-20")
    assert "nothing new" not in first
    [again] = await c.send(12, "kahf 5-10")
    assert (
        again.splitlines()[1]
        == "(Already in your khatm — nothing new to count, but every reading is rewarded.)"
    )


async def test_next_after_todays_target_offers_reading_ahead(conversation):
    c = conversation
    await c.send(13, "/goal 1 pages")
    await c.send(13, "page 1")
    [reply] = await c.send(13, "/next")
    assert reply.splitlines() == [
        "🎯 Today's target (1 page) is done ✓",
        "🌱 Reading ahead? Next: Al-Baqara 1–5",
    ]
    [reply] = await c.press(13, "Done ✓")
    assert reply.startswith("✅ Al-Baqara 1–5")


async def test_hello_before_start_gets_a_welcome_not_a_parse_error(conversation):
    c = conversation
    [reply] = await c.send(14, "hello")
    assert reply.startswith("Assalamu alaikum! 🌙 I keep track of your Quran reading. Send /start to begin")
    assert "didn't understand" not in reply
    [reply] = await c.send(14, "Al-Kahf 1-20")  # a reading is logged even before /start
    assert reply.startswith("✅ Al-Kahf 1–20")
    [reply] = await c.send(15, "مرحبا", language="ar")
    assert reply.startswith("السلام عليكم! 🌙")


async def test_labels_merge_neighbours_and_echo_the_unit_used(conversation):
    c = conversation
    [reply] = await c.send(
        16, "kahf 1-5, 6-10, 11-15, 16-20, 21-25, 26-30, 31-35, 36-40, 41-45, 46-50, 51-55"
    )
    assert reply.startswith("✅ Al-Kahf 1–55 · 55 ayahs")
    [reply] = await c.send(16, "Al-Baqara 1-5 and Al-Baqara 10-20")
    assert reply.startswith("✅ Al-Baqara 1–5, Al-Baqara 10–20 · 16 ayahs")  # not neighbours: two
    [reply] = await c.send(16, "juz 3")
    assert reply.startswith("✅ juz 3 (Al-Baqara 253 – Aal-i-Imraan 92) · ")
    [reply] = await c.send(16, "page 5")
    assert reply.startswith("✅ page 5 (Al-Baqara 25–29) · ")


async def test_a_daily_goal_in_minutes_and_reading_for_minutes(conversation):
    c = conversation
    [reply] = await c.send(17, "/goal 15 minutes")
    assert reply.startswith("✅ Goal set: 15 minutes a day\n🎯 Today: 15 minutes · 15 minutes left")
    [reply] = await c.send(17, "read for 10 minutes")
    assert (
        reply
        == "⏱ 10 minutes of reading logged — may Allah accept it.\n🎯 Today: 15 minutes · 5 minutes left"
    )
    [reply] = await c.send(17, "5 min")
    assert reply.endswith("🎯 Today's target (15 minutes) is done ✓")
    assert await c.readings(17) == []  # time covers no ayahs: the khatm does not move
    [reply] = await c.send(17, "/streak")
    assert reply.startswith("🔥 Streak: 1 day\nToday is done ✓")  # a streak day counts minutes
    [reply] = await c.send(18, "قرأت ٢٠ دقيقة", language="ar")
    assert reply.startswith("⏱ سُجّلت ٢٠ دقيقة من القراءة")


async def test_minutes_are_logged_once_per_update(conversation):
    c = conversation
    update = c.updates.message(19, "read for 20 minutes")
    await c.process(update)
    await c.process(update)  # Telegram delivers it again
    async with c.db.unit_of_work() as uow:
        assert await uow.minutes.on_days({19: c.clock().date()}) == {19: 20}


async def test_circle_commands_in_private_say_where_they_work(conversation):
    c = conversation
    for command in ("/circle", "/join", "/board"):
        [reply] = await c.send(20, command)
        assert (
            reply
            == f"{command} is for study circles in groups: add me to a Telegram group and send it there."
        )
    [reply] = await c.send(20, "/frobnicate")
    assert reply == "I don't know /frobnicate. See /help for what I can do."
