"""tracker.logbook: what a log means, whatever chat it came from (on Postgres and SQLite)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from quran import juz_span, page_span
from tests.harness import make_user
from tracker import circles, logbook

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


async def _two_circles(uow):
    """User 1 in two circles: -100 announces logs, -200 does not; user 2 only in -100."""
    a = await make_user(uow, 1, at=NOW, first_name="Aisha", onboarded=True)
    b = await make_user(uow, 2, at=NOW, first_name="Omar", onboarded=True)
    loud, _ = await circles.create_circle(uow, -100, "Loud", a, NOW)
    quiet, _ = await circles.create_circle(uow, -200, "Quiet", a, NOW)
    await circles.join(uow, loud, b, NOW)
    await circles.set_announce(uow, loud, True)
    await circles.set_announce(uow, quiet, False)
    return a, b, loud, quiet


async def test_a_log_records_the_spans_and_names_the_circles_that_announce(db):
    async with db.unit_of_work() as uow:
        a, _, loud, _ = await _two_circles(uow)
        logged = await logbook.record_log(uow, a, [page_span(1)], now=NOW, update_id=7)
        assert [(r.start_index, r.end_index) for r in logged.result.readings] == [
            (page_span(1).first_index, page_span(1).last_index)
        ]
        assert logged.finished_juz == []
        assert logged.refresh == frozenset()
        assert logged.announce == frozenset({loud.id})
        assert logged.circles_with_news == [loud.id]


async def test_a_log_that_covers_a_claimed_juz_finishes_it_and_refreshes_only_that_circle(db):
    async with db.unit_of_work() as uow:
        a, _, loud, quiet = await _two_circles(uow)
        rnd = await circles.start_round(uow, quiet, NOW)
        await circles.claim_juz(uow, rnd.id, 3, a, NOW)
        later = NOW + timedelta(hours=1)
        logged = await logbook.record_log(uow, a, [juz_span(3)], now=later, update_id=8)
        assert logged.finished_juz == [(rnd.id, 3)]
        assert logged.refresh == frozenset({quiet.id})
        assert logged.circles_with_news == sorted({loud.id, quiet.id})
        # Telegram redelivers the update: nothing is logged or finished twice.
        again = await logbook.record_log(uow, a, [juz_span(3)], now=later, update_id=8)
        assert again.result.duplicate and again.finished_juz == [] and again.refresh == frozenset()


async def test_the_wird_button_logs_todays_portion_once(db):
    async with db.unit_of_work() as uow:
        a, _, loud, _ = await _two_circles(uow)
        await circles.set_wird(uow, loud, 2, date(2026, 3, 10))
        logged = await logbook.record_wird(uow, loud, a, now=NOW, update_id=9)
        assert logged is not None and logged.result.spans[0].first_index == page_span(1).first_index
        assert logged.result.readings[0].source == "circle"
        assert logged.announce == frozenset({loud.id})
        assert await logbook.record_wird(uow, loud, a, now=NOW, update_id=10) is None  # read already
        stranger = await make_user(uow, 3, at=NOW)
        assert await logbook.record_wird(uow, loud, stranger, now=NOW, update_id=11) is None
