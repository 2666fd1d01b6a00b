"""The optimistic path (storage/optimistic.py), step by step on Postgres: what it reads, the one write,
and every way it gives way to the lock path — each with nothing written.

The races themselves (two Applications on two engines) are in tests/faults/test_two_instances.py.
"""

from __future__ import annotations

import contextlib
from datetime import date

import pytest
from sqlalchemy import func, select, text

from storage import NeedsLock
from storage.models import HandledUpdate, LoggedMessage, Reading, User
from tests.harness import T0, make_user
from tracker import coverage


async def _setup(db, user_id: int = 1) -> int:
    async with db.unit_of_work() as uow:
        await make_user(uow, user_id)
        khatm = await uow.khatms.start(user_id, T0)
        return khatm.id


def _row(user_id: int, khatm_id: int, update_id: int, start: int = 1, end: int = 7) -> dict:
    return dict(
        user_id=user_id,
        khatm_id=khatm_id,
        start_index=start,
        end_index=end,
        local_date=date(2026, 3, 1),
        recorded_at=T0,
        source="message",
        source_text="read al-fatiha",
        update_id=update_id,
        part=0,
    )


async def _counts(db) -> tuple[int, int, int]:
    async with db.unit_of_work() as uow:
        s = uow.session
        return (
            (await s.execute(select(func.count()).select_from(Reading))).scalar_one(),
            (await s.execute(select(func.count()).select_from(HandledUpdate))).scalar_one(),
            (await s.execute(select(func.count()).select_from(LoggedMessage))).scalar_one(),
        )


async def _log_optimistically(uow, user_id: int, khatm_id: int, update_id: int) -> None:
    """What a private log does on the path, without the bot: read, stage, write."""
    await uow.updates.claim(update_id, user_id, [user_id], T0)
    state = await uow.users.get_with_state(user_id)
    khatm = state.open_khatm
    after = coverage.from_bytes(khatm.coverage) | coverage.range_mask(1, 7)
    await uow.readings.add_new(
        [_row(user_id, khatm_id, update_id)], khatm=khatm, coverage=coverage.to_bytes(after)
    )
    await uow.messages.remember(user_id, 500 + update_id, user_id, update_id, T0)
    await uow.updates.record(update_id, '[{"text": "ok"}]')


async def test_a_log_is_one_read_and_one_write_and_all_of_it_lands(pg_db):
    khatm_id = await _setup(pg_db)
    async with pg_db.optimistic_unit_of_work() as uow:
        await _log_optimistically(uow, 1, khatm_id, 10)
    assert await _counts(pg_db) == (1, 1, 1)
    async with pg_db.unit_of_work() as uow:
        khatm = await uow.khatms.get(khatm_id)
        claim = await uow.session.get(HandledUpdate, 10)
        user = await uow.users.get(1)
        assert coverage.from_bytes(khatm.coverage).bit_count() == 7  # the coverage went with the reading
        assert claim.outcome == '[{"text": "ok"}]'
        assert user.version == 2  # its own check-and-bump, and the claim's trigger


async def test_an_update_of_the_person_committed_in_between_sends_the_log_to_the_lock(pg_db):
    khatm_id = await _setup(pg_db)
    async with pg_db.optimistic_unit_of_work() as uow:
        await uow.updates.claim(11, 1, [1], T0)
        # Meanwhile, at another instance, the lock path handles another update of the same person.
        async with pg_db.unit_of_work() as other:
            assert await other.updates.claim(12, 1, [1], T0) is None
            await other.updates.record(12, "[]")
        state = await uow.users.get_with_state(1)
        await uow.readings.add_new(
            [_row(1, khatm_id, 11)],
            khatm=state.open_khatm,
            coverage=coverage.to_bytes(coverage.range_mask(1, 7)),
        )
        with pytest.raises(NeedsLock, match="committed first"):
            await uow.updates.record(11, "[]")
    assert await _counts(pg_db) == (0, 1, 0)  # only the other update's claim: nothing of this one


async def test_any_other_write_is_refused_before_it_reaches_the_database(pg_db):
    await _setup(pg_db)
    async with pg_db.optimistic_unit_of_work() as uow:
        await uow.updates.claim(13, 1, [1], T0)
        with pytest.raises(NeedsLock, match="writes"):
            await uow.session.execute(text("UPDATE users SET first_name = 'x' WHERE id = 1"))
        with pytest.raises(NeedsLock, match="writes"):
            await uow.session.execute(select(User).where(User.id == 1).with_for_update())
    async with pg_db.unit_of_work() as uow:
        assert (await uow.users.get(1)).first_name is None


async def test_an_orm_change_meets_the_guard_before_the_write_not_after_it(pg_db):
    """A changed first name is an ORM change: the write flushes it first, so the update gives way with
    nothing written — not after the write went in (failures.md)."""
    khatm_id = await _setup(pg_db)
    with pytest.raises(NeedsLock):
        async with pg_db.optimistic_unit_of_work() as uow:
            await uow.updates.claim(14, 1, [1], T0)
            state = await uow.users.get_with_state(1)
            state.user.first_name = "Omar"
            await uow.readings.add_new(
                [_row(1, khatm_id, 14)],
                khatm=state.open_khatm,
                coverage=coverage.to_bytes(coverage.range_mask(1, 7)),
            )
            await uow.updates.record(14, "[]")
    assert await _counts(pg_db) == (0, 0, 0)


