"""Hifz at scale, on Postgres: 100,000 memorisers with ~60 memorised pages each (6 million FSRS cards,
1% of them with all 604 pages).

Measures, in one run:
- the due query for one user (today's list: due before the end of the local day, most overdue first,
  capped by the budget) — for a typical memoriser and for one with all 604 pages — against the index;
- the daily revision reminders of every memoriser due in the same minute, dispatched by the real tick
  (ReminderScheduler with the hifz source) to a zero-latency fake Bot API: throughput and memory,
  at N/10 and at N to show memory stays flat.

    .venv/bin/python benchmarks/bench_hifz.py                 # N = 100,000 memorisers
    .venv/bin/python benchmarks/bench_hifz.py --users 20000

Needs the Postgres of the test suite (TEST_DATABASE_URL, default postgres@127.0.0.1:5432/test); it creates
and drops its own databases.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import random
import resource
import statistics
import sys
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path

import asyncpg
import time_machine
from sqlalchemy import text
from sqlalchemy.engine import make_url
from telegram import Bot
from telegram.request import BaseRequest, RequestData

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.handlers.hifz import hifz_reminders
from bot.nudges import render
from bot.outbox import Outbox
from scheduler import ReminderScheduler
from storage import Database, upgrade
from tracker.clock import system_clock
from tracker.hifz import end_of_day

ADMIN_URL = os.environ.get("TEST_DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
DUE = datetime(2026, 3, 10, 5, 0, tzinfo=UTC)
FULL_SHARE = 0.01  # memorisers with the whole Quran
BUDGET = 20


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

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None, *a, **k):
        if url.endswith("/getMe"):
            return 200, self._ME
        self.sent += 1
        params = request_data.parameters if request_data else {}
        message = {
            "message_id": self.sent,
            "date": int(DUE.timestamp()),
            "chat": {"id": int(params.get("chat_id", 0)), "type": "private"},
            "text": str(params.get("text", "")),
        }
        return 200, json.dumps({"ok": True, "result": message}).encode()


async def _connect(url: str) -> asyncpg.Connection:
    u = make_url(url)
    return await asyncpg.connect(
        host=u.host, port=u.port or 5432, user=u.username, password=u.password, database=u.database
    )


def _pages_for(user_id: int, rng: random.Random, n: int) -> int:
    if user_id <= max(1, int(n * FULL_SHARE)):
        return 604
    return rng.randint(1, 108)  # mean 54.5: with the 1% at 604, ~60 pages a memoriser


def _cards(users: range, n: int, seed: int):
    """Each memoriser's pages from the end of the mushaf back (juz 30 first, as most begin), due dates
    spread over the month around DUE (a third overdue)."""
    rng = random.Random(seed)
    memorised_on = date(2025, 6, 1)
    for u in users:
        for page in range(605 - _pages_for(u, rng, n), 605):
            stability = rng.uniform(1.0, 120.0)
            due = DUE + timedelta(hours=rng.uniform(-240, 480))
            last = due - timedelta(days=max(1.0, stability))
            yield (u, page, memorised_on, 2, stability, rng.uniform(1, 10), due, last, 3, 0)


async def seed(url: str, n: int) -> int:
    conn = await _connect(url)
    created = DUE - timedelta(days=300)
    await conn.copy_records_to_table(
        "users",
        columns=["id", "language", "timezone", "grace_days_per_week", "created_at"],
        records=[(i, "en" if i % 3 else "ar", "UTC", 1, created) for i in range(1, n + 1)],
    )
    await conn.copy_records_to_table(
        "hifz_settings",
        columns=[
            "user_id",
            "daily_budget",
            "routine",
            "sabqi_pages",
            "default_rating",
            "remind_at",
            "remind_next_at",
        ],
        records=[(i, BUDGET, "fsrs", 5, 3, dtime(5, 0), DUE) for i in range(1, n + 1)],
    )
    total = 0
    columns = [
        "user_id",
        "page",
        "memorised_on",
        "state",
        "stability",
        "difficulty",
        "due",
        "last_review",
        "reps",
        "lapses",
    ]
    step = 5000  # users per COPY: bounded memory while seeding
    for first in range(1, n + 1, step):
        rows = list(_cards(range(first, min(n, first + step - 1) + 1), n, first))
        total += len(rows)
        await conn.copy_records_to_table("hifz_cards", columns=columns, records=rows)
    await conn.execute("ANALYZE")
    await conn.close()
    return total


async def measure(n: int) -> dict[str, float]:
    admin = await _connect(ADMIN_URL)
    name = f"qt_bench_{uuid.uuid4().hex[:10]}"
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    db = Database(url, pool_size=5)
    try:
        await upgrade(db.engine)
        t0 = time.perf_counter()
        cards = await seed(url, n)
        seeded = time.perf_counter() - t0
        until = end_of_day(DUE, "UTC")
        rng = random.Random(7)
        full_user = 1
        typical = [rng.randint(int(n * FULL_SHARE) + 1, n) for _ in range(200)]
        async with db.unit_of_work() as uow:  # warm the pool and the plan cache
            await uow.hifz.due(typical[0], until, BUDGET)
        timings: dict[str, list[float]] = {"typical": [], "full": []}
        for kind, ids in (("typical", typical), ("full", [full_user] * 50)):
            for uid in ids:
                async with db.unit_of_work() as uow:
                    t0 = time.perf_counter()
                    await uow.hifz.due(uid, until, BUDGET)
                    timings[kind].append(time.perf_counter() - t0)
        async with db.engine.connect() as c:
            plan = "\n".join(
                r[0]
                for r in (
                    await c.execute(
                        text(
                            "EXPLAIN ANALYZE SELECT * FROM hifz_cards WHERE user_id = 1 AND due <= :u "
                            "ORDER BY due, page LIMIT 20"
                        ),
                        {"u": until},
                    )
                ).all()
            )
        fake = NullBotAPI()
        bot = Bot("123456:BENCH", request=fake, get_updates_request=fake)
        await bot.initialize()
        scheduler = ReminderScheduler(
            db, Outbox(bot, db), render, clock=system_clock, sources=[hifz_reminders]
        )
        gc.collect()
        rss_before = rss_mb()
        ticks = 0
        with time_machine.travel(DUE, tick=True):
            t0 = time.perf_counter()
            while True:
                report = await scheduler.tick()
                ticks += 1
                if report.due == 0:
                    break
            elapsed = time.perf_counter() - t0
        rss_after = rss_mb()
        async with db.engine.connect() as c:
            left = (
                await c.execute(
                    text("SELECT count(*) FROM hifz_settings WHERE remind_next_at <= :d"), {"d": DUE}
                )
            ).scalar()
            claimed = (await c.execute(text("SELECT count(*) FROM deliveries WHERE kind = 'hifz'"))).scalar()
        assert left == 0 and claimed == fake.sent, (left, claimed, fake.sent)

        # Side by side in the same run: the reading reminders (one daily reminder per user, same minute).
        conn = await _connect(url)
        at = DUE + timedelta(hours=1)
        await conn.copy_records_to_table(
            "reminders",
            columns=["user_id", "kind", "slot", "local_time", "enabled", "next_due_at"],
            records=[(i, "daily", 1, dtime(6, 0), True, at) for i in range(1, n + 1)],
        )
        await conn.execute("ANALYZE reminders")
        await conn.close()
        reading_fake = NullBotAPI()
        reading_bot = Bot("123456:BENCH", request=reading_fake, get_updates_request=reading_fake)
        await reading_bot.initialize()
        plain = ReminderScheduler(db, reading_bot, render, clock=system_clock, max_batches=10_000)
        with time_machine.travel(at, tick=True):
            t0 = time.perf_counter()
            await plain.tick()
            reading_s = time.perf_counter() - t0

        def ms(values: list[float], q: float) -> float:
            return statistics.quantiles(values, n=100)[int(q) - 1] * 1000 if len(values) > 1 else values[0]

        return {
            "users": n,
            "cards": cards,
            "seed_s": seeded,
            "typical_median_ms": statistics.median(timings["typical"]) * 1000,
            "typical_p99_ms": ms(timings["typical"], 99),
            "full_median_ms": statistics.median(timings["full"]) * 1000,
            "full_p99_ms": ms(timings["full"], 99),
            "index_used": "ix_hifz_cards_user_id_due" in plan or "pk_hifz_cards" in plan,
            "plan": plan,
            "sent": fake.sent,
            "ticks": ticks,
            "dispatch_s": elapsed,
            "per_s": fake.sent / elapsed if elapsed else 0.0,
            "rss_before_mb": rss_before,
            "rss_after_mb": rss_after,
            "reading_per_s": reading_fake.sent / reading_s,
        }
    finally:
        await db.dispose()
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--users", type=int, default=100_000)
    args = ap.parse_args()
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
    for n in (max(1000, args.users // 10), args.users):
        r = asyncio.run(measure(n))
        print(f"\n{r['users']:,} memorisers, {r['cards']:,} cards (seeded in {r['seed_s']:.0f} s)")
        print(
            f"  due query, typical memoriser: {r['typical_median_ms']:.2f} ms median, "
            f"{r['typical_p99_ms']:.2f} ms p99"
        )
        print(
            f"  due query, all 604 pages:     {r['full_median_ms']:.2f} ms median, "
            f"{r['full_p99_ms']:.2f} ms p99; index used: {r['index_used']}"
        )
        print(
            f"  revision reminders: {r['sent']:,} sent in {r['dispatch_s']:.1f} s over {r['ticks']} ticks "
            f"= {r['per_s']:,.0f}/s"
        )
        print(f"  same run, reading reminders: {r['reading_per_s']:,.0f}/s")
        print(f"  RSS before/after dispatch: {r['rss_before_mb']:.0f} / {r['rss_after_mb']:.0f} MB")
    print(f"  process peak RSS: {peak_mb():.0f} MB")
    print("\nplan (user with 604 pages):\n" + r["plan"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
