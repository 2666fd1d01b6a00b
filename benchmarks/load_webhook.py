"""Load through the webhook: N users sending M updates concurrently to the real ASGI app on loopback.

Run from the repository root (needs the local Postgres the tests use; TEST_DATABASE_URL to change it):

    .venv/bin/python benchmarks/load_webhook.py                        # 1,000 users, 20,000 updates
    .venv/bin/python benchmarks/load_webhook.py --users 50 --updates 1000 --concurrency 10

What runs: a throw-away database (created, migrated, dropped at the end); the app `python -m bot run`
serves in webhook mode — `bot.web.create_web_app` under uvicorn on 127.0.0.1, the real Application and
handlers on Postgres — with the FakeBotAPI as Telegram's HTTP layer. Server and load generator share this
process and its event loop (so "peak memory" is this process's VmHWM, the generator included).

Each user is a task sending its messages one after another (as one Telegram chat does: in order); users
run concurrently over at most `--concurrency` HTTP connections (Telegram opens at most
WEBHOOK_MAX_CONNECTIONS = 10), taken in turn (a FIFO semaphore: httpx's own pool is not fair and starved
some requests for seconds). Latency is per request, from sending it to its 200 — the time Telegram sees.
Every message is a distinct reading ("2:<n>"). Afterwards it checks that
every update is stored exactly once (readings by (user_id, update_id)) and that every user got exactly
one reply per message, and prints updates/s, p50/p99 latency per request, and memory.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import socket
import statistics
import sys
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("PTB_TIMEDELTA", "1")
ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import uvicorn  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from bot.app import build_application  # noqa: E402
from bot.web import SECRET_HEADER, Webhook, create_web_app  # noqa: E402
from fake_telegram import FakeBotAPI, make_message_update  # noqa: E402
from storage import Database  # noqa: E402
from storage.models import Reading  # noqa: E402

TOKEN = "123456:" + "L" * 35
SECRET = "load_secret"
WEBHOOK = Webhook("https://bot.example/telegram", SECRET)
FIRST_USER = 1_000_000


@dataclass
class LoadResult:
    users: int
    updates: int
    concurrency: int
    seconds: float
    latencies: list[float]
    statuses: Counter
    stored: int
    distinct_stored: int
    replies_ok: bool
    rss_mib_before: float
    rss_mib_after: float
    hwm_mib: float

    @property
    def per_second(self) -> float:
        return self.updates / self.seconds

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]

    @property
    def ok(self) -> bool:
        return (
            self.statuses == Counter({200: self.updates})
            and self.stored == self.updates
            and self.distinct_stored == self.updates
            and self.replies_ok
        )

    def summary(self) -> str:
        ms = {p: self.percentile(p) * 1000 for p in (50, 99)}
        mean = statistics.fmean(self.latencies) * 1000
        return (
            f"{self.users} users, {self.updates} updates, concurrency {self.concurrency}: "
            f"{self.seconds:.1f} s, {self.per_second:.0f} updates/s, "
            f"latency p50 {ms[50]:.1f} ms, p99 {ms[99]:.1f} ms, "
            f"max {max(self.latencies) * 1000:.0f} ms (mean {mean:.1f});"
            f" RSS {self.rss_mib_before:.0f} -> {self.rss_mib_after:.0f} MiB,"
            f" peak {self.hwm_mib:.0f} MiB;"
            f" stored {self.stored} ({self.distinct_stored} distinct), replies exact: {self.replies_ok},"
            f" statuses {dict(self.statuses)}"
        )


def memory() -> dict[str, float]:
    out = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            out[key] = int(value.split()[0]) / 1024
    return out


@contextlib.asynccontextmanager
async def serving(web) -> AsyncIterator[str]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(
        uvicorn.Config(
            web, lifespan="on", log_config=None, access_log=False, timeout_graceful_shutdown=10, backlog=4096
        )
    )
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        async with asyncio.timeout(15):
            while not server.started:
                if task.done():
                    raise RuntimeError("uvicorn stopped during start-up")
                await asyncio.sleep(0.01)
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        await task
        sock.close()


async def run_load(
    database_url: str,
    *,
    users: int,
    updates: int,
    concurrency: int = 10,
    timeout: float = 600.0,  # noqa: ASYNC109 - a budget, not a cancel
) -> LoadResult:
    """Drive `updates` updates from `users` users through the webhook of a migrated database at
    `database_url` (which should be empty). Bounded by `timeout` seconds."""
    per_user, extra = divmod(updates, users)
    db = Database(database_url)
    fake = FakeBotAPI()
    app = build_application(TOKEN, db, request=fake, set_commands=False)
    web = create_web_app(app, db=db, webhook=WEBHOOK)
    latencies: list[float] = []
    statuses: Counter = Counter()
    replies: Counter = Counter()

    def count_and_forget(call) -> None:
        # Replies are counted as they happen and the fake's record is dropped, so memory is the bot's own
        # (the fake otherwise keeps every call and message: ~100 MB at 20,000 updates).
        if call.method == "sendMessage" and call.ok:
            replies[int(call.params["chat_id"])] += 1
        if len(fake.calls) >= 1000:
            fake.clear()
            fake._messages.clear()  # the sent messages it keeps for edits; nothing here edits

    fake.subscribe(count_and_forget)
    sent: dict[int, int] = {}
    update_ids = iter(range(1, updates + 1))
    connections = asyncio.Semaphore(concurrency)
    mem_before = memory()

    async def user(client: httpx.AsyncClient, uid: int, count: int) -> None:
        sent[uid] = count
        for n in range(count):
            update = make_message_update(
                next(update_ids), uid, f"2:{n % 286 + 1}", message_id=n + 1, first_name=f"User{uid}"
            )
            fake.learn(update)  # Telegram saw the user's message (it is the one delivering it)
            async with connections:  # FIFO: like Telegram, a bounded number of requests in flight
                started = time.perf_counter()
                response = await client.post(WEBHOOK.path, json=update, headers={SECRET_HEADER: SECRET})
                latencies.append(time.perf_counter() - started)
            statuses[response.status_code] += 1

    async with serving(web) as url:
        limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
        async with httpx.AsyncClient(base_url=url, limits=limits, timeout=timeout) as client:
            started = time.perf_counter()
            async with asyncio.timeout(timeout):
                await asyncio.gather(
                    *(user(client, FIRST_USER + i, per_user + (1 if i < extra else 0)) for i in range(users))
                )
            seconds = time.perf_counter() - started
        mem_after = memory()
        checker = Database(database_url)
        try:
            async with checker.unit_of_work() as uow:
                stored = (await uow.session.execute(select(func.count()).select_from(Reading))).scalar_one()
                distinct = (
                    await uow.session.execute(
                        select(func.count()).select_from(
                            select(Reading.user_id, Reading.update_id).distinct().subquery()
                        )
                    )
                ).scalar_one()
        finally:
            await checker.dispose()
    return LoadResult(
        users,
        updates,
        concurrency,
        seconds,
        latencies,
        statuses,
        stored,
        distinct,
        replies == Counter(sent),
        mem_before["VmRSS"],
        mem_after["VmRSS"],
        mem_after["VmHWM"],
    )


async def main(args: argparse.Namespace) -> int:
    import asyncpg
    from sqlalchemy.engine import make_url

    from bot.logs import setup_logging
    from storage import upgrade

    setup_logging("WARNING", "text", secrets=[TOKEN])
    base = make_url(os.environ.get("TEST_DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"))
    name = f"qt_load_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(
        host=base.host,
        port=base.port or 5432,
        user=base.username,
        password=base.password,
        database=base.database,
    )
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        url = base.set(database=name).render_as_string(hide_password=False)
        db = Database(url)
        await upgrade(db.engine)
        await db.dispose()
        result = await run_load(
            url, users=args.users, updates=args.updates, concurrency=args.concurrency, timeout=args.timeout
        )
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
    print(result.summary())
    print("OK" if result.ok else "FAILED: lost, doubled or unanswered updates")
    return 0 if result.ok else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--updates", type=int, default=20000)
    parser.add_argument("--concurrency", type=int, default=10, help="HTTP connections (Telegram: <= 10)")
    parser.add_argument("--timeout", type=float, default=1800.0, help="seconds before giving up")
    sys.exit(asyncio.run(main(parser.parse_args())))
