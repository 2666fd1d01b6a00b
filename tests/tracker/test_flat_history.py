"""The figures that must cost the same however long the history is — /progress's pace and a khatm-by-date
goal's "before today" — equal the pure rules replayed over every reading, on random histories.

The repo-backed forms read only the readings dated in the window and the earlier ones that reach into
them (storage.repos.ReadingRepo.windows); the pure forms replay the whole khatm in reading-date order
(tests/tracker/oracles.py). Histories have backdated readings
(recorded order is not date order), re-reads, readings dated before the window that overlap the window's
(short ones, and long ones on both sides of the partial indexes' lengths), readings of the previous,
completed khatm (in the window too), and readings dated after today (a move west).
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

import pytest

from quran import TOTAL_AYAHS
from storage.models import LONG_READING, VERY_LONG_READING, Goal, Khatm, Reading
from tests.harness import make_user
from tests.tracker.oracles import covered_before, new_ayahs_by_day
from tracker import coverage, goals
from tracker.progress import PACE_DAYS, pace, recent_pace

T = date(2026, 3, 20)
USERS = 60
# Lengths in ayahs, around the two partial indexes' thresholds and the 15-ayah reach of short readings.
LENGTHS = [1, 1, 2, 3, 7, 15, 16, 16, 17, 17, 18, 30, 100, 255, 256, 256, 257, 257, 258, 600, 1500, 4000]
assert {LONG_READING, VERY_LONG_READING} <= set(LENGTHS)


def _history(rng: random.Random, user_id: int) -> tuple[list[dict], list[dict]]:
    """(readings of the completed khatm 1, readings of the open khatm 2) as column dicts."""
    base = rng.choice([1, TOTAL_AYAHS - 700, rng.randint(1, TOTAL_AYAHS - 700)])
    spread = rng.choice([40, 300, 700])  # how crowded the ayahs are: small = many overlaps

    def reading(khatm_id: int, i: int) -> dict:
        length = rng.choice(LENGTHS)
        start = min(TOTAL_AYAHS, base + rng.randint(0, spread))
        end = min(TOTAL_AYAHS, start + length - 1)
        ago = rng.choice([rng.randint(-2, 45), rng.randint(PACE_DAYS - 3, PACE_DAYS + 2), rng.randint(0, 3)])
        day = T - timedelta(days=ago)
        recorded = datetime.combine(T, time(12), UTC) - timedelta(days=rng.randint(-2, 45), minutes=i)
        return dict(
            user_id=user_id,
            khatm_id=khatm_id,
            start_index=start,
            end_index=end,
            local_date=day,
            recorded_at=recorded,
            source="message",
            part=0,
        )

    old = [reading(0, i) for i in range(rng.randint(0, 6))]
    open_ = [reading(0, 100 + i) for i in range(rng.choice([0, 1, 3, 12, 40, 80]))]
    for _ in range(rng.randint(0, len(open_) // 3)):  # re-reads of the very same passage, another day
        again = dict(rng.choice(open_))
        again["local_date"] = T - timedelta(days=rng.randint(-1, 30))
        open_.append(again)
    return old, open_


def _reached(rng: random.Random, user_id: int, length: int, reach: int) -> tuple[list[dict], list[dict]]:
    """A window reading at x.., and one older reading of `length` ayahs that ends `reach` ayahs into it
    (so it starts length - 1 - reach before x): the only reading covering those ayahs before the window.
    Only a query that looks far enough back for that length finds it."""
    x = rng.randint(length + 1, TOTAL_AYAHS - 40)
    row = dict(user_id=user_id, khatm_id=0, source="message", part=0)
    at = datetime.combine(T, time(9), UTC)
    window = dict(row, start_index=x, end_index=x + 20, local_date=T - timedelta(days=1), recorded_at=at)
    before = dict(
        row,
        start_index=x + reach - length + 1,
        end_index=x + reach,
        local_date=T - timedelta(days=PACE_DAYS + 3),
        recorded_at=at + timedelta(hours=1),  # logged after the window reading: backdated
    )
    later = dict(row, start_index=x + 10, end_index=x + 30, local_date=T + timedelta(days=1), recorded_at=at)
    return [], [window, before, later]


async def _seed(db, seed: int) -> dict[int, tuple[list[Reading], list[Reading]]]:
    rng = random.Random(seed)
    made: dict[int, tuple[list[Reading], list[Reading]]] = {}
    reached = [(length, reach) for length in sorted(set(LENGTHS)) for reach in (0, 3, 25) if reach < length]
    async with db.unit_of_work() as uow:
        for user_id in range(1, USERS + len(reached) + 1):
            await make_user(uow, user_id, at=datetime(2026, 1, 1, tzinfo=UTC))
            if user_id <= USERS:
                old, open_ = _history(rng, user_id)
            else:
                old, open_ = _reached(rng, user_id, *reached[user_id - USERS - 1])
            done = Khatm(user_id=user_id, number=1, started_at=datetime(2026, 1, 1, tzinfo=UTC))
            done.completed_at = datetime(2026, 1, 2, tzinfo=UTC)
            current = Khatm(user_id=user_id, number=2, started_at=datetime(2026, 1, 2, tzinfo=UTC))
            uow.session.add_all([done, current])
            await uow.flush()
            rows = []
            for khatm, group in ((done, old), (current, open_)):
                readings = [Reading(**{**r, "khatm_id": khatm.id}) for r in group]
                khatm.coverage = coverage.to_bytes(
                    coverage.mask_of((r.start_index, r.end_index) for r in readings)
                )
                uow.session.add_all(readings)
                rows.append(readings)
            await uow.flush()
            if rng.random() < 0.8:  # most have a khatm-by-date goal, started long ago
                uow.session.add(
                    Goal(
                        user_id=user_id,
                        kind="khatm_by",
                        target_date=T + timedelta(days=rng.choice([-3, 0, 1, 9, 60])),
                        started_on=date(2026, 1, 1),
                        created_at=datetime(2026, 1, 1, tzinfo=UTC),
                    )
                )
            made[user_id] = (rows[0], rows[1])
    return made


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_the_pace_from_the_window_alone_is_the_replayed_rule(db, seed):
    made = await _seed(db, seed)
    checked_nonzero = 0
    async with db.unit_of_work() as uow:
        for user_id, (old, open_) in made.items():
            all_days = [r.local_date for r in old + open_]
            for today in (T - timedelta(days=4), T, T + timedelta(days=PACE_DAYS // 2)):
                expected = pace(new_ayahs_by_day(open_), today, first_day=min(all_days)) if all_days else 0.0
                got = await recent_pace(uow, user_id, today)
                assert got == pytest.approx(expected, abs=1e-9), (seed, user_id, today)
                checked_nonzero += expected > 0
    assert checked_nonzero >= USERS  # the histories did exercise the window


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_a_khatm_by_goal_from_todays_readings_alone_is_the_replayed_rule(db, seed):
    made = await _seed(db, seed)
    for today in (T - timedelta(days=2), T, T + timedelta(days=1)):
        now = datetime.combine(today, time(12), UTC)
        async with db.unit_of_work() as uow:
            users = [await uow.users.get(u) for u in made]
            got = await goals.today_for_many(uow, users, now)  # all in one batch: one statement for all
            targets = {g.user_id: g for g in await uow.goals.for_users(list(made))}
        for user_id, (_, open_) in made.items():
            goal = targets.get(user_id)
            if goal is None:
                assert got[user_id].goal is None
                continue
            before = covered_before(open_, today)
            now_covered = coverage.covered_count(coverage.merge((r.start_index, r.end_index) for r in open_))
            days_left = (goal.target_date - today).days + 1
            remaining = TOTAL_AYAHS - before
            target = remaining if days_left <= 0 else -(-remaining // days_left)
            assert (got[user_id].target, got[user_id].done) == (target, now_covered - before), (seed, user_id)
