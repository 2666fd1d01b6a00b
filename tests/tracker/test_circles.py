"""Circle rules at the tracker level, on Postgres and SQLite: claims, sharing out, rotation, completion
from logs, round nudges, visibility."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

import pytest

from quran import juz_span
from tests.harness import make_user
from tracker import circles
from tracker.readings import log_reading

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


async def _users(uow, *ids, onboarded=True):
    return [await make_user(uow, i, at=NOW, first_name=f"U{i}", onboarded=onboarded) for i in ids]


async def _circle(uow, *ids, chat_id=-100):
    users = await _users(uow, *ids)
    circle, _ = await circles.create_circle(uow, chat_id, "Halaqa", users[0], NOW)
    for u in users[1:]:
        await circles.join(uow, circle, u, NOW)
    return circle, users


def test_distribute_is_round_robin_fewest_first():
    plan = circles.distribute(list(range(1, 31)), [10, 20, 30], {})
    assert [plan[j] for j in (1, 2, 3, 4)] == [10, 20, 30, 10]
    assert sorted(list(plan.values()).count(m) for m in (10, 20, 30)) == [10, 10, 10]
    # someone who already holds juz gets fewer of the rest
    plan = circles.distribute([2, 3, 4], [10, 20], {10: 3})
    assert list(plan.values()) == [20, 20, 20]


def test_distribute_rotates_each_reader_to_the_next_juz():
    previous = {j: (10, 20, 30)[(j - 1) % 3] for j in range(1, 31)}  # 1->10, 2->20, 3->30 ...
    plan = circles.distribute(list(range(1, 31)), [10, 20, 30], {}, previous)
    assert all(plan[j % 30 + 1] == previous[j] for j in range(1, 31))  # juz n's reader gets n+1
    # a newcomer still gets an even share: rotation stops at the share
    plan = circles.distribute(list(range(1, 31)), [10, 20, 30, 40], {}, previous)
    assert sorted(list(plan.values()).count(m) for m in (10, 20, 30, 40)) == [7, 7, 8, 8]


async def test_one_reader_per_juz_and_members_only(db):
    async with db.unit_of_work() as uow:
        circle, (a, b) = await _circle(uow, 1, 2)
        [stranger] = await _users(uow, 9)
        rnd = await circles.start_round(uow, circle, NOW)
        assert (await circles.claim_juz(uow, rnd.id, 5, a, NOW)).won
        lost = await circles.claim_juz(uow, rnd.id, 5, b, NOW)
        assert (lost.won, lost.holder_id, lost.holder_name) == (False, 1, "U1")
        assert (await circles.claim_juz(uow, rnd.id, 6, stranger, NOW)).refused == "not_member"
        assert (await circles.claim_juz(uow, rnd.id, 31, a, NOW)).refused == "bad_juz"
        assert await circles.mark_juz_done(uow, rnd.id, 5, b, NOW) == "not_yours"
        assert await circles.mark_juz_done(uow, rnd.id, 6, a, NOW) == "free"
        assert await circles.mark_juz_done(uow, rnd.id, 5, a, NOW) == "done"
        assert await circles.mark_juz_done(uow, rnd.id, 5, a, NOW) == "already"
        with pytest.raises(circles.RoundError):
            await circles.start_round(uow, circle, NOW)


@pytest.mark.postgres_only
async def test_concurrent_claims_of_the_same_juz_one_wins(pg_db):
    async with pg_db.unit_of_work() as uow:
        circle, _ = await _circle(uow, 1, 2)
        round_id = (await circles.start_round(uow, circle, NOW)).id

    gate = asyncio.Barrier(2)

    async def claim(user_id):
        async with pg_db.unit_of_work() as uow:
            user = await uow.users.get(user_id)
            await gate.wait()  # both transactions are open
            return await circles.claim_juz(uow, round_id, 5, user, NOW)

    results = await asyncio.gather(claim(1), claim(2))
    assert sorted(r.won for r in results) == [False, True]
    winner = next(r for r in results if r.won).holder_id
    loser = next(r for r in results if not r.won)
    assert loser.holder_id == winner and loser.holder_name == f"U{winner}"


async def test_auto_distribution_and_rotation_into_the_next_round(db):
    async with db.unit_of_work() as uow:
        circle, (_, _, c) = await _circle(uow, 1, 2, 3)
        rnd = await circles.start_round(uow, circle, NOW)
        await circles.claim_juz(uow, rnd.id, 1, c, NOW)  # a tap before the share-out
        assigned = await circles.auto_distribute(uow, rnd.id, NOW)
        assert len(assigned) == 29
        first = {x.juz: x.user_id for x in await uow.circles.assignments(rnd.id)}
        assert sorted(list(first.values()).count(u) for u in (1, 2, 3)) == [10, 10, 10]
        for juz, user_id in first.items():
            assert await circles.mark_juz_done(uow, rnd.id, juz, await uow.users.get(user_id), NOW) == "done"
        assert rnd.completed_at == NOW
        second = await circles.start_round(uow, circle, NOW + timedelta(days=1))
        assert second.number == 2
        await circles.auto_distribute(uow, second.id, NOW)
        rotated = {x.juz: x.user_id for x in await uow.circles.assignments(second.id)}
        assert all(rotated[j % 30 + 1] == first[j] for j in range(1, 31))


async def test_a_juz_completes_when_the_readers_logs_since_the_claim_cover_it(db):
    async with db.unit_of_work() as uow:
        circle, (a, b) = await _circle(uow, 1, 2)
        span = juz_span(5)
        await log_reading(uow, a, [span], now=NOW - timedelta(hours=1))  # before the claim: not counted
        rnd = await circles.start_round(uow, circle, NOW)
        await circles.claim_juz(uow, rnd.id, 5, a, NOW)
        assert await circles.complete_covered_juz(uow, a, NOW) == []
        half = span.first_index + span.count // 2
        later = NOW + timedelta(hours=2)
        await log_reading(uow, a, [type(span).from_indices(span.first_index, half)], now=later)
        assert await circles.complete_covered_juz(uow, a, later) == []
        await log_reading(uow, a, [type(span).from_indices(half - 3, span.last_index + 40)], now=later)
        assert await circles.complete_covered_juz(uow, a, later) == [(rnd.id, 5)]
        assert await circles.complete_covered_juz(uow, b, later) == []


async def test_the_status_check_is_lazy_too(db):
    async with db.unit_of_work() as uow:
        circle, (a,) = await _circle(uow, 1)
        rnd = await circles.start_round(uow, circle, NOW)
        await circles.claim_juz(uow, rnd.id, 30, a, NOW)
        await log_reading(uow, a, [juz_span(30)], now=NOW + timedelta(minutes=5))  # no hook called
        status = await circles.round_status(uow, rnd, NOW + timedelta(minutes=6))
        assert status.done_count == 1 and status.juz[29].done


async def test_round_nudges_near_the_deadline_once_per_member(db):
    async with db.unit_of_work() as uow:
        circle, (a, b, c) = await _circle(uow, 1, 2, 3)
        c.onboarded_at = None  # never started the bot: mention in group
        rnd = await circles.start_round(uow, circle, NOW, deadline=date(2026, 3, 15))
        for user, juz in ((a, 1), (a, 2), (b, 3), (c, 4)):
            await circles.claim_juz(uow, rnd.id, juz, user, NOW)
        await circles.mark_juz_done(uow, rnd.id, 3, b, NOW)  # Omar finished: no nudge for him
        assert await circles.round_nudges_due(uow, NOW) == []  # 5 days before: too early
        near = datetime(2026, 3, 13, 18, 0, tzinfo=UTC)
        due = await circles.round_nudges_due(uow, near)
        assert [(n.user_id, n.juz, n.in_group, n.days_left, n.chat_id) for n in due] == [
            (1, [1, 2], False, 2, -100),
            (3, [4], True, 2, -100),
        ]
        assert await circles.round_nudges_due(uow, near + timedelta(days=1)) == []  # once per round
        assert await circles.round_nudges_due(uow, datetime(2026, 3, 16, 9, tzinfo=UTC)) == []


async def test_readings_are_visible_only_in_circles_joined_and_only_since_joining(db):
    async with db.unit_of_work() as uow:
        circle, (a, _) = await _circle(uow, 1, 2)
        other, _ = await _circle(uow, 3, chat_id=-200)
        [late] = await _users(uow, 4)
        await circles.set_announce(uow, circle, True)
        await log_reading(uow, a, [juz_span(1)], now=NOW)
        await log_reading(uow, late, [juz_span(2)], now=NOW)  # before joining
        await circles.join(uow, circle, late, NOW + timedelta(minutes=1))
        await log_reading(uow, late, [juz_span(3)], now=NOW + timedelta(minutes=2))
        news = await circles.take_announcement(uow, circle.id)
        assert [(name, [s.first_index for s in spans]) for name, spans in news.items] == [
            ("U1", [juz_span(1).first_index]),
            ("U4", [juz_span(3).first_index]),
        ]
        assert await circles.take_announcement(uow, circle.id) is None  # watermark moved
        assert await circles.take_announcement(uow, other.id) is None  # announcements off there
        board = await circles.board(uow, other, NOW)
        assert board.week == [] and board.member_count == 1


def test_deadlines():
    today = date(2026, 3, 10)
    assert circles.parse_deadline("2026-04-01", today) == date(2026, 4, 1)
    assert circles.parse_deadline("10 days", today) == date(2026, 3, 20)
    assert circles.parse_deadline("١٠ أيام", today) == date(2026, 3, 20)
    assert circles.parse_deadline("", today) is None
    for bad in ("2026-03-01", "soon", "0 days"):
        with pytest.raises(circles.RoundError):
            circles.parse_deadline(bad, today)
