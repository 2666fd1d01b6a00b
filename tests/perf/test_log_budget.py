"""The hot path of a log has a budget in statements and round trips, counted on Postgres.

Budget: ≤4 statements. Ours are two: the user with what they have (one SELECT), and the readings with
the khatm's new coverage (one INSERT … ON CONFLICT DO NOTHING RETURNING, which is the duplicate check,
and on Postgres the khatm UPDATE in the same statement). The rest of the budget is for the update claim
/ per-user lock taken at the start of the transaction. Round trips: the statements, BEGIN and COMMIT.
"""

from __future__ import annotations

from storage.counting import counting

STATEMENTS = 4


async def _log(c, user_id: int, text: str):
    with counting(c.db.engine, keep_sql=True) as n:
        out = await c.send(user_id, text)
    return out, n


async def test_a_private_log_stays_within_the_statement_budget(conversation):
    c = conversation
    await c.onboard(7)
    await c.send(7, "read al-baqarah 1-5")  # the khatm is open and the connection warm
    out, n = await _log(c, 7, "read al-kahf 1-20")
    assert "Al-Kahf 1–20" in out[0]
    assert n.statements <= STATEMENTS, n.sql
    ours = [q for q in n.sql if "FROM users" in q or "INSERT INTO readings" in q]
    assert len(ours) == 2, n.sql
    assert n.pings == 0  # no pre-ping on checkout: recycle and retry instead
    assert n.round_trips <= n.statements + 2, n.sql  # BEGIN and COMMIT around them, nothing else


async def test_the_budget_does_not_grow_with_history(conversation):
    c = conversation
    await c.onboard(8)
    for surah in range(2, 40):
        await c.send(8, f"read surah {surah}")
    _, n = await _log(c, 8, "read al-kahf 1-20")
    assert n.statements <= STATEMENTS, n.sql
