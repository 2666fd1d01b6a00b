"""No pre-ping: a pooled connection that died while idle costs one retry, not an error to the user."""

from __future__ import annotations

import asyncpg
from sqlalchemy.engine import make_url

from storage.counting import counting


async def _kill_pooled_connections(url: str) -> int:
    u = make_url(url)
    conn = await asyncpg.connect(host=u.host, port=u.port or 5432, user=u.username, database=u.database)
    try:
        return await conn.fetchval(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    finally:
        await conn.close()


async def test_a_log_on_a_dead_pooled_connection_is_retried_and_answered(conversation):
    c = conversation
    await c.onboard(9)
    assert (await c.send(9, "read yasin"))[0].startswith("✅ Yaseen")
    assert await _kill_pooled_connections(c.db.url) >= 1  # the server restarted, a proxy dropped it…
    with counting(c.db.engine) as n:
        out = await c.send(9, "read al-mulk")
    assert out[0].startswith("✅ Al-Mulk"), out
    assert c.errors == []
    assert n.pings == 0
    assert [r.start_index for r in await c.readings(9)] != []
    assert len(await c.readings(9)) == 2  # logged once, not twice
