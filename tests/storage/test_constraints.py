"""The database itself refuses bad data, on Postgres and on SQLite alike."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from storage.models import (
    Base,
    Circle,
    CircleMember,
    Delivery,
    ExcusedDay,
    Goal,
    HandledUpdate,
    JuzAssignment,
    Khatm,
    KhatmRound,
    Reading,
    Reminder,
    User,
)

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
TODAY = date(2026, 3, 1)


async def _user_with_khatm(uow, user_id: int = 1) -> Khatm:
    await uow.users.add(User(id=user_id, created_at=NOW))
    return await uow.khatms.start(user_id, NOW)


def _reading(khatm: Khatm, start: int, end: int, **kw) -> Reading:
    return Reading(
        user_id=khatm.user_id,
        khatm_id=khatm.id,
        start_index=start,
        end_index=end,
        local_date=TODAY,
        recorded_at=NOW,
        **kw,
    )


async def _expect_refused(db, build) -> None:
    """`build(uow)` adds rows; the database must refuse them and the unit of work must roll back."""
    with pytest.raises(IntegrityError):
        async with db.unit_of_work() as uow:
            await build(uow)
            await uow.flush()


@pytest.mark.parametrize(("start", "end"), [(0, 5), (10, 9), (6236, 6237), (-1, 3), (7000, 7001)])
async def test_reading_range_must_lie_in_1_to_6236_in_order(db, start, end):
    async with db.unit_of_work() as uow:
        khatm = await _user_with_khatm(uow)

    async def build(uow):
        uow.session.add(_reading(khatm, start, end))

    await _expect_refused(db, build)


async def test_valid_edges_of_the_index_are_accepted(db):
    async with db.unit_of_work() as uow:
        khatm = await _user_with_khatm(uow)
        await uow.readings.add(_reading(khatm, 1, 6236))
        await uow.readings.add(_reading(khatm, 6236, 6236, update_id=7))
    async with db.unit_of_work() as uow:
        assert sorted(await uow.readings.ranges_of_khatm(khatm.id)) == [(1, 6236), (6236, 6236)]


async def test_the_same_update_cannot_log_twice(db):
    async with db.unit_of_work() as uow:
        khatm = await _user_with_khatm(uow)
        await uow.readings.add(_reading(khatm, 1, 7, update_id=100, part=0))

    async def build(uow):
        uow.session.add(_reading(khatm, 1, 7, update_id=100, part=0))

    await _expect_refused(db, build)


async def test_a_reading_cannot_point_at_another_users_khatm(db):
    async with db.unit_of_work() as uow:
        khatm_a = await _user_with_khatm(uow, 1)
        await _user_with_khatm(uow, 2)

    async def build(uow):
        uow.session.add(
            Reading(
                user_id=2, khatm_id=khatm_a.id, start_index=1, end_index=2, local_date=TODAY, recorded_at=NOW
            )
        )

    await _expect_refused(db, build)


async def test_orphan_rows_are_refused(db):
    async def khatm_without_user(uow):
        uow.session.add(Khatm(user_id=999, number=1, started_at=NOW))

    async def member_without_circle(uow):
        await uow.users.add(User(id=5, created_at=NOW))
        uow.session.add(CircleMember(circle_id=12345, user_id=5, joined_at=NOW))

    await _expect_refused(db, khatm_without_user)
    await _expect_refused(db, member_without_circle)


async def test_one_open_khatm_per_user(db):
    async with db.unit_of_work() as uow:
        await _user_with_khatm(uow)

    async def build(uow):
        uow.session.add(Khatm(user_id=1, number=2, started_at=NOW))

    await _expect_refused(db, build)


async def test_a_delivery_cannot_be_claimed_twice(db):
    async with db.unit_of_work() as uow:
        await uow.users.add(User(id=1, created_at=NOW))
        assert await uow.deliveries.claim(1, "daily", 1, TODAY, NOW) is not None
        assert await uow.deliveries.claim(1, "daily", 1, TODAY, NOW) is None
        assert await uow.deliveries.claim(1, "streak", 1, TODAY, NOW) is not None

    async def build(uow):
        uow.session.add(Delivery(user_id=1, kind="daily", slot=1, local_date=TODAY, claimed_at=NOW))

    await _expect_refused(db, build)


async def test_a_juz_has_one_reader_per_round(db):
    async with db.unit_of_work() as uow:
        for uid in (1, 2):
            await uow.users.add(User(id=uid, created_at=NOW))
        circle = Circle(chat_id=-100, created_at=NOW)
        uow.session.add(circle)
        await uow.flush()
        rnd = KhatmRound(circle_id=circle.id, number=1, started_at=NOW)
        uow.session.add(rnd)
        await uow.flush()
        uow.session.add(JuzAssignment(round_id=rnd.id, juz=5, user_id=1, claimed_at=NOW))

    async def build(uow):
        uow.session.add(JuzAssignment(round_id=rnd.id, juz=5, user_id=2, claimed_at=NOW))

    async def juz_31(uow):
        uow.session.add(JuzAssignment(round_id=rnd.id, juz=31, user_id=2, claimed_at=NOW))

    await _expect_refused(db, build)
    await _expect_refused(db, juz_31)


@pytest.mark.parametrize(
    "goal",
    [
        dict(kind="pages", amount=None),
        dict(kind="pages", amount=0),
        dict(kind="khatm_by"),
        dict(kind="hours", amount=10),  # an unknown kind
        dict(kind="minutes", amount=0),  # a minutes goal (0008) needs a positive amount too
    ],
)
async def test_a_goal_must_carry_the_value_its_kind_needs(db, goal):
    async with db.unit_of_work() as uow:
        await uow.users.add(User(id=1, created_at=NOW))

    async def build(uow):
        uow.session.add(Goal(user_id=1, started_on=TODAY, created_at=NOW, **goal))

    await _expect_refused(db, build)


async def test_naive_datetimes_never_reach_the_database(db):
    with pytest.raises(Exception, match="naive datetime"):
        async with db.unit_of_work() as uow:
            await uow.users.add(User(id=1, created_at=datetime(2026, 1, 1, 12, 0)))
    async with db.unit_of_work() as uow:
        assert await uow.users.get(1) is None


async def test_instants_come_back_aware_and_in_utc(db):
    from zoneinfo import ZoneInfo

    local = datetime(2026, 3, 1, 23, 30, tzinfo=ZoneInfo("Asia/Kathmandu"))
    async with db.unit_of_work() as uow:
        await uow.users.add(User(id=1, created_at=local))
    async with db.unit_of_work() as uow:
        user = await uow.users.get(1)
        assert user.created_at == local
        assert user.created_at.tzinfo == UTC


async def test_deleting_a_user_leaves_nothing_of_theirs(db):
    async with db.unit_of_work() as uow:
        khatm = await _user_with_khatm(uow, 1)
        await _user_with_khatm(uow, 2)
        await uow.readings.add(_reading(khatm, 1, 10))
        uow.session.add_all(
            [
                Goal(user_id=1, kind="pages", amount=2, started_on=TODAY, created_at=NOW),
                ExcusedDay(user_id=1, local_date=TODAY, reason="travel"),
                Reminder(user_id=1, kind="daily", local_time=time(7, 0), next_due_at=NOW),
                Delivery(user_id=1, kind="daily", local_date=TODAY, claimed_at=NOW),
                HandledUpdate(update_id=9, user_id=1, handled_at=NOW),
            ]
        )
        circle = Circle(chat_id=-100, created_at=NOW, created_by=1)
        uow.session.add(circle)
        await uow.flush()
        uow.session.add_all(
            [
                CircleMember(circle_id=circle.id, user_id=1, joined_at=NOW),
                CircleMember(circle_id=circle.id, user_id=2, joined_at=NOW),
            ]
        )
        rnd = KhatmRound(circle_id=circle.id, number=1, started_at=NOW)
        uow.session.add(rnd)
        await uow.flush()
        uow.session.add(JuzAssignment(round_id=rnd.id, juz=1, user_id=1, claimed_at=NOW))

    async with db.unit_of_work() as uow:
        assert await uow.users.delete(1) is True

    async with db.unit_of_work() as uow:
        for table in Base.metadata.sorted_tables:
            for column in ("user_id", "created_by"):
                if column in table.c:
                    count = await uow.session.scalar(
                        select(func.count()).select_from(table).where(table.c[column] == 1)
                    )
                    assert count == 0, f"{table.name}.{column} still holds user 1"
        # The other member and the circle itself are untouched.
        assert await uow.session.scalar(select(func.count()).select_from(CircleMember)) == 1
        assert await uow.users.get(2) is not None


async def test_one_main_goal_but_several_habits_one_per_surah(db):
    async with db.unit_of_work() as uow:
        await uow.users.add(User(id=1, created_at=NOW))
        uow.session.add_all(
            [
                Goal(user_id=1, kind="pages", amount=2, started_on=TODAY, created_at=NOW),
                Goal(user_id=1, kind="surah", amount=67, started_on=TODAY, created_at=NOW),
                Goal(user_id=1, kind="surah", amount=18, weekday=4, started_on=TODAY, created_at=NOW),
            ]
        )

    async def second_main_goal(uow):
        uow.session.add(Goal(user_id=1, kind="khatm_by", target_date=TODAY, started_on=TODAY, created_at=NOW))

    async def second_mulk_habit(uow):
        uow.session.add(Goal(user_id=1, kind="surah", amount=67, weekday=3, started_on=TODAY, created_at=NOW))

    async def surah_115(uow):
        uow.session.add(Goal(user_id=1, kind="surah", amount=115, started_on=TODAY, created_at=NOW))

    async def weekday_7(uow):
        uow.session.add(Goal(user_id=1, kind="surah", amount=36, weekday=7, started_on=TODAY, created_at=NOW))

    for build in (second_main_goal, second_mulk_habit, surah_115, weekday_7):
        await _expect_refused(db, build)


async def test_an_update_is_handled_once_and_old_records_are_pruned(db):
    from datetime import timedelta

    from tracker import housekeeping

    async with db.unit_of_work() as uow:
        await uow.users.add(User(id=1, created_at=NOW))
        assert await uow.handled.first_time(500, 1, NOW) is True
        assert await uow.handled.first_time(500, 1, NOW) is False
        assert await uow.deliveries.claim(1, "daily", 1, TODAY, NOW) is not None
    async with db.unit_of_work() as uow:
        assert await housekeeping.prune(uow, NOW + timedelta(days=6)) == (0, 0)
        assert await housekeeping.prune(uow, NOW + timedelta(days=8)) == (1, 0)
        assert await housekeeping.prune(uow, NOW + timedelta(days=61)) == (0, 1)
    async with db.unit_of_work() as uow:
        assert await uow.handled.first_time(500, 1, NOW) is True  # forgotten after a week


async def test_text_people_typed_is_stored_without_nul_characters(db):
    """Postgres refuses NUL in text (SQLite keeps it): the column types remove it, on both backends alike."""
    async with db.unit_of_work() as uow:
        await uow.users.add(User(id=1, first_name="Ai\x00sha", created_at=NOW))
        khatm = await uow.khatms.start(1, NOW)
        await uow.readings.add(_reading(khatm, 1, 7, source_text="read\x00 al-fatiha"))
        uow.session.add(Circle(chat_id=-5, title="Family\x00 circle", created_at=NOW))
    async with db.unit_of_work() as uow:
        assert (await uow.users.get(1)).first_name == "Aisha"
        assert (await uow.readings.recent(1))[0].source_text == "read al-fatiha"
        assert await uow.session.scalar(select(Circle.title)) == "Family circle"


async def test_a_nul_in_a_first_name_does_not_lock_the_user_out(conversation):
    c = conversation
    replies = await c.send(9, "Al-Fatiha", first_name="Omar\x00")
    assert replies[0].startswith("✅ Al-Faatiha")
    assert (await c.user(9)).first_name == "Omar"


@pytest.mark.parametrize("minutes", [0, -5, 1441])
async def test_minutes_of_reading_are_within_a_day(db, minutes):
    from storage.models import ReadingMinutes

    async with db.unit_of_work() as uow:
        await uow.users.add(User(id=1, created_at=NOW))

    async def build(uow):
        uow.session.add(ReadingMinutes(user_id=1, local_date=TODAY, minutes=minutes, recorded_at=NOW))

    await _expect_refused(db, build)
