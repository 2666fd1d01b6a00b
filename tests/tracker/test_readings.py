"""Logging rules on both backends: idempotency, khatm rollover, undo, ownership."""

from __future__ import annotations

from datetime import UTC, date, datetime

from quran import TOTAL_AYAHS, Span, juz_span
from storage.models import User
from tests.harness import make_user
from tracker import readings
from tracker.progress import progress

NOW = datetime(2026, 3, 1, 20, 30, tzinfo=UTC)


async def _user(uow, user_id=1, timezone="UTC") -> User:
    return await make_user(uow, user_id, at=NOW, timezone=timezone)


async def test_local_date_is_the_users_calendar_day(db):
    async with db.unit_of_work() as uow:
        auckland = await _user(uow, 1, "Pacific/Auckland")  # 09:30 on 2 March there
        pago = await _user(uow, 2, "Pacific/Pago_Pago")  # 09:30 on 1 March there
        a = await readings.log_reading(uow, auckland, [juz_span(1)], now=NOW)
        b = await readings.log_reading(uow, pago, [juz_span(1)], now=NOW)
        c = await readings.log_reading(uow, pago, [juz_span(2)], now=NOW, yesterday=True)
    assert a.readings[0].local_date == date(2026, 3, 2)
    assert b.readings[0].local_date == date(2026, 3, 1)
    assert c.readings[0].local_date == date(2026, 2, 28)


async def test_same_update_logs_once_and_reports_duplicate(db):
    async with db.unit_of_work() as uow:
        user = await _user(uow)
        first = await readings.log_reading(uow, user, [juz_span(1)], now=NOW, update_id=5)
        again = await readings.log_reading(uow, user, [juz_span(1)], now=NOW, update_id=5)
    assert (first.duplicate, again.duplicate) == (False, True)
    assert [r.id for r in again.readings] == [r.id for r in first.readings]


async def test_overlaps_count_once_toward_the_khatm_but_all_are_activity(db):
    async with db.unit_of_work() as uow:
        user = await _user(uow)
        await readings.log_reading(uow, user, [Span.from_indices(1, 100)], now=NOW)
        r = await readings.log_reading(uow, user, [Span.from_indices(50, 150)], now=NOW)
        assert (r.covered, r.new_ayahs) == (150, 50)
        activity = await uow.readings.days_since([user.id], date(2026, 3, 1))
        assert sum(b - a + 1 for _, _, a, b in activity) == 201


async def test_completing_rolls_over_and_undo_reopens(db):
    async with db.unit_of_work() as uow:
        user = await _user(uow)
        await readings.log_reading(uow, user, [Span.from_indices(1, TOTAL_AYAHS - 1)], now=NOW)
        done = await readings.log_reading(uow, user, [Span.from_indices(TOTAL_AYAHS, TOTAL_AYAHS)], now=NOW)
        assert done.completed_khatm == 1 and done.covered == TOTAL_AYAHS
        assert (await progress(uow, user, NOW)).khatm_number == 2
        removed = await readings.undo_last(uow, user)
        assert removed.reopened_khatm == 1
        p = await progress(uow, user, NOW)
        assert (p.khatm_number, p.covered) == (1, TOTAL_AYAHS - 1)


async def test_nobody_can_remove_another_users_reading(db):
    async with db.unit_of_work() as uow:
        owner = await _user(uow, 1)
        other = await _user(uow, 2)
        r = await readings.log_reading(uow, owner, [juz_span(1)], now=NOW)
        assert await readings.undo_log(uow, other, r.readings[0].id) is None
        assert await readings.delete_reading(uow, other, r.readings[0].id) is None
        assert len(await readings.history(uow, owner)) == 1


async def test_pace_counts_from_the_first_reading_within_two_weeks(db):
    from tracker.progress import recent_pace

    async with db.unit_of_work() as uow:
        user = await _user(uow)
        assert await recent_pace(uow, user.id, date(2026, 3, 1)) == 0.0
        await readings.log_reading(uow, user, [Span.from_indices(1, 20)], now=NOW)  # 1 March
        assert await recent_pace(uow, user.id, date(2026, 3, 1)) == 20.0  # one day
        assert await recent_pace(uow, user.id, date(2026, 3, 4)) == 5.0  # four days
        assert await recent_pace(uow, user.id, date(2026, 3, 20)) == 0.0  # out of window
