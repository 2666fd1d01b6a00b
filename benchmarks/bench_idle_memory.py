"""Idle memory of the running bot: resident set size after start-up, with 100,000 users in the database.

Run from the repository root (needs the local Postgres the tests use; TEST_DATABASE_URL to change it):

    python benchmarks/bench_idle_memory.py [--users 100000] [--updates 200]

It creates a throw-away database, migrates it, seeds the users with COPY, then starts the bot the way
`python -m bot run` does (webhook mode: uvicorn + Starlette + the real Application) in a subprocess whose
only fake is Telegram (`FakeBotAPI` as the HTTP layer, so setWebhook needs no network). When /healthz
answers 200 it reads VmRSS/VmHWM from /proc/<pid>/status; then it posts `--updates` real updates through
the webhook (new users logging a reading) and reads them again; then SIGTERM, timing the graceful stop.
The database is dropped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import signal
import socket
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SECRET = "bench_secret"
TOKEN = "123456:" + "B" * 35
WEBHOOK_PATH = "/telegram"


def serve() -> int:
    """The child: `python -m bot run`'s run path with the FakeBotAPI in place of Telegram."""
    from bot.__main__ import run
    from bot.logs import setup_logging
    from bot.settings import load_settings
    from fake_telegram import FakeBotAPI

    settings = load_settings()
    setup_logging(settings.log_level, "text", secrets=[settings.token or ""])
    if os.environ.get("BENCH_IMPORTED_FILE"):  # when the imports were done: start-up minus Python's part
        Path(os.environ["BENCH_IMPORTED_FILE"]).write_text(repr(time.time()))
    # Telegram knows who started the bot from the updates it delivers; this fake never sees them (they
    # come over HTTP from the load generator), so the parent names the users that write: "first:count".
    # Without it every reply is refused (403 "bot can't initiate conversation") and every update blocks
    # and unblocks its user (docs/failures.md).
    fake = FakeBotAPI()
    first, _, count = os.environ.get("BENCH_STARTED_USERS", "0:0").partition(":")
    for user_id in range(int(first), int(first) + int(count)):
        fake.start_chat(user_id)
    return run(settings, request=fake, host="127.0.0.1")


def status(pid: int) -> dict[str, int]:
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            out[key] = int(value.split()[0]) // 1024  # kB -> MiB
    return out


def _imported_at(path: Path) -> float:
    return float(path.read_text()) if path.exists() else float("nan")


async def seed(url: str, users: int) -> None:
    import asyncpg
    from sqlalchemy.engine import make_url

    from storage import Database, upgrade

    db = Database(url)
    await upgrade(db.engine)
    await db.dispose()
    u = make_url(url)
    conn = await asyncpg.connect(
        host=u.host, port=u.port or 5432, user=u.username, password=u.password, database=u.database
    )
    now = datetime.now(UTC)
    zones = ["UTC", "Europe/London", "Asia/Karachi", "Africa/Cairo", "America/New_York", "Asia/Jakarta"]
    rows = (
        (1_000_000 + i, f"User {i}", "ar" if i % 3 == 0 else "en", zones[i % len(zones)], 1, now, now, None)
        for i in range(users)
    )
    await conn.copy_records_to_table(
        "users",
        records=rows,
        columns=[
            "id",
            "first_name",
            "language",
            "timezone",
            "grace_days_per_week",
            "created_at",
            "onboarded_at",
            "blocked_at",
        ],
    )
    await conn.execute("ANALYZE users")
    await conn.close()


async def bench(args: argparse.Namespace) -> None:
    import asyncpg
    import httpx
    from sqlalchemy.engine import make_url

    from fake_telegram import UpdateFactory

    server = make_url(
        os.environ.get("TEST_DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
    )
    admin = await asyncpg.connect(
        host=server.host,
        port=server.port or 5432,
        user=server.username,
        password=server.password,
        database=server.database,
    )
    name = f"qt_bench_{uuid.uuid4().hex[:10]}"
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = server.set(database=name).render_as_string(hide_password=False)
    child = None
    imported_file = Path(f"/tmp/{name}.imported")
    try:
        t0 = time.perf_counter()
        await seed(url, args.users)
        print(f"seeded {args.users:,} users in {time.perf_counter() - t0:.1f} s")

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        env = {
            "LOG_LEVEL": "WARNING",
            **os.environ,
            "DATABASE_URL": url,
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "PORT": str(port),
            "WEBHOOK_URL": f"https://bench.example{WEBHOOK_PATH}",
            "WEBHOOK_SECRET": SECRET,
            "BENCH_IMPORTED_FILE": str(imported_file),
            "BENCH_STARTED_USERS": f"5000000:{args.updates}",  # the new users who log through the webhook
        }
        t0 = time.perf_counter()
        wall0 = time.time()
        child = await asyncio.create_subprocess_exec(sys.executable, __file__, "--serve", env=env, cwd=ROOT)
        base = f"http://127.0.0.1:{port}"
        async with httpx.AsyncClient(base_url=base, timeout=10) as client:
            deadline = time.monotonic() + 60
            while True:  # bounded polling for the server to become ready
                if child.returncode is not None:
                    raise SystemExit(f"the bot exited with {child.returncode} during start-up")
                try:
                    if (await client.get("/healthz")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise SystemExit("/healthz did not answer 200 within 60 s")
                await asyncio.sleep(0.1)
            started = time.perf_counter() - t0
            imports = _imported_at(imported_file) - wall0
            await asyncio.sleep(2)  # let start-up garbage settle before reading the idle figure
            idle = status(child.pid)
            print(
                f"healthy after {started:.2f} s ({imports:.2f} s of it starting Python and importing, "
                f"{started - imports:.2f} s from imported to healthy); "
                f"idle: VmRSS {idle['VmRSS']} MiB (peak {idle['VmHWM']} MiB)"
            )

            updates = UpdateFactory()
            headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
            t0 = time.perf_counter()
            for i in range(args.updates):
                r = await client.post(
                    WEBHOOK_PATH, headers=headers, json=updates.message(5_000_000 + i, "read Al-Kahf 1-20")
                )
                r.raise_for_status()
            took = time.perf_counter() - t0
            busy = status(child.pid)
            if args.updates:
                print(
                    f"after {args.updates} webhook updates ({args.updates / took:.0f}/s, one at a time): "
                    f"VmRSS {busy['VmRSS']} MiB (peak {busy['VmHWM']} MiB)"
                )

        t0 = time.perf_counter()
        child.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(child.wait(), 60)
        # uvicorn re-raises the SIGTERM it caught once shutdown is complete, hence -15 on a clean stop.
        print(f"SIGTERM -> stopped (exit {code}) in {time.perf_counter() - t0:.2f} s")
        print(f"python {platform.python_version()}, {platform.machine()}, {os.cpu_count()} cpus")
    finally:
        if child is not None and child.returncode is None:
            child.kill()
            await child.wait()
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--users", type=int, default=100_000, help="users seeded (default 100,000)")
    ap.add_argument("--updates", type=int, default=200, help="webhook updates after the idle reading")
    ap.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.serve:
        sys.exit(serve())
    asyncio.run(bench(args))


if __name__ == "__main__":
    main()
