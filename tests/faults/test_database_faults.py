"""Postgres going away mid-update, and an exhausted pool: an apology, nothing half-written, then recovery."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select
from sqlalchemy import text as sql
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from storage import Database
from storage.errors import is_database_error
from storage.models import Reading, User
from tests.faults.conftest import running_bot

SORRY = "Sorry — something went wrong on my side and nothing was saved. Please try again in a moment."


async def count(db: Database, model, **where) -> int:
    async with db.unit_of_work() as uow:
        stmt = select(func.count()).select_from(model)
        for column, value in where.items():
            stmt = stmt.where(getattr(model, column) == value)
        return (await uow.session.execute(stmt)).scalar_one()


async def test_postgres_cut_mid_update_apologises_writes_nothing_and_a_retry_works(faulty):
    f, c = faulty, faulty.conv
    await c.onboard(1)
    assert await count(f.direct, Reading) == 0
    # The connection dies just as the reading's INSERT goes out: the handler has already read the user
    # and the khatm in this unit of work.
    f.cut_on("WITH ins AS (INSERT INTO readings")  # the log: readings + khatm coverage, one statement
    update = c.updates.message(1, "read Al-Kahf 1-20")
    before = len(c.fake.calls)
    await c.process(update)
    assert c.texts_since(before) == [SORRY]
    assert len(c.errors) == 1 and is_database_error(c.errors[0])
    assert await count(f.direct, Reading) == 0  # rolled back: nothing half-written

    # Still down: every update gets the apology, nothing crashes.
    before = len(c.fake.calls)
    await c.send(1, "read Yasin")
    assert c.texts_since(before) == [SORRY]

    # Back: the pool replaces its dead connections (pre-ping) and the user's retry works.
    f.proxy.restore()
    replies = await c.send(1, "read Al-Kahf 1-20")
    assert replies[0].startswith("✅ Al-Kahf 1–20 · 20 ayahs")
    # Telegram redelivering the failed update (same update_id) logs it now, once.
    await c.process(update)
    await c.process(update)
    assert await count(f.direct, Reading, update_id=update["update_id"]) == 1
    assert await count(f.direct, Reading) == 2
    assert await count(f.direct, User) == 1


async def test_postgres_cut_at_commit_leaves_nothing_half_written(faulty):
    """A log with several passages writes several rows; losing the connection at COMMIT keeps none."""
    f, c = faulty, faulty.conv
    await c.onboard(2)
    f.cut_on("COMMIT")
    before = len(c.fake.calls)
    await c.send(2, "read Al-Kahf 1-10, Yasin, Al-Mulk")
    assert c.texts_since(before) == [SORRY]
    assert await count(f.direct, Reading) == 0
    f.proxy.restore()
    replies = await c.send(2, "read Al-Kahf 1-10, Yasin, Al-Mulk")
    assert replies[0].startswith("✅")
    assert await count(f.direct, Reading) == 3


async def test_postgres_down_before_the_update_starts(faulty):
    f, c = faulty, faulty.conv
    await c.onboard(3)
    f.proxy.cut()
    for text in ("read Yasin", "/progress", "/start"):
        before = len(c.fake.calls)
        await c.send(3, text)
        assert c.texts_since(before) == [SORRY], text
    # A server that cannot be reached fails at connect time with a bare OSError from asyncpg: it is
    # still a database error (counted in quran_tracker_database_errors_total{where="handler"}).
    assert len(c.errors) == 3 and all(is_database_error(e) for e in c.errors), c.errors
    f.proxy.restore()
    assert (await c.send(3, "read Yasin"))[0].startswith("✅ Yaseen")
    assert await count(f.direct, Reading) == 1


def _tight_pool(url: str) -> Database:
    """pool_size=1, max_overflow=0, pool_timeout=2 s (Database has no knob for max_overflow)."""
    db = Database(url)
    db.engine.sync_engine.dispose()
    db.engine = create_async_engine(url, pool_size=1, max_overflow=0, pool_timeout=2, pool_pre_ping=True)
    db._sessions = async_sessionmaker(db.engine, expire_on_commit=False)
    return db


async def test_an_exhausted_pool_apologises_and_recovers(fresh_pg_url, clock):
    db = _tight_pool(fresh_pg_url)
    async with running_bot(db, clock) as c:
        await c.onboard(4)
        held = await db.engine.connect()  # someone else holds the only connection
        try:
            before = len(c.fake.calls)
            await c.send(4, "read Yasin")
            assert c.texts_since(before) == [SORRY]
            assert [type(e).__name__ for e in c.errors] == ["TimeoutError"]
            assert is_database_error(c.errors[0])
        finally:
            await held.close()
        assert (await c.send(4, "read Yasin"))[0].startswith("✅ Yaseen")
        # Ten concurrent updates on one connection: they queue for it, none fails (all ten take < 2 s).
        c.errors.clear()
        updates = [c.updates.message(4, f"2:{n}") for n in range(1, 11)]
        await asyncio.gather(*(c.process(u) for u in updates))
        assert c.errors == []
        assert await count(db, Reading) == 11


def test_an_unreachable_telegram_is_not_a_database_error():
    from telegram.error import NetworkError

    try:
        try:
            raise ConnectionRefusedError(111, "Connection refused")  # raised here, not by a driver
        except OSError as exc:
            raise NetworkError("httpx.ConnectError: All connection attempts failed") from exc
    except NetworkError as err:
        assert not is_database_error(err)


async def test_the_statement_timeout_from_settings_cuts_a_slow_query_as_transient(pg_url, monkeypatch):
    from bot.settings import load_settings
    from storage.errors import is_transient

    monkeypatch.setenv("DB_STATEMENT_TIMEOUT", "0.3")
    db = load_settings(database_url=pg_url).database()
    try:
        with pytest.raises(Exception) as caught:
            async with asyncio.timeout(5), db.unit_of_work() as uow:  # a bound, not a measurement
                await uow.session.execute(sql("SELECT pg_sleep(3)"))
        assert is_transient(caught.value), repr(caught.value)
        async with db.unit_of_work() as uow:  # the pool carries on
            assert (await uow.session.execute(sql("SELECT 1"))).scalar_one() == 1
    finally:
        await db.dispose()


def test_bugs_are_not_transient():
    from sqlalchemy.exc import IntegrityError

    from storage.errors import is_transient

    assert not is_transient(IntegrityError("INSERT", {}, Exception("duplicate key")))
    assert not is_transient(ZeroDivisionError())
