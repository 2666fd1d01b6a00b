"""Reply latency while a big nudge tick is dispatching: two lanes (replies first) against one lane.

Run from the repository root (needs the local Postgres the tests use; TEST_DATABASE_URL to change it):

    .venv/bin/python benchmarks/bench_reply_during_tick.py      # --users 100000 --phases 6 --phase-seconds 12

What runs: a throw-away database (created, migrated, dropped at the end) holding `--users` users whose
daily reminder is due this minute, plus `--probes` onboarded users who write to the bot. The real
Application (`bot.app.build_application(..., rate_limited=True)`: handlers, unit of work, Postgres, the
`LaneRateLimiter` at Telegram's 30 messages a second) talks to `FakeBotAPI`, which takes `--latency-ms`
to answer each call (Telegram's own round trip). The real reminder tick (`bot.nudges.make_scheduler`:
batches of 500, 64 sends in flight) runs over every due user, all through the run.

While it dispatches, the probes write ("/progress" and a log, alternating) every `--every` seconds, fed
into the Application's update queue as the webhook or polling would; a reply's latency is from putting
the update in the queue until Telegram (the fake) has answered its sendMessage.

Side by side in one run: the same tick, the same process, the rate budget switched every
`--phase-seconds` between
- "lanes": `bot.ratelane.Lanes` as in production — a waiting reply gets the next slot;
- "one lane": the same budget with every send in one first-come queue (what the bot did before: PTB's
  AIORateLimiter with one overall limit), so a reply waits behind the nudges already queued.
The first `--settle` seconds of each phase are not measured (the queue left by the other mode drains).

At 30 messages a second a 100,000-nudge tick takes ~55 minutes to deliver; the run measures its first
minutes (`--phases` × `--phase-seconds`) and then stops it — the queue a reply meets does not grow with
the number due (the tick holds at most 64 sends in flight), which the printed queue lengths show.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import statistics
import sys
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path

os.environ.setdefault("PTB_TIMEDELTA", "1")
ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import asyncpg  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from telegram import Update  # noqa: E402

from bot.app import build_application  # noqa: E402
from bot.nudges import make_scheduler  # noqa: E402
from bot.ratelane import BULK, REPLY, Lanes  # noqa: E402
from fake_telegram import FakeBotAPI, UpdateFactory  # noqa: E402
from storage import Database, upgrade  # noqa: E402
from tracker.clock import system_clock  # noqa: E402

ADMIN_URL = os.environ.get("TEST_DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
TOKEN = "123456:" + "R" * 35
PROBE_FIRST = 10_000_000
TEXTS = ("/progress", "2:1-5")


class SwitchableLanes(Lanes):
    """`Lanes` as in production, or — with `one_lane` set — every send in the reply queue, first come
    first served (the single budget the bot had before)."""

    one_lane = False

    def switch(self, one_lane: bool) -> None:
        """Nudges already waiting in the bulk queue join the one queue, in order (left behind there,
        they would be served only when no send at all waits — and hold the tick's 64 slots)."""
        self.one_lane = one_lane
        if one_lane:
            self._waiting[REPLY].extend(self._waiting[BULK])
            self._waiting[BULK].clear()

    async def acquire(self, lane: str = REPLY) -> None:
        await super().acquire(REPLY if self.one_lane else lane)


async def _connect(url: str) -> asyncpg.Connection:
    u = make_url(url)
    return await asyncpg.connect(
        host=u.host, port=u.port or 5432, user=u.username, password=u.password, database=u.database
    )


async def seed(url: str, users: int, probes: int, due: datetime) -> None:
    """`users` users with a daily reminder due at `due`; `probes` onboarded users without reminders."""
    conn = await _connect(url)
    try:
        created = due - timedelta(days=30)
        await conn.copy_records_to_table(
            "users",
            columns=["id", "language", "timezone", "grace_days_per_week", "created_at", "onboarded_at"],
            records=[(i, "en", "UTC", 1, created, created) for i in range(1, users + 1)]
            + [(PROBE_FIRST + i, "en", "UTC", 1, created, created) for i in range(probes)],
        )
        await conn.copy_records_to_table(
            "reminders",
            columns=["user_id", "kind", "slot", "local_time", "enabled", "next_due_at"],
            records=[
                (i, "daily", 1, due.time().replace(tzinfo=None), True, due) for i in range(1, users + 1)
            ],
        )
        await conn.execute("ANALYZE")
    finally:
        await conn.close()


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


async def bench(args: argparse.Namespace, url: str) -> dict[str, list[float]]:
    due = system_clock().replace(second=0, microsecond=0)
    t0 = time.perf_counter()
    await seed(url, args.users, args.probes, due)
    print(f"seeded {args.users:,} users due at {due:%H:%M} UTC in {time.perf_counter() - t0:.1f} s")

    async def latency(method: str, params: dict) -> None:
        await asyncio.sleep(args.latency_ms / 1000)

    fake = FakeBotAPI(latency=latency)
    db = Database(url)
    app = build_application(TOKEN, db, request=fake, set_commands=False, rate_limited=True)
    lanes = SwitchableLanes(30)
    app.bot.rate_limiter.lanes = lanes
    factory = UpdateFactory(fake=fake)
    probe_ids = [PROBE_FIRST + i for i in range(args.probes)]
    waiting: dict[int, list[tuple[float, str]]] = {}  # probe chat -> (put time, mode) not yet answered
    nudges = 0

    def on_call(call) -> None:
        nonlocal nudges
        if call.method != "sendMessage" or not call.ok:
            return
        chat = int(call.params["chat_id"])
        if waiting.get(chat):
            put_at, mode = waiting[chat].pop(0)
            results[mode].append(time.perf_counter() - put_at)
        elif chat < PROBE_FIRST:
            nudges += 1
        if len(fake.calls) > 2000:
            fake.clear()

    fake.subscribe(on_call)
    results: dict[str, list[float]] = {"lanes": [], "one lane": []}
    log: list[str] = []
    async with app:
        await app.start()
        scheduler = make_scheduler(app, db, system_clock)
        tick = asyncio.create_task(scheduler.tick())
        await asyncio.sleep(2)  # the first batch is claimed and queued
        n = 0
        for phase in range(args.phases):
            mode = "lanes" if phase % 2 == 0 else "one lane"
            lanes.switch(mode == "one lane")
            nudges_at_start, started = nudges, time.perf_counter()
            await asyncio.sleep(args.settle)
            measured_from = len(results[mode])
            queued = []
            until = time.perf_counter() + args.phase_seconds - args.settle
            while time.perf_counter() < until:
                uid = probe_ids[n % len(probe_ids)]
                text = TEXTS[n // len(probe_ids) % len(TEXTS)]
                n += 1
                update = Update.de_json(factory.message(uid, text), app.bot)
                waiting.setdefault(uid, []).append((time.perf_counter(), mode))
                await app.update_queue.put(update)
                queued.append(lanes.waiting(BULK) + lanes.waiting(REPLY))
                await asyncio.sleep(args.every)
            await asyncio.sleep(max(0.0, args.drain - args.every))  # let this phase's last replies land
            got = results[mode][measured_from:]
            rate = (nudges - nudges_at_start) / (time.perf_counter() - started)
            line = (
                f"phase {phase + 1} ({mode}): {len(got)} replies,"
                f" median {statistics.median(got) * 1000:.0f} ms,"
                f" max {max(got) * 1000:.0f} ms; nudges {rate:.1f}/s;"
                f" sends waiting at the limiter when a probe wrote: median {statistics.median(queued):.0f}"
            )
            print(line, flush=True)
            log.append(line)
        tick.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await tick
        await app.stop()
    unanswered = sum(len(v) for v in waiting.values())
    print(f"nudges sent during the run: {nudges:,} of {args.users:,} due; probes unanswered: {unanswered}")
    return results


async def main(args: argparse.Namespace) -> int:
    from bot.logs import setup_logging

    setup_logging("WARNING", "text", secrets=[TOKEN])
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}")
    admin = await _connect(ADMIN_URL)
    name = f"qt_tick_{uuid.uuid4().hex[:10]}"
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        url = make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
        db = Database(url)
        await upgrade(db.engine)
        await db.dispose()
        async with asyncio.timeout(args.timeout):
            results = await bench(args, url)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
    print(f"\nreply latency during a {args.users:,}-nudge tick (fake Bot API latency {args.latency_ms} ms):")
    for mode, values in results.items():
        print(
            f"  {mode:9}: {len(values)} replies, p50 {pct(values, 50) * 1000:.0f} ms,"
            f" p90 {pct(values, 90) * 1000:.0f} ms, p99 {pct(values, 99) * 1000:.0f} ms,"
            f" max {max(values) * 1000:.0f} ms"
        )
    a, b = results["lanes"], results["one lane"]
    print(
        f"  ratio one lane / lanes: p50 ×{pct(b, 50) / pct(a, 50):.1f}, max ×{max(b) / max(a):.1f};"
        f" within 1 s: lanes {sum(v <= 1.0 for v in a)}/{len(a)},"
        f" one lane {sum(v <= 1.0 for v in b)}/{len(b)}"
    )
    print(f"load average at the end {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=100_000, help="users whose reminder is due")
    parser.add_argument("--probes", type=int, default=20, help="users who write during the tick")
    parser.add_argument("--phases", type=int, default=6, help="alternating lanes / one lane")
    parser.add_argument("--phase-seconds", type=float, default=12.0)
    parser.add_argument("--settle", type=float, default=3.0, help="unmeasured start of each phase")
    parser.add_argument("--every", type=float, default=0.5, help="seconds between two probe messages")
    parser.add_argument("--drain", type=float, default=3.0, help="seconds for a phase's last replies")
    parser.add_argument("--latency-ms", type=float, default=50.0, help="the fake's answer time per call")
    parser.add_argument("--timeout", type=float, default=170.0, help="seconds before giving up")
    sys.exit(asyncio.run(main(parser.parse_args())))
