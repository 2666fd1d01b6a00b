"""A tick with a thousand nudges due, killed at random points, then restarted: no nudge is ever sent twice,
at most the group in flight is lost, and every claim the killed tick never attempted is retried.

The in-process tests cancel the tick task at the k-th send (k drawn at random): as with SIGKILL, what
survives is only what was committed — the open unit of work is rolled back (by the server, on a real
kill) — and the sends in flight never complete. The last test is the real thing: a tick process
(tests/faults/tick_child.py) SIGKILLed at a random send, and a new process after the lease.
"""

from __future__ import annotations

import asyncio
import random
import signal
import sys
from collections import Counter
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest
from sqlalchemy import insert, select

from bot.nudges import render
from bot.outbox import Outbox
from scheduler import ReminderScheduler
from scheduler.tick import SEND_GROUP
from storage import Database
from storage.leases import LEASE
from storage.models import Delivery, Reminder, User
from tests.scheduler.conftest import Sleeps, tick_at
from tracker.clock import system_clock

DUE = datetime(2026, 3, 10, 7, 30, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[2]
USERS = 1000


async def _many_due(db, fake=None) -> None:
    """USERS people with a daily reminder due at DUE (rows written directly: setting them up one by one
    through the app would take longer than the test), who all started the bot (in `fake`; the child
    process of the SIGKILL test declares them in its own fake)."""
    for n in range(USERS if fake is not None else 0):
        fake.start_chat(1000 + n)
    created = DUE - timedelta(days=1)
    async with db.unit_of_work() as uow:
        await uow.session.execute(
            insert(User),
            [dict(id=1000 + n, timezone="UTC", language="en", created_at=created) for n in range(USERS)],
        )
        await uow.session.execute(
            insert(Reminder),
            [
                dict(
                    user_id=1000 + n,
                    kind="daily",
                    slot=1,
                    local_time=time(7, 30),
                    enabled=True,
                    next_due_at=DUE,
                )
                for n in range(USERS)
            ],
        )


def _nudges(fake) -> Counter:
    return Counter(
        int(c.params["chat_id"])
        for c in fake.calls
        if c.method == "sendMessage" and c.ok and c.params["chat_id"] >= 1000
    )


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_a_tick_killed_anywhere_doubles_nothing_and_retries_what_it_never_attempted(conversation, seed):
    c = conversation
    await _many_due(c.db, c.fake)
    kill_at = random.Random(seed).randrange(1, USERS)
    started, killed = 0, asyncio.Event()
    forever = asyncio.Event()

    async def die_at_the_kth_send(method: str, params: dict) -> None:
        nonlocal started
        if method == "sendMessage":
            started += 1
            if started >= kill_at:
                killed.set()
                await forever.wait()  # this send, and every one after it, never completes

    c.fake.latency = die_at_the_kth_send
    doomed = ReminderScheduler(
        c.db, Outbox(c.app.bot, c.db, sleep=Sleeps()), render, clock=system_clock, batch_size=300
    )
    task = asyncio.create_task(tick_at(doomed, DUE))
    async with asyncio.timeout(30):
        await killed.wait()
    await asyncio.sleep(0)  # let the rest of the group start its sends too
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    c.fake.latency = None
    before_restart = _nudges(c.fake)
    assert max(before_restart.values(), default=0) <= 1

    async with c.db.unit_of_work() as uow:
        rows = list((await uow.session.execute(select(Delivery))).scalars())
    in_flight = {
        d.user_id for d in rows if d.attempted_at is not None and d.sent_at is None and d.error is None
    }
    assert len(in_flight) <= SEND_GROUP  # at most one group was in flight

    # Restart, after the lease: the next ticks retry every claim that was never attempted, and the rest.
    restarted = ReminderScheduler(
        c.db, Outbox(c.app.bot, c.db, sleep=Sleeps()), render, clock=system_clock, batch_size=300
    )
    for minute in range(3):
        await tick_at(restarted, DUE + LEASE + timedelta(minutes=1 + minute))
    nudged = _nudges(c.fake)
    assert max(nudged.values()) == 1, "a nudge was sent twice"
    lost = {1000 + n for n in range(USERS)} - set(nudged)
    # Lost are exactly the sends in flight when the tick died (sent maybe, never marked): never retried.
    assert lost <= in_flight and len(lost) <= SEND_GROUP, (len(lost), kill_at)
    assert len(nudged) >= USERS - SEND_GROUP


async def test_sigterm_mid_tick_finishes_its_group_and_leaves_the_rest_to_the_next_tick(conversation):
    c = conversation
    await _many_due(c.db, c.fake)
    scheduler = ReminderScheduler(
        c.db, Outbox(c.app.bot, c.db, sleep=Sleeps()), render, clock=system_clock, batch_size=500
    )
    sent = 0

    async def stop_after_a_few(method: str, params: dict) -> None:
        nonlocal sent
        if method == "sendMessage":
            sent += 1
            if sent == 10:
                scheduler.stop()  # SIGTERM arrives mid-group

    c.fake.latency = stop_after_a_few
    report = await tick_at(scheduler, DUE)
    assert report.sent == SEND_GROUP  # the group in flight was finished, nothing more
    c.fake.latency = None
    # The next tick (another instance, or this one restarted) takes the released claims at once.
    other = ReminderScheduler(
        c.db, Outbox(c.app.bot, c.db, sleep=Sleeps()), render, clock=system_clock, batch_size=500
    )
    for minute in range(3):
        await tick_at(other, DUE + timedelta(minutes=1 + minute))
    nudged = _nudges(c.fake)
    assert len(nudged) == USERS and max(nudged.values()) == 1


@pytest.mark.parametrize("seed", [7, 8])
async def test_sigkill_of_the_tick_process_at_a_random_send_then_restart(fresh_pg_url, tmp_path, seed):
    """The real thing: the tick runs in its own process, SIGKILLed once it has sent a random number of
    nudges; a new process ticks after the lease. Sends are logged by the fake before it answers."""
    db = Database(fresh_pg_url)
    try:
        await _many_due(db)
    finally:
        await db.dispose()
    log = tmp_path / "sent.txt"
    log.touch()
    kill_after = random.Random(seed).randrange(50, USERS - 100)
    cmd = [sys.executable, "-m", "tests.faults.tick_child", fresh_pg_url, str(log)]
    child = await asyncio.create_subprocess_exec(
        *cmd, DUE.isoformat(), cwd=ROOT, stdout=asyncio.subprocess.PIPE
    )
    try:
        async with asyncio.timeout(60):  # bounded: read the child's sends as they happen, then kill
            for _ in range(kill_after):
                assert await child.stdout.readline(), "the child stopped before the kill"
        child.send_signal(signal.SIGKILL)
    finally:
        await child.wait()
    at_kill = Counter(int(x) for x in log.read_text().split())
    assert child.returncode == -signal.SIGKILL and sum(at_kill.values()) < USERS
    restart = await asyncio.create_subprocess_exec(
        *cmd, (DUE + LEASE + timedelta(minutes=1)).isoformat(), "3", cwd=ROOT, stdout=asyncio.subprocess.PIPE
    )
    out, _ = await asyncio.wait_for(restart.communicate(), 120)
    assert b"done" in out
    sent = Counter(int(x) for x in log.read_text().split())
    assert max(sent.values()) == 1, "a nudge was sent twice"
    lost = USERS - len(sent)
    assert lost <= SEND_GROUP, (lost, kill_after)  # at most the group in flight at the kill
    assert len(sent) > sum(at_kill.values())  # the restarted tick retook what the killed one left
