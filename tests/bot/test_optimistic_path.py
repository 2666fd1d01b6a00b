"""The optimistic path answers exactly as the lock path does: the same conversations, one bot with the
path and one without it (each on its own database), must hear the same replies and store the same
readings. Goals matter most: their "today" line reads readings after the log's own is staged."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from storage import Database, upgrade
from storage.models import Reading
from tests.harness import running_bot

CONVERSATIONS = {
    "pages": ["/goal 5 pages", "pages 1-2", "page 3", "read al-baqarah 30-60", "read yasin yesterday"],
    "juz": ["/goal 1 juz", "read al-baqarah 1-20", "read al-baqarah 21-40", "read al-fatiha"],
    "ayahs": ["/goal 20 ayahs", "2:1-10", "2:11", "read al-mulk", "2:255"],
    "khatm by": ["/goal khatm in 30 days", "read al-fatiha", "juz 2", "read al-kahf 1-20"],
    # the day's target moves with what was covered before today: readings dated earlier, today's
    # overlapping them, and a log for an earlier day (each a case of ReadingRepo.windows's staged reading)
    "khatm by, re-read": [
        "/goal khatm in 30 days",
        "read al-kahf 1-20 yesterday",
        "read al-kahf 10-30",
        "read al-kahf 25-40",
        "read al-mulk 2 days ago",
        "read yasin 1-20",
        "read yasin 10-30 yesterday",  # an earlier day's reading over today's: Yaseen 10-20 was before
        "read al-kahf 1-50",
    ],
    "minutes": ["/goal 15 minutes", "read for 10 minutes", "read al-mulk", "read for 5 minutes"],
    "no goal": ["read al-mulk", "read al-mulk", "read 5 pages", "read al-mulk and yasin", "hello there"],
}


async def _run(url: str, clock, texts: list[str], optimistic: bool) -> tuple[list[str], list[tuple]]:
    db = Database(url)
    if not optimistic:
        db._optimistic = None  # the lock path only, as behind PgBouncer
    try:
        async with running_bot(db, clock) as c:
            await c.onboard(5)
            replies = [await c.send(5, text) for text in texts]
            assert c.errors == []
            async with db.unit_of_work() as uow:
                stored = (
                    await uow.session.execute(
                        select(Reading.start_index, Reading.end_index, Reading.local_date).order_by(
                            Reading.id
                        )
                    )
                ).all()
        return [r for reply in replies for r in reply], [tuple(row) for row in stored]
    finally:
        await db.dispose()


@pytest.mark.parametrize("name", list(CONVERSATIONS))
async def test_the_optimistic_path_answers_as_the_lock_path_does(name, pg_database_factory, clock):
    start = clock()
    urls = [await pg_database_factory() for _ in range(2)]
    for url in urls:
        db = Database(url)
        await upgrade(db.engine)
        await db.dispose()
    clock.set(start)
    with_path = await _run(urls[0], clock, CONVERSATIONS[name], optimistic=True)
    clock.set(start)
    without = await _run(urls[1], clock, CONVERSATIONS[name], optimistic=False)
    assert with_path == without
