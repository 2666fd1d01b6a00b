"""A group's text confirmations in the last minute: one window in the database, shared by every engine
(storage/confirmations.py), on Postgres and on SQLite. Time is passed in; nothing sleeps."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from storage import Database
from storage.models import GroupConfirmations
from tests.harness import T0

GROUP, OTHER = -1001234567890, -1009876543210
LIMIT, MINUTE = 8, timedelta(minutes=1)


async def _take(db: Database, chat_id: int = GROUP, at=T0) -> bool:
    async with db.unit_of_work() as uow:
        return await uow.confirmations.take(chat_id, at, limit=LIMIT, window=MINUTE)


async def test_a_group_gets_its_texts_until_the_oldest_is_a_minute_old(db):
    times = [T0 + timedelta(seconds=5 * n) for n in range(LIMIT)]  # 8 texts, 5 s apart
    assert [await _take(db, at=t) for t in times] == [True] * LIMIT
    assert not await _take(db, at=T0 + timedelta(seconds=59.999))
    assert await _take(db, OTHER, at=T0 + timedelta(seconds=59.999))  # another group: its own window
    assert await _take(db, at=T0 + MINUTE)  # the first is a minute old: its place is free
    assert not await _take(db, at=T0 + MINUTE + timedelta(seconds=4.999))  # the next leaves at 65 s
    assert await _take(db, at=T0 + MINUTE + timedelta(seconds=5))


async def test_a_take_in_a_unit_of_work_that_rolls_back_spends_nothing(db):
    class Failed(Exception):
        pass

    for _ in range(LIMIT):
        with pytest.raises(Failed):
            async with db.unit_of_work() as uow:
                assert await uow.confirmations.take(GROUP, T0, limit=LIMIT, window=MINUTE)
                raise Failed  # the log's transaction failed: nothing was sent either
    assert [await _take(db) for _ in range(LIMIT + 1)] == [True] * LIMIT + [False]


@pytest.fixture
async def two_engines(db):
    """Two engines on one database: two instances on Postgres; two pools on one file on SQLite."""
    other = Database(db.url)
    try:
        yield db, other
    finally:
        await other.dispose()


async def test_racing_takes_at_two_engines_never_overdraw(two_engines):
    """20 logs at once, half at each engine, time standing still: exactly 8 texts. Each transaction stays
    open a moment after its take, as an update's does while it writes the rest of the log; without the
    row lock both engines would read the same window and each see room."""
    a, b = two_engines

    async def log(db: Database) -> bool:
        async with db.unit_of_work() as uow:
            taken = await uow.confirmations.take(GROUP, T0, limit=LIMIT, window=MINUTE)
            await asyncio.sleep(0)  # let the other takes run meanwhile
            return taken

    results = await asyncio.gather(*(log(a if n % 2 else b) for n in range(20)))
    assert sum(results) == LIMIT
    async with a.unit_of_work() as uow:
        row = await uow.session.get(GroupConfirmations, GROUP)
        assert row is not None and len(row.sent) == LIMIT


@pytest.mark.parametrize(
    "row",
    [
        {"chat_id": 42, "sent": []},  # a private chat has no group limit
        {"chat_id": GROUP, "sent": [T0.isoformat()] * 21},  # more than Telegram allows a group a minute
    ],
)
async def test_the_window_refuses_what_would_be_a_bug(db, row):
    with pytest.raises(IntegrityError):
        async with db.unit_of_work() as uow:
            uow.session.add(GroupConfirmations(**row))
            await uow.flush()


async def test_the_limit_is_within_telegrams(db):
    async with db.unit_of_work() as uow:
        with pytest.raises(ValueError):
            await uow.confirmations.take(GROUP, T0, limit=21, window=MINUTE)
