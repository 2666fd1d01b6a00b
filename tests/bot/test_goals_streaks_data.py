"""Goals, /next, streaks and the user's data, end to end through the fake Bot API on Postgres."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

from sqlalchemy import func, select

from quran import Ayah, juz_span, page_of, page_span
from storage.models import Base


async def test_goal_preset_by_button_then_next_and_done(conversation):
    c = conversation
    await c.send(1, "yesterday Al-Fatiha")  # today starts from zero
    text = (await c.send(1, "/goal"))[0]
    assert "Your goal: no goal yet" in text
    replies = await c.press(1, "2 pages a day")
    assert replies[0].startswith("✅ Goal set: 2 pages a day\n🎯 Today: 2 pages · 2 pages left")
    assert "📖 Next: Al-Baqara 1–16" in replies[0]  # from where they are: pages 2-3
    replies = await c.send(1, "/next")
    assert replies[0] == "🎯 Today: 2 pages · 2 pages left\n📖 Next: Al-Baqara 1–16"
    replies = await c.press(1, "Done ✓")
    assert replies[0].startswith("✅ Al-Baqara 1–16 · 16 ayahs · khatm 0.4%")
    assert replies[0].endswith("🎯 Today's target (2 pages) is done ✓")
    [_, done] = await c.readings(1)
    assert (done.start_index, done.end_index, done.source) == (
        page_span(2).first_index,
        page_span(3).last_index,
        "reminder",
    )


async def test_every_log_shows_todays_target_and_what_is_left(conversation):
    c = conversation
    await c.send(2, "/goal 1 juz")
    reply = (await c.send(2, "Al-Baqara 1-70"))[0]
    assert "🎯 Today: 1 juz · 0.5 juz left" in reply  # juz 1 is 148 ayahs: 78 left
    reply = (await c.send(2, "/progress"))[0]
    assert "\n🎯 Today: 1 juz · 0.5 juz left" in reply


async def test_a_khatm_deadline_goal_typed_and_its_errors(conversation):
    c = conversation
    replies = await c.send(3, "/goal khatm in 30 days")
    assert replies[0].startswith(
        "✅ Goal set: a khatm by April 8, 2026\n🎯 Today: 208 ayahs · 208 ayahs left"
    )
    replies = await c.send(3, "/goal khatm by 2020-01-01")
    assert replies[0].startswith("That date has already passed.")
    replies = await c.send(3, "/goal lots")
    assert replies[0].startswith("I didn't understand that goal.\n\nExamples:")
    assert (await c.send(3, "/goal off"))[0].startswith("Goals cleared.")


async def test_habits_mulk_and_kahf(conversation):
    c = conversation
    c.clock.set(datetime(2026, 3, 13, 9, tzinfo=UTC))  # a Friday
    await c.send(4, "/goal")
    await c.press(4, "Al-Kahf every Friday")
    await c.send(4, "/goal")
    await c.press(4, "Al-Mulk every night")
    text = (await c.send(4, "/goal"))[0]
    assert "• Al-Kahf every Friday" in text and "• Al-Mulk every night" in text
    reply = (await c.send(4, "surah kahf"))[0]
    assert "🌙 Al-Kahf today ✓" in reply and "🌙 Al-Mulk is due today" in reply


async def test_streak_kindly_with_excuses_and_grace(conversation):
    c = conversation
    for day in range(4):
        c.clock.set(datetime(2026, 3, 1 + day, 12, tzinfo=UTC))
        await c.send(5, "Al-Ikhlas")
    c.clock.set(datetime(2026, 3, 6, 12, tzinfo=UTC))  # 5 March missed: graced
    text = (await c.send(5, "/streak"))[0]
    assert text.splitlines() == [
        "🔥 Streak: 4 days",
        "Read anything today to keep it going.",
        "Longest: 4 days",
        "This month: 4 days of reading",
        "Grace days: 0 of 1 left this week (a missed day is forgiven).",
    ]
    await c.press(5, "Excuse today")
    replies = await c.press(5, "Illness")
    assert replies[0].startswith("Excused March 6, 2026. Take care")
    assert "Excused: 1 day (they pause the streak)." in replies[0]
    replies = await c.press(5, "Turn grace days off")
    assert "Grace days are off" in replies[0]
    assert replies[0].startswith("🌱 No streak right now")  # without grace, 5 March breaks it


async def test_export_holds_every_reading_and_setting(conversation):
    c = conversation
    await c.onboard(6, timezone="Asia/Jakarta")
    await c.send(6, "Al-Kahf 1-10")
    await c.send(6, "juz 30")
    await c.send(6, "/goal 2 pages")
    before = len(c.fake.calls)
    await c.send(6, "/export")
    docs = [call for call in c.fake.calls[before:] if call.method == "sendDocument"]
    assert [d.files[0].filename for d in docs] == ["quran-tracker.json", "quran-tracker-readings.csv"]
    data = json.loads(docs[0].files[0].data)
    assert data["user"]["timezone"] == "Asia/Jakarta" and data["user"]["language"] == "en"
    assert [(r["start_index"], r["end_index"]) for r in data["readings"]] == [
        (Ayah(18, 1).index, Ayah(18, 10).index),
        (juz_span(30).first_index, juz_span(30).last_index),
    ]
    assert data["goals"][0]["kind"] == "pages" and data["khatms"][0]["number"] == 1
    owned = {t.name for t in Base.metadata.sorted_tables if "user_id" in t.c}
    assert owned <= set(data)  # every table that holds user rows is exported
    assert data["reminders"][0]["kind"] == "streak"  # on since onboarding
    rows = list(csv.reader(io.StringIO(docs[1].files[0].data.decode("utf-8-sig"))))
    assert rows[0][:5] == ["id", "local_date", "recorded_at_utc", "from", "to"]
    assert [r[3:6] for r in rows[1:]] == [["18:1", "18:10", "10"], ["78:1", "114:6", "564"]]


async def test_deleteme_after_confirmation_leaves_no_row(conversation):
    c = conversation
    await c.send(7, "Al-Kahf")
    await c.send(7, "/goal 1 juz")
    await c.send(8, "Al-Fatiha")  # someone else stays
    await c.send(7, "/deleteme")
    assert (await c.press(7, "No, keep it")) == ["Nothing was deleted."]
    await c.send(7, "/deleteme")
    replies = await c.press(7, "Yes, delete everything")
    assert replies[0].startswith("All your data is deleted.")
    async with c.db.unit_of_work() as uow:
        for table in Base.metadata.sorted_tables:
            for column in ("user_id", "created_by", "id"):
                if column in table.c and (column != "id" or table.name == "users"):
                    n = await uow.session.scalar(
                        select(func.count()).select_from(table).where(table.c[column] == 7)
                    )
                    assert n == 0, table.name
        assert await uow.users.get(8) is not None
    c.clock.advance(minutes=1)
    assert (await c.send(7, "/start"))[0].startswith("Assalamu alaikum")  # a fresh start, as promised


async def test_next_without_a_goal_offers_a_page_from_where_you_are(conversation):
    c = conversation
    await c.send(9, "Al-Kahf 1-20")
    end = page_span(page_of(Ayah(18, 21).index)).end  # the rest of that Madani page
    replies = await c.send(9, "/next")
    assert replies == [
        "No goal yet — here is a page from where you are. Set a daily goal with /goal.\n"
        f"📖 Next: Al-Kahf 21–{end.ayah}"
    ]
    replies = await c.press(9, "Done ✓")
    assert replies[0].startswith(f"✅ Al-Kahf 21–{end.ayah} · {end.ayah - 20} ayahs")


async def test_a_portions_done_tapped_twice_logs_it_once(conversation):
    """The Done ✓ under /next (and under a reminder's portion) logs that portion; a second tap of the
    same button — a double tap, or the old keyboard before the edit arrives — once logged it again."""
    c = conversation
    await c.send(10, "Al-Kahf 1-20")
    await c.send(10, "/next")
    message, data = c.find_button(10, "Done ✓")
    await c.process(c.updates.callback(10, data, message))
    before = len(c.fake.calls)
    await c.process(c.updates.callback(10, data, message))
    assert c.toasts_since(before) == ["That button no longer applies."]
    assert len(await c.readings(10)) == 2  # Al-Kahf 1-20, and the portion once
    assert c.errors == []
