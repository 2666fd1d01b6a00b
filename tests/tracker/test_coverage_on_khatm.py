"""The khatm row's coverage bitmap is the union of its readings, whatever happened to them."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select, text

from quran import TOTAL_AYAHS, Span
from storage import Database, upgrade
from storage.models import Khatm, User
from tracker import coverage, readings

NOW = datetime(2026, 3, 1, 20, 30, tzinfo=UTC)

ranges = st.lists(
    st.tuples(st.integers(1, TOTAL_AYAHS), st.integers(0, 400)).map(
        lambda p: (p[0], min(TOTAL_AYAHS, p[0] + p[1]))
    ),
    max_size=60,
)


@given(ranges)
def test_the_bitmap_says_what_merging_the_ranges_says(rs):
    mask = coverage.mask_of(rs)
    assert coverage.intervals_of(mask) == coverage.merge(rs)
    assert mask.bit_count() == coverage.covered_count(coverage.merge(rs))
    assert coverage.from_bytes(coverage.to_bytes(mask)) == mask
    assert len(coverage.to_bytes(mask)) <= coverage.MASK_BYTES


def test_the_whole_book_is_6236_bits_in_780_bytes():
    whole = coverage.range_mask(1, TOTAL_AYAHS)
    assert whole.bit_count() == TOTAL_AYAHS
    assert len(coverage.to_bytes(whole)) == 780
    assert coverage.intervals_of(whole) == [(1, TOTAL_AYAHS)]


async def _old_coverage(uow, khatm_id: int) -> list[coverage.Interval]:
    """The computation the bitmap replaced: merge every reading of the khatm."""
    return coverage.merge(await uow.readings.ranges_of_khatm(khatm_id))


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_after_random_logs_undos_and_deletes_the_row_matches_the_readings(db, seed):
    rng = random.Random(seed)
    async with db.unit_of_work() as uow:
        user = await uow.users.add(User(id=1, timezone="UTC", created_at=NOW))
    now = NOW
    for step in range(80):
        now += timedelta(minutes=7)
        async with db.unit_of_work() as uow:
            user = await uow.users.get(1)
            roll = rng.random()
            if roll < 0.7:
                spans = []
                for _ in range(rng.randint(1, 3)):
                    a = rng.randint(1, TOTAL_AYAHS)
                    spans.append(Span.from_indices(a, min(TOTAL_AYAHS, a + rng.randint(0, 900))))
                await readings.log_reading(uow, user, spans, now=now, update_id=step)
            elif roll < 0.85:
                await readings.undo_last(uow, user)
            else:
                recent = await readings.history(uow, user, 10)
                if recent:
                    await readings.delete_reading(uow, user, rng.choice(recent).id)
        async with db.unit_of_work() as uow:
            for khatm in (await uow.session.scalars(select(Khatm).where(Khatm.user_id == 1))).all():
                assert await readings.khatm_coverage(uow, khatm.id) == await _old_coverage(uow, khatm.id)


async def test_the_migration_backfills_existing_khatms(pg_database_factory):
    db = Database(await pg_database_factory())
    try:
        await upgrade(db.engine, "0005")
        async with db.engine.begin() as conn:
            await conn.execute(
                text(
                    "INSERT INTO users (id, timezone, created_at) VALUES (1, 'UTC', now()), (2, 'UTC', now())"
                )
            )
            await conn.execute(
                text(
                    "INSERT INTO khatms (id, user_id, number, started_at, completed_at) VALUES"
                    " (10, 1, 1, now(), NULL), (11, 2, 1, now(), now()), (12, 2, 2, now(), NULL)"
                )
            )
            await conn.execute(
                text(
                    "INSERT INTO readings"
                    " (user_id, khatm_id, start_index, end_index, local_date, recorded_at)"
                    " VALUES (1, 10, 1, 100, '2026-03-01', now()), (1, 10, 50, 150, '2026-03-01', now()),"
                    " (1, 10, 6000, 6236, '2026-03-02', now()), (2, 11, 7, 7, '2026-03-01', now())"
                )
            )
        await upgrade(db.engine)
        async with db.unit_of_work() as uow:
            assert await readings.khatm_coverage(uow, 10) == [(1, 150), (6000, 6236)]
            assert await readings.khatm_coverage(uow, 11) == [(7, 7)]
            assert await readings.khatm_coverage(uow, 12) == []
    finally:
        await db.dispose()


@given(ranges)
def test_complete_units_from_bitmaps_are_those_whose_every_ayah_is_covered(rs):
    from quran import JUZ_COUNT, PAGE_COUNT, juz_span, page_span

    merged = coverage.merge(rs)
    juz = [
        n
        for n in range(1, JUZ_COUNT + 1)
        if coverage.contains(merged, juz_span(n).first_index, juz_span(n).last_index)
    ]
    pages = sum(
        1
        for n in range(1, PAGE_COUNT + 1)
        if coverage.contains(merged, page_span(n).first_index, page_span(n).last_index)
    )
    assert coverage.complete_juz(merged) == juz
    assert coverage.complete_pages(merged) == pages
