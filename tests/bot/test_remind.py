"""/remind: reminders at the user's own local times, through the fake Bot API on Postgres."""

from __future__ import annotations

from datetime import UTC, datetime, time


async def _reminders(c, user_id):
    async with c.db.unit_of_work() as uow:
        return {
            (r.kind, r.slot): (r.local_time, r.enabled, r.next_due_at)
            for r in await uow.reminders.for_user(user_id)
        }


async def test_reminders_typed_and_tapped(conversation):
    c = conversation
    await c.onboard(1, timezone="Asia/Karachi")  # 21:00 streak warning, Monday summary
    text = (await c.send(1, "/remind"))[0]
    assert "Daily: off\nStreak warning: 21:00\nAl-Kahf on Fridays: off\nWeekly summary: Mondays 09:00" in text
    text = (await c.send(1, "/remind 06:30 21:15"))[0]
    assert text.startswith("✅ Saved.\nReminders (your time, Asia/Karachi)\nDaily: 06:30, 21:15")
    rows = await _reminders(c, 1)
    assert rows[("daily", 1)] == (time(6, 30), True, datetime(2026, 3, 11, 1, 30, tzinfo=UTC))  # 06:30 PKT
    assert rows[("daily", 2)][0] == time(21, 15)
    await c.press(1, "Streak warning off")
    await c.press(1, "07:00")  # one tap: a single daily time
    rows = await _reminders(c, 1)
    assert rows[("streak", 1)][1] is False and rows[("streak", 1)][2] is None
    assert (rows[("daily", 1)][:2], rows[("daily", 2)][1]) == ((time(7, 0), True), False)
    text = (await c.send(1, "/remind soon"))[0]
    assert text.startswith("I didn't understand that time.")
    await c.send(1, "/remind off")
    rows = await _reminders(c, 1)
    assert [enabled for (kind, _), (_, enabled, _) in rows.items() if kind == "daily"] == [False, False]


async def test_arabic_reminder_menu(conversation):
    c = conversation
    await c.onboard(2, language="ar")
    text = (await c.send(2, "/remind", language="ar"))[0]
    assert text.startswith("التذكيرات (بتوقيتك، \u2068UTC\u2069)\nاليومي: متوقف\nتنبيه السلسلة: ٢١:٠٠")


async def test_arabic_arguments_set_and_stop_reminders(conversation):
    c = conversation
    await c.onboard(3, language="ar")
    await c.send(3, "/remind الكهف ١٠:٠٠", language="ar")
    assert (await _reminders(c, 3))[("kahf", 1)][:2] == (time(10), True)
    await c.send(3, "/remind الكهف إيقاف", language="ar")
    assert not (await _reminders(c, 3))[("kahf", 1)][1]
