"""/stats, the khatm picture and the Ramadan plan, through the fake Bot API on Postgres."""

from __future__ import annotations

import struct
from datetime import UTC, date, datetime

from sqlalchemy import select

from storage.models import Goal


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


async def test_stats_sends_numbers_then_two_charts(conversation):
    c = conversation
    for day in range(1, 10):
        c.clock.set(datetime(2026, 3, day, 12, tzinfo=UTC))
        await c.send(1, f"page {day}")
    await c.send(1, "/goal 2 pages")
    before = len(c.fake.calls)
    replies = await c.send(1, "/stats")
    assert replies[0].splitlines() == [
        "📊 Your reading · March 9, 2026 · 20 Ramadan 1447 AH",
        "This week: 7 pages · 7 days",
        "This month: 9 pages · 9 days",
        "This year: 9 pages · 9 days",
        "All time: 9 pages · 9 days",
        "Recent pace: ~1 page a day",
        "Khatms completed: 0",
        "🔥 Streak: 9 days",
    ]
    calls = c.fake.calls[before:]
    assert [call.method for call in calls].count("sendChatAction") == 2  # "uploading a photo…"
    photos = [call for call in calls if call.method == "sendPhoto"]
    assert [p.files[0].filename for p in photos] == ["last-30-days.png", "year.png"]
    for p in photos:
        width, height = png_size(p.files[0].data)
        assert width > 400 and height > 200 and 5_000 < len(p.files[0].data) < 400_000


async def test_khatm_picture_from_progress(conversation):
    c = conversation
    await c.send(2, "juz 1-3")
    await c.send(2, "/progress")
    before = len(c.fake.calls)
    await c.press(2, "Khatm by juz")
    [photo] = [call for call in c.fake.calls[before:] if call.method == "sendPhoto"]
    assert photo.files[0].filename == "khatm-juz.png"
    assert png_size(photo.files[0].data)[0] > 300


async def test_ramadan_plan_is_offered_before_ramadan_and_ends_with_it(conversation):
    c = conversation
    c.clock.set(datetime(2026, 2, 10, 12, tzinfo=UTC))  # 1 Ramadan 1447 is 18 February
    text = (await c.send(3, "/progress"))[0]
    assert "🌙 Ramadan begins in 8 days." in text
    await c.press(3, "Start the Ramadan plan")
    async with c.db.unit_of_work() as uow:
        goal = (await uow.session.execute(select(Goal).where(Goal.user_id == 3))).scalar_one()
    assert (goal.kind, goal.preset, goal.target_date) == ("khatm_by", "ramadan", date(2026, 3, 19))
    assert "Ramadan" not in (await c.send(3, "/progress"))[0].split("\n\n")[-1]  # not offered again
    c.clock.set(datetime(2026, 1, 1, 12, tzinfo=UTC))  # seven weeks ahead: not yet
    assert "Ramadan" not in (await c.send(4, "/progress"))[0]
