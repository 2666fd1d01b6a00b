"""Reminders at scale, on Postgres: N users due in the same minute.

Measures, in one run:
- the due query the tick runs (one batch, and a count of everything due), against the index;
- claim-and-dispatch throughput of ReminderScheduler.tick() with a zero-latency fake Bot API and the
  rate limiter off (so the figure is our own cost, not Telegram's 30 messages a second);
- peak memory of the tick, at N and at N/10, to show it stays flat in the number of users;
- side by side, the naive design: one python-telegram-bot JobQueue `run_daily` job per user —
  start-up time and memory for N jobs.

    .venv/bin/python benchmarks/bench_reminders.py            # N = 100,000
    .venv/bin/python benchmarks/bench_reminders.py --users 20000

Needs the Postgres of the test suite (TEST_DATABASE_URL, default postgres@127.0.0.1:5432/test); it creates
and drops its own databases.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import resource
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from datetime import time as dtime
from pathlib import Path

import asyncpg
import time_machine
from sqlalchemy import text
from sqlalchemy.engine import make_url
from telegram import Bot
from telegram.request import BaseRequest, RequestData

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.nudges import render
from bot.outbox import Outbox
from scheduler import ReminderScheduler
from storage import Database, upgrade
from tracker.clock import system_clock

ADMIN_URL = os.environ.get("TEST_DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
DUE = datetime(2026, 3, 10, 7, 0, tzinfo=UTC)


def rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class NullBotAPI(BaseRequest):
    """Answers every call at once and keeps nothing: the cost measured is ours alone."""

    _ME = json.dumps(
        {"ok": True, "result": {"id": 1, "is_bot": True, "first_name": "Bench", "username": "bench_bot"}}
    ).encode()

    def __init__(self) -> None:
        self.sent = 0

    @property
    def read_timeout(self) -> float | None:
        return 5.0

    async def initialize(self) -> None: ...

    async def shutdown(self) -> None: ...

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: object = None,
        write_timeout: object = None,
        connect_timeout: object = None,
        pool_timeout: object = None,
    ) -> tuple[int, bytes]:
        if url.endswith("/getMe"):
            return 200, self._ME
        self.sent += 1
        params = request_data.parameters if request_data else {}
        chat_id = int(params.get("chat_id", 0))
        message = {
            "message_id": self.sent,
            "date": int(DUE.timestamp()),
            "chat": {"id": chat_id, "type": "private"},
            "text": str(params.get("text", "")),
        }
        return 200, json.dumps({"ok": True, "result": message}).encode()


async def admin() -> asyncpg.Connection:
    url = make_url(ADMIN_URL)
    return await asyncpg.connect(
        host=url.host, port=url.port or 5432, user=url.username, password=url.password, database=url.database
    )


async def fresh_database(conn: asyncpg.Connection) -> tuple[str, str]:
    name = f"qt_bench_{uuid.uuid4().hex[:10]}"
    await conn.execute(f'CREATE DATABASE "{name}"')
    return name, make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)


async def seed(url: str, n: int) -> None:
    """N users, each with a daily reminder due at DUE (the same minute), written with COPY."""
    u = make_url(url)
    conn = await asyncpg.connect(
        host=u.host, port=u.port or 5432, user=u.username, password=u.password, database=u.database
    )
    created = DUE - timedelta(days=30)
    await conn.copy_records_to_table(
        "users",
        columns=["id", "language", "timezone", "grace_days_per_week", "created_at"],
        records=[(i, "en", "UTC", 1, created) for i in range(1, n + 1)],
    )
    rows = [(i, "daily", 1, dtime(7, 0), True, DUE) for i in range(1, n + 1)]
    await conn.copy_records_to_table(
        "reminders", columns=["user_id", "kind", "slot", "local_time", "enabled", "next_due_at"], records=rows
    )
    await conn.execute("ANALYZE")
    await conn.close()


async def measure_tick(n: int) -> dict[str, float]:
    conn = await admin()
    name, url = await fresh_database(conn)
    db = Database(url, pool_size=5)
    try:
        await upgrade(db.engine)
        t0 = time.perf_counter()
        await seed(url, n)
        seeded = time.perf_counter() - t0
        async with db.unit_of_work() as uow:  # warm the pool and the plan cache
            await uow.reminders.due(DUE, 500)
        timings = []
        for _ in range(5):
            async with db.unit_of_work() as uow:
                t0 = time.perf_counter()
                rows = await uow.reminders.due(DUE, 500)
                timings.append(time.perf_counter() - t0)
        async with db.engine.connect() as c:
            t0 = time.perf_counter()
            total_due = (
                await c.execute(
                    text("SELECT count(*) FROM reminders WHERE enabled AND next_due_at <= :now"), {"now": DUE}
                )
            ).scalar()
            count_s = time.perf_counter() - t0
            plan = "\n".join(
                r[0]
                for r in (
                    await c.execute(
                        text(
                            "EXPLAIN SELECT * FROM reminders WHERE enabled AND next_due_at <= :now "
                            "ORDER BY next_due_at LIMIT 500"
                        ),
                        {"now": DUE},
                    )
                ).all()
            )
        fake = NullBotAPI()
        bot = Bot("123456:BENCH", request=fake, get_updates_request=fake)
        await bot.initialize()
        scheduler = ReminderScheduler(
            db, Outbox(bot, db), render, clock=system_clock, batch_size=500, max_batches=10_000
        )
        gc.collect()
        rss_before = rss_mb()
        with time_machine.travel(DUE, tick=True):
            t0 = time.perf_counter()
            report = await scheduler.tick()
            elapsed = time.perf_counter() - t0
        rss_after = rss_mb()
        assert report.sent == n == fake.sent, (report, fake.sent)
        return {
            "users": n,
            "seed_s": seeded,
            "due_query_batch_ms": min(timings) * 1000,
            "due_query_batch_median_ms": sorted(timings)[2] * 1000,
            "due_rows": len(rows),
            "count_all_due_ms": count_s * 1000,
            "total_due": total_due,
            "tick_s": elapsed,
            "nudges_per_s": n / elapsed,
            "rss_before_mb": rss_before,
            "rss_after_mb": rss_after,
            "index_used": "ix_reminders_due" in plan,
        }
    finally:
        await db.dispose()
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.close()


def measure_naive(n: int) -> dict[str, float]:
    """One run_daily job per user in PTB's JobQueue (APScheduler underneath)."""
    from telegram.ext import ApplicationBuilder

    async def noop(context: object) -> None: ...

    async def go() -> dict[str, float]:
        fake = NullBotAPI()
        app = ApplicationBuilder().token("123456:NAIVE").request(fake).get_updates_request(fake).build()
        gc.collect()
        before = rss_mb()
        async with app:
            await app.start()
            t0 = time.perf_counter()
            for i in range(n):
                app.job_queue.run_daily(
                    noop, time=dtime(7, 0, tzinfo=UTC), chat_id=i, user_id=i, name=f"reminder-{i}"
                )
            added = time.perf_counter() - t0
            after = rss_mb()
            jobs = len(app.job_queue.jobs())
            await app.stop()
        return {"jobs": jobs, "startup_s": added, "rss_delta_mb": after - before}

    return asyncio.run(go())


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--users", type=int, default=100_000)
    ap.add_argument("--skip-naive", action="store_true")
    args = ap.parse_args()
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
    small = asyncio.run(measure_tick(max(1000, args.users // 10)))
    big = asyncio.run(measure_tick(args.users))
    for r in (small, big):
        print(f"\n{r['users']:,} users due in the same minute (seeded in {r['seed_s']:.1f} s)")
        print(
            f"  due query, one batch of {r['due_rows']}: {r['due_query_batch_ms']:.1f} ms best, "
            f"{r['due_query_batch_median_ms']:.1f} ms median; index used: {r['index_used']}"
        )
        print(f"  count of all {r['total_due']:,} due: {r['count_all_due_ms']:.1f} ms")
        print(f"  tick: {r['tick_s']:.1f} s for {r['users']:,} nudges = {r['nudges_per_s']:,.0f} nudges/s")
        print(f"  RSS before/after the tick: {r['rss_before_mb']:.0f} / {r['rss_after_mb']:.0f} MB")
    print(f"  process peak RSS so far: {peak_mb():.0f} MB")
    if not args.skip_naive:
        naive = measure_naive(args.users)
        print(
            f"\nnaive: {naive['jobs']:,} run_daily jobs in the JobQueue: "
            f"start-up {naive['startup_s']:.1f} s, +{naive['rss_delta_mb']:.0f} MB RSS"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
