"""After a large move west the same local date comes round again: its reminder comes too (once more)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import time_machine

from tests.scheduler.conftest import add_user, tick_at
from tracker import users
from tracker.clock import system_clock


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


async def _move(db, user_id: int, timezone: str, at: datetime) -> None:
    with time_machine.travel(at, tick=False):
        async with db.unit_of_work() as uow:
            await users.set_timezone(uow, await uow.users.get(user_id), timezone, system_clock())


async def _sent_between(
    scheduler, first: datetime, last: datetime, step=timedelta(minutes=30)
) -> list[datetime]:
    sent, at = [], first
    while at <= last:
        if (await tick_at(scheduler, at)).sent:
            sent.append(at)
        at += step
    return sent


async def test_tokyo_to_los_angeles_the_day_lived_again_gets_its_reminder(conversation, scheduler):
    c = conversation
    await add_user(c, 1, "Asia/Tokyo", utc(2026, 3, 10, 0), daily=time(20, 0))
    assert (await tick_at(scheduler, utc(2026, 3, 10, 11, 0))).sent == 1  # 20:00 on 10 March in Tokyo
    await _move(c.db, 1, "America/Los_Angeles", utc(2026, 3, 10, 13, 0))  # 06:00 on 10 March in LA
    sent = await _sent_between(scheduler, utc(2026, 3, 10, 13, 30), utc(2026, 3, 12, 4, 0))
    # 20:00 on 10 March in LA (03:00 UTC on the 11th), then 20:00 on the 11th: never 40 h without one
    assert sent == [utc(2026, 3, 11, 3, 0), utc(2026, 3, 12, 3, 0)]


async def test_a_short_move_west_after_the_reminder_does_not_repeat_it(conversation, scheduler):
    c = conversation
    await add_user(c, 2, "Europe/Paris", utc(2026, 3, 10, 0), daily=time(20, 0))
    assert (await tick_at(scheduler, utc(2026, 3, 10, 19, 0))).sent == 1  # 20:00 in Paris
    await _move(c.db, 2, "Europe/London", utc(2026, 3, 10, 19, 15))  # 19:15 in London
    sent = await _sent_between(scheduler, utc(2026, 3, 10, 19, 30), utc(2026, 3, 11, 21, 0))
    assert sent == [utc(2026, 3, 11, 20, 0)]  # not again at 20:00 London on the 10th
