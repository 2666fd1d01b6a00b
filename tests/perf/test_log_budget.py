"""The hot path of a log has a budget in statements and round trips, counted on Postgres.

A private log takes the optimistic path (storage/optimistic.py): **2 statements, 2 round trips** — the
user with what they have, whether the update was claimed and a reading id (one SELECT); then the one
write (the version check, the claim with its answer, the reading, the khatm's coverage, the message), in
autocommit: no BEGIN, no COMMIT.

A log that must take the lock (several passages, a first contact, a conflict) has the lock path's budget:
≤4 statements — the lock with the claim, the user, the readings with the coverage, the answer with the
message — plus BEGIN and COMMIT.
"""

from __future__ import annotations

from storage.counting import counting

ROUND_TRIPS = 2  # the optimistic path
STATEMENTS = 4  # the lock path


async def _log(c, user_id: int, text: str, **kw):
    with counting(c.db.engine, keep_sql=True) as n:
        out = await c.send(user_id, text, **kw)
    return out, n


async def test_a_private_log_is_two_round_trips(conversation):
    c = conversation
    await c.onboard(7)
    await c.send(7, "read al-baqarah 1-5")  # the khatm is open and the connection warm
    out, n = await _log(c, 7, "read al-kahf 1-20")
    assert "Al-Kahf 1–20" in out[0]
    assert n.round_trips <= ROUND_TRIPS, n.sql
    assert n.statements <= ROUND_TRIPS, n.sql
    assert n.sql[0].startswith("SELECT users.id") and "nextval" in n.sql[0], n.sql
    assert n.sql[1].startswith("WITH bump AS (UPDATE users"), n.sql
    assert n.pings == 0  # no pre-ping on checkout: recycle and retry instead


async def test_the_budget_does_not_grow_with_history(conversation):
    c = conversation
    await c.onboard(8)
    for surah in range(2, 40):
        await c.send(8, f"read surah {surah}")
    _, n = await _log(c, 8, "read al-kahf 1-20")
    assert n.round_trips <= ROUND_TRIPS, n.sql


async def test_a_log_that_takes_the_lock_stays_within_the_lock_paths_budget(conversation):
    c = conversation
    await c.onboard(9)
    await c.send(9, "read al-baqarah 1-5")
    out, n = await _log(c, 9, "read al-mulk and yasin")  # two passages: the optimistic path gives way
    assert "Al-Mulk" in out[0] and "Yaseen" in out[0], out
    locked = n.sql[1:]  # after the optimistic read that gave way
    assert "pg_advisory_xact_lock" in locked[0], n.sql
    assert len(locked) <= STATEMENTS, n.sql
    assert n.round_trips <= 1 + STATEMENTS + 2, n.sql  # the read, then BEGIN, the statements, COMMIT


async def test_a_name_the_database_stores_cleaned_does_not_look_changed_on_every_log(conversation):
    """Postgres refuses NUL, so a name is stored without it; compared raw, it would look changed on every
    update — an UPDATE of the users row each time, and never the optimistic path."""
    c = conversation
    await c.onboard(10)
    await c.send(10, "read al-baqarah 1-5", first_name="Ai\x00sha")  # the name changes once, stored cleaned
    _, n = await _log(c, 10, "read al-kahf 1-20", first_name="Ai\x00sha")
    assert n.round_trips <= ROUND_TRIPS, n.sql


async def test_a_log_with_a_goal_counts_itself_in_todays_line(conversation):
    """The optimistic path stages the reading until its one write; the queries of the goal's line add it
    themselves (storage.optimistic.SEES_STAGED), so today's line counts the log (failures.md #43) and it
    stays on the path: the read, the goal, today's readings, the latest reading, the write."""
    c = conversation
    await c.onboard(11)
    await c.send(11, "/goal 5 pages")
    await c.send(11, "pages 1-2")
    out, n = await _log(c, 11, "page 3")
    assert "2 pages left" in out[0], out
    assert "pg_advisory_xact_lock" not in " ".join(n.sql), n.sql
    assert n.round_trips <= 5, n.sql


async def test_a_log_with_a_khatm_by_goal_stays_on_the_optimistic_path(conversation):
    """The day's target of a khatm-by-a-date goal reads what the khatm covered before today — the
    readings dated today and the earlier ones that reach into them (`ReadingRepo.windows`), a table the
    staged write changes; that read places the staged reading itself, so the log stays on the path."""
    c = conversation
    await c.onboard(12)
    await c.send(12, "/goal khatm in 30 days")
    await c.send(12, "read al-kahf 1-20 yesterday")
    for text in ("read al-kahf 10-30", "read yasin 2 days ago"):  # in today's window, and before it
        out, n = await _log(c, 12, text)
        assert out[0].startswith("✅"), out
        assert "pg_advisory_xact_lock" not in " ".join(n.sql), (text, n.sql)
        assert n.round_trips <= 7, n.sql


async def test_a_member_holding_an_open_juz_logs_part_of_it_on_the_optimistic_path(circle):
    """Whether a log finishes the member's juz reads their readings since the claim; that read adds the
    staged reading itself (`CircleRepo.ranges_since`), so a log that does not finish the juz stays on the
    path (the read, the member's open juz, its readings, the circles to announce in, the write). The log
    that finishes it writes the juz's completion: that takes the lock, and the juz is done."""
    g, c = circle, circle.c
    await g.send(1, "/khatm 10 days")
    await g.press(2, "Take juz 30")
    await c.send(2, "read al-fatiha", first_name="Omar")  # the private chat is warm
    _, n = await _log(c, 2, "read an-naba", first_name="Omar")  # the first surah of juz 30
    assert "pg_advisory_xact_lock" not in " ".join(n.sql), n.sql
    assert n.round_trips <= 5, n.sql
    assert [a.juz for a, _ in await _open_juz(c, 2)] == [30]
    out, n = await _log(c, 2, "from an-naziat 1 to an-nas 6", first_name="Omar")  # the rest: juz 30 is done
    assert out[0].startswith("✅"), out
    assert "pg_advisory_xact_lock" in " ".join(n.sql), n.sql
    assert await _open_juz(c, 2) == []  # finished, under the lock
    assert c.errors == []


async def _open_juz(c, user_id: int):
    async with c.db.unit_of_work() as uow:
        return await uow.circles.open_assignments_of(user_id)
