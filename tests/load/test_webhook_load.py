"""Load through the webhook, reduced for CI: 50 users, 1,000 updates, 10 connections (as Telegram).

The full size (1,000 users, 20,000 updates) is `benchmarks/load_webhook.py`; both use `run_load`.
LOAD_USERS / LOAD_UPDATES / LOAD_CONCURRENCY override the size here.
"""

from __future__ import annotations

import os
from collections import Counter

from benchmarks.load_webhook import run_load
from storage import Database, upgrade


async def test_every_update_is_stored_once_and_answered_once(pg_database_factory):
    url = await pg_database_factory()
    db = Database(url)
    await upgrade(db.engine)
    await db.dispose()
    result = await run_load(
        url,
        users=int(os.environ.get("LOAD_USERS", 50)),
        updates=int(os.environ.get("LOAD_UPDATES", 1000)),
        concurrency=int(os.environ.get("LOAD_CONCURRENCY", 10)),
        timeout=240,
    )
    print(result.summary())
    assert result.statuses == Counter({200: result.updates})
    assert result.stored == result.distinct_stored == result.updates  # every reading once
    assert result.replies_ok  # one reply per message
    assert result.percentile(99) < 10.0  # nobody starved