@pytest.mark.parametrize("case", ["stranger", "handled before", "several passages", "no khatm"])
async def test_what_the_path_cannot_carry_gives_way(pg_db, case):
    khatm_id = await _setup(pg_db)
    if case == "handled before":
        async with pg_db.unit_of_work() as uow:
            await uow.updates.claim(15, 1, [1], T0)
            await uow.updates.record(15, "[]")
    before = await _counts(pg_db)
    with pytest.raises(NeedsLock):
        async with pg_db.optimistic_unit_of_work() as uow:
            await uow.updates.claim(15, 2 if case == "stranger" else 1, [1], T0)
            state = await uow.users.get_with_state(1)
            rows = [_row(1, khatm_id, 15)]
            if case == "several passages":
                rows.append({**_row(1, khatm_id, 15, 8, 10), "part": 1})
            await uow.readings.add_new(
                rows, khatm=None if case == "no khatm" else state.open_khatm, coverage=b"\x01"
            )
            await uow.updates.record(15, "[]")
    assert await _counts(pg_db) == before


async def test_every_claimed_update_bumps_the_version_whatever_code_claims_it(pg_db):
    """The lock path's claim, and a bare INSERT as the previous release makes during a rolling deploy
    (it knows nothing of `version`): the trigger of migration 0012 bumps the person's row for both. A
    redelivery (the claim exists) writes nothing and bumps nothing."""
    await _setup(pg_db)
    for update_id in (16, 17):
        async with pg_db.unit_of_work() as uow:
            await uow.updates.claim(update_id, 1, [1, -100], T0)
            await uow.updates.record(update_id, "[]")
    async with pg_db.unit_of_work() as uow:
        await uow.updates.claim(17, 1, [1], T0)  # redelivered
    async with pg_db.unit_of_work() as uow:
        await uow.session.execute(
            text("INSERT INTO handled_updates (update_id, user_id, handled_at) VALUES (18, 1, now())")
        )
    async with pg_db.unit_of_work() as uow:
        assert (await uow.users.get(1)).version == 3


async def test_sqlite_has_no_optimistic_path(sqlite_db):
    assert not sqlite_db.has_optimistic_path  # one process, no round trips: the lock path is all it has
    with pytest.raises(RuntimeError):
        sqlite_db.optimistic_unit_of_work()


async def test_on_the_wire_the_path_sends_no_begin_and_the_usual_one_does(pg_url):
    """What storage.counting assumes of AUTOCOMMIT, checked at asyncpg: its query logger sees the
    simple-protocol statements a transaction is framed with."""
    from sqlalchemy import event

    from storage import Database

    framing: list[str] = []
    db = Database(pg_url)

    @event.listens_for(db.engine.sync_engine, "connect")
    def _log_queries(dbapi_conn, _record) -> None:
        dbapi_conn.driver_connection.add_query_logger(lambda record: framing.append(record.query))

    try:
        async with db.optimistic_unit_of_work() as uow:
            await uow.session.execute(text("SELECT 1"))
            await uow.session.execute(text("SELECT 2"))
        assert framing == []
        async with db.unit_of_work() as uow:
            await uow.session.execute(text("SELECT 3"))
        assert [q.split()[0] for q in framing] == ["BEGIN"]
    finally:
        await db.dispose()


async def test_a_refused_write_that_someone_caught_still_stops_the_final_write(pg_db):
    """Handler code that catches every exception must not turn a refused write into a half-done update."""
    khatm_id = await _setup(pg_db)
    with pytest.raises(NeedsLock, match="refused earlier"):
        async with pg_db.optimistic_unit_of_work() as uow:
            await uow.updates.claim(19, 1, [1], T0)
            with contextlib.suppress(Exception):  # what the path must survive
                await uow.session.execute(text("UPDATE users SET first_name = 'x' WHERE id = 1"))
            state = await uow.users.get_with_state(1)
            await uow.readings.add_new(
                [_row(1, khatm_id, 19)],
                khatm=state.open_khatm,
                coverage=coverage.to_bytes(coverage.range_mask(1, 7)),
            )
            await uow.updates.record(19, "[]")
    assert await _counts(pg_db) == (0, 0, 0)
    async with pg_db.optimistic_unit_of_work() as uow:  # the next update on that connection starts clean
        await _log_optimistically(uow, 1, khatm_id, 20)
    assert await _counts(pg_db) == (1, 1, 1)


async def test_a_query_after_a_staged_reading_gives_way_it_would_not_see_it(pg_db):
    khatm_id = await _setup(pg_db)
    with pytest.raises(NeedsLock, match="reads after a staged write"):
        async with pg_db.optimistic_unit_of_work() as uow:
            await uow.updates.claim(21, 1, [1], T0)
            state = await uow.users.get_with_state(1)
            await uow.readings.add_new(
                [_row(1, khatm_id, 21)],
                khatm=state.open_khatm,
                coverage=coverage.to_bytes(coverage.range_mask(1, 7)),
            )
            await uow.readings.recent(1)  # a read of readings that does not add the staged one
    assert await _counts(pg_db) == (0, 0, 0)


async def test_the_reads_of_todays_line_add_the_staged_reading_themselves(pg_db):
    """A goal's line reads today's readings and the latest one after the log's own reading is staged:
    those two reads add it (the lock path would have inserted it before them)."""
    khatm_id = await _setup(pg_db)
    async with pg_db.optimistic_unit_of_work() as uow:
        await uow.updates.claim(22, 1, [1], T0)
        state = await uow.users.get_with_state(1)
        await uow.readings.add_new(
            [_row(1, khatm_id, 22, 8, 12)],
            khatm=state.open_khatm,
            coverage=coverage.to_bytes(coverage.range_mask(8, 12)),
        )
        assert await uow.readings.days_since([1], date(2026, 3, 1)) == [(1, date(2026, 3, 1), 8, 12)]
        assert await uow.readings.latest_ends([1]) == {1: (khatm_id, 12)}
        await uow.updates.record(22, "[]")
    assert await _counts(pg_db) == (1, 1, 0)
