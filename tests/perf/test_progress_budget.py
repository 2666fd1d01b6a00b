"""/progress costs a fixed number of statements, whatever the history (issue 18), counted on Postgres.

Its statements: the update claim, the user with what they have, where the latest reading ended, the
pace (`ReadingRepo.windows`: the window's readings, the earlier ones reaching into them, the first day),
and the outcome. A user with goals adds today's goal work — a khatm-by-date goal the same kind of
bounded query from today on — and no more with history. Nothing reads the khatm's readings whole.
"""

from __future__ import annotations

from storage.counting import counting

BUDGET = 5  # with no goal: claim, user, latest end, pace, outcome


async def _progress(c, user_id: int):
    with counting(c.db.engine, keep_sql=True) as n:
        out = await c.send(user_id, "/progress")
    assert "Khatm" in out[0], out
    return n


async def _history(c, user_id: int, days: int) -> None:
    """A reading a day, re-reads and backdated ones among them, over `days` days."""
    for day in range(days):
        await c.send(user_id, f"read surah {2 + day % 40}")
        if day % 3 == 0:
            await c.send(user_id, "read al-fatiha")  # a re-read
        if day % 4 == 0:
            await c.send(user_id, f"yesterday read surah {60 + day % 20}")  # backdated
        c.clock.advance(days=1)


async def test_progress_statements_do_not_grow_with_history(conversation):
    c = conversation
    await c.onboard(3)
    await c.send(3, "read al-fatiha")
    await _progress(c, 3)  # the connection warm
    small = await _progress(c, 3)
    await _history(c, 3, 40)
    large = await _progress(c, 3)
    assert small.statements == large.statements <= BUDGET, large.sql
    assert large.round_trips == small.round_trips
    assert not any("readings.khatm_id IN" in q for q in large.sql)  # no replay of the khatm


async def test_with_a_khatm_by_goal_they_do_not_grow_either(conversation):
    c = conversation
    await c.onboard(4)
    await c.send(4, "/goal khatm in 60 days")
    await c.send(4, "read al-fatiha")
    await _progress(c, 4)
    small = await _progress(c, 4)
    await _history(c, 4, 40)
    large = await _progress(c, 4)
    assert small.statements == large.statements, large.sql
    assert not any("readings.khatm_id IN" in q for q in large.sql)
