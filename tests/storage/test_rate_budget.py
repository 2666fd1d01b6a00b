"""One send budget for every instance: two budgets on two engines share one bucket; replies go first."""

from __future__ import annotations

import asyncio

import pytest

from storage import Database
from storage.rate import RateBudget
from tests import harness


class Sleeps:
    """Sleeping moves the shared test clock forward by that much (nothing really waits)."""

    def __init__(self, clock: harness.TestClock) -> None:
        self.clock, self.calls = clock, []

    async def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)
        self.clock.advance(seconds=seconds)


@pytest.fixture
async def two_engines(pg_db, pg_url):
    other = Database(pg_url)
    try:
        yield pg_db, other
    finally:
        await other.dispose()


async def test_two_instances_draw_on_one_bucket(two_engines, clock):
    sleeps = Sleeps(clock)
    a, b = (RateBudget(db, rate=30, capacity=30, reserve=5, clock=clock, sleep=sleeps) for db in two_engines)
    for n in range(60):  # 60 sends, alternating between the two instances
        await (a if n % 2 else b).acquire("reply")
    assert len(sleeps.calls) == 30  # the first 30 were the burst; each later one waited for its token
    assert sum(sleeps.calls) == pytest.approx(1.0, abs=0.01)  # 60 sends at 30/s across both: 1 s of waiting
    # Two per-process budgets (what we had) would have sent all 60 at once.
    separate = [
        RateBudget(db, name=f"own-{i}", clock=clock, sleep=sleeps) for i, db in enumerate(two_engines)
    ]
    sleeps.calls.clear()
    for n in range(60):
        await separate[n % 2].acquire("reply")
    assert sleeps.calls == []


async def test_bulk_sends_leave_the_reserve_to_replies(pg_db, clock):
    sleeps = Sleeps(clock)
    budget = RateBudget(pg_db, rate=30, capacity=30, reserve=5, clock=clock, sleep=sleeps)
    for _ in range(25):
        assert await budget.acquire("nudge") == 0
    waited = await budget.acquire("nudge")  # only the reserve is left: the nudge waits for a refill
    assert waited == pytest.approx(1 / 30, abs=1e-6)
    clock.set(clock.now)  # the bucket is now at the reserve exactly
    for _ in range(5):
        assert await budget.acquire("reply") == 0  # replies still go at once
    assert await budget.acquire("reply") > 0


async def test_concurrent_acquires_at_two_instances_never_overdraw(two_engines, clock):
    """Time stands still (no refill): of 20 racing sends at two instances exactly the 10 in the bucket go;
    the rest would have to wait. Without the row lock both instances would read the same 10 tokens."""

    class WouldWait(Exception):
        pass

    async def refuse(seconds: float) -> None:
        raise WouldWait

    a, b = (RateBudget(db, rate=30, capacity=10, reserve=0, clock=clock, sleep=refuse) for db in two_engines)
    results = await asyncio.gather(
        *((a if n % 2 else b).acquire("reply") for n in range(20)), return_exceptions=True
    )
    assert sum(r == 0 for r in results) == 10
    assert sum(isinstance(r, WouldWait) for r in results) == 10
