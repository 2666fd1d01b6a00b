"""Logs through the webhook with 1 and with 2 worker processes on one Postgres, side by side in one run.

Run from the repository root (needs the local Postgres the tests use; TEST_DATABASE_URL to change it):

    .venv/bin/python benchmarks/load_webhook_workers.py
    # defaults: --rounds 2 --offered 200 --seconds 10 --max-updates 2000 --users 2000

What runs: a throw-away database (created, migrated, dropped at the end) with `--users` onboarded users
(COPY). Two bot processes, each `python -m bot run`'s run path in webhook mode (uvicorn + Starlette + the
real Application on Postgres; the FakeBotAPI as Telegram's HTTP layer, started through
`bench_idle_memory.py --serve`), each on its own loopback port — two machines behind one URL, as far as
the database is concerned (per-user order is kept by its locks, not by the process).

This process is the load generator (keep-alive HTTP/1.1 on asyncio streams, `LeanServer`; `--client httpx`
for httpx), on loopback, sharing the 2 cores with the two servers and
Postgres). Every update is a private-chat log ("2:<n>") from one of the users, a distinct update id.
Per round, alternating so both see the same machine:
- "1 worker" sends to the first server only, "2 workers" to both (user i to server i mod 2);
- at `--offered` logs a second, open loop (each request sent on schedule whatever the answers), for
  `--seconds`: achieved logs/s and p50/p99 latency (send to 200, the time Telegram sees);
- at max: `--max-updates` logs over at most 10 connections in total (Telegram's
  WEBHOOK_MAX_CONNECTIONS), each sent as soon as one comes back: logs/s and p50/p99.
At the end it checks that every update was answered 200 and stored exactly once, and that no reply was
refused (a 403 marks its user blocked).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import statistics
import sys
import time
import uuid
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import asyncpg  # noqa: E402
import httpx  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from fake_telegram import make_message_update  # noqa: E402
from storage import Database, upgrade  # noqa: E402

SECRET = "bench_secret"  # the child (bench_idle_memory.serve) is configured by the environment below
TOKEN = "123456:" + "W" * 35
PATH = "/telegram"
HEADERS = {"X-Telegram-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"}
FIRST_USER = 1_000_000
CONNECTIONS = 10


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


class LeanServer:
    """Keep-alive HTTP/1.1 connections to one bot server, at most `size`, as Telegram holds them: a
    request goes out on a free connection (or waits for one) and its answer comes back on it.

    Written on asyncio's streams rather than httpx because the load generator shares the 2 cores with
    the servers and Postgres: httpx costs ~1.7 ms of CPU a request here, more than a log's database work,
    and whatever the generator burns the servers lose. This costs a few tens of µs."""

    def __init__(self, port: int, size: int) -> None:
        self.port, self.size = port, size
        self._idle: asyncio.Queue[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = asyncio.Queue()
        self._opened = 0
        self._head = (
            f"POST {PATH} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            + "".join(f"{k}: {v}\r\n" for k, v in HEADERS.items())
        ).encode()

    async def post(self, body: bytes) -> int:
        fresh = self._idle.empty() and self._opened < self.size
        if fresh:
            self._opened += 1
            conn = await asyncio.open_connection("127.0.0.1", self.port)
        else:
            conn = await self._idle.get()
        reader, writer = conn
        writer.write(self._head + b"Content-Length: %d\r\n\r\n" % len(body) + body)
        status_line = await reader.readline()
        if not status_line and not fresh:
            # uvicorn closes a connection idle for 5 s (its keep-alive timeout) before reading anything
            # sent on it, as HTTP allows: send it again on a new one, as Telegram and httpx do.
            writer.close()
            self._opened -= 1
            return await self.post(body)
        status = int(status_line.split()[1])
        length = 0
        while (line := await reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        if length:
            await reader.readexactly(length)
        self._idle.put_nowait(conn)
        return status

    async def aclose(self) -> None:
        while not self._idle.empty():
            _, writer = self._idle.get_nowait()
            writer.close()


class HttpxServer:
    """The same through httpx (`--client httpx`), to show what the generator's own cost does."""

    def __init__(self, port: int, size: int) -> None:
        limits = httpx.Limits(max_connections=size, max_keepalive_connections=size)
        self._client = httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", limits=limits, timeout=30)

    async def post(self, body: bytes) -> int:
        return (await self._client.post(PATH, content=body, headers=HEADERS)).status_code

    async def aclose(self) -> None:
        await self._client.aclose()


Target = LeanServer | HttpxServer


class Load:
    def __init__(self, users: int) -> None:
        self.users = users
        self.update_id = 0
        self.statuses: Counter = Counter()

    def body(self) -> tuple[int, bytes]:
        self.update_id += 1
        n = self.update_id
        uid = FIRST_USER + n % self.users
        update = make_message_update(n, uid, f"2:{n % 286 + 1}", message_id=n, first_name="Bench")
        return uid, json.dumps(update).encode()

    async def post(self, clients: list[Target], out: list[float]) -> None:
        uid, body = self.body()
        client = clients[uid % len(clients)]
        started = time.perf_counter()
        status = await client.post(body)
        out.append(time.perf_counter() - started)
        self.statuses[status] += 1

    async def offered(self, clients: list[Target], rate: float, seconds: float) -> tuple:
        latencies: list[float] = []
        tasks = []
        n = int(rate * seconds)
        started = time.perf_counter()
        for i in range(n):
            delay = started + i / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(self.post(clients, latencies)))
        await asyncio.gather(*tasks)
        return n / (time.perf_counter() - started), latencies

    async def at_max(self, clients: list[Target], updates: int) -> tuple:
        latencies: list[float] = []
        left = iter(range(updates))

        async def connection() -> None:
            for _ in left:
                await self.post(clients, latencies)

        started = time.perf_counter()
        await asyncio.gather(*(connection() for _ in range(CONNECTIONS)))
        return updates / (time.perf_counter() - started), latencies


async def start_server(url: str, port: int, users: int) -> asyncio.subprocess.Process:
    env = {
        **os.environ,
        "LOG_LEVEL": "WARNING",
        "DATABASE_URL": url,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "PORT": str(port),
        "WEBHOOK_URL": f"https://bench.example{PATH}",
        "WEBHOOK_SECRET": SECRET,
        "BENCH_STARTED_USERS": f"{FIRST_USER}:{users}",  # they write to the bot: it may answer them
    }
    child = await asyncio.create_subprocess_exec(
        sys.executable, str(ROOT / "benchmarks" / "bench_idle_memory.py"), "--serve", env=env, cwd=ROOT
    )
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=5) as client:
        deadline = time.monotonic() + 60
        while True:  # bounded polling for the server to become ready
            if child.returncode is not None:
                raise SystemExit(f"a server exited with {child.returncode} during start-up")
            try:
                if (await client.get("/healthz")).status_code == 200:
                    return child
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit("/healthz did not answer 200 within 60 s")
            await asyncio.sleep(0.1)


def cpu_seconds(pid: int) -> float:
    """User + system CPU the process has used so far (Linux /proc), in seconds; 0 once it has ended."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime


def postgres_pids() -> list[int]:
    """Every Postgres process on this machine (the server shares the cores with the bot: count it)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() in ("postgres", "postmaster"):
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids


class CpuSplit:
    """Where the machine's CPU went during a run: the bot servers, Postgres, this load generator.

    Postgres is its processes at the end: a backend that started during the run counts whole, one that
    ended during it is lost (the servers' pools keep theirs open, so there are none in steady state)."""

    def __init__(self, servers: list[int]) -> None:
        self.servers = servers

    def _now(self) -> dict[str, dict[int, float]]:
        return {
            "servers": {pid: cpu_seconds(pid) for pid in self.servers},
            "postgres": {pid: cpu_seconds(pid) for pid in postgres_pids()},
        }

    def __enter__(self) -> CpuSplit:
        self._start, self._gen = self._now(), time.process_time()
        return self

    def __exit__(self, *_exc: object) -> None:
        end, start = self._now(), self._start
        self.used = [
            sum(cpu - start[kind].get(pid, 0.0) for pid, cpu in end[kind].items())
            for kind in ("servers", "postgres")
        ] + [time.process_time() - self._gen]

    def per_log(self, logs: int) -> str:
        servers, pg, gen = (1000 * u / logs for u in self.used)
        cores = os.cpu_count() or 1
        return (
            f"CPU per log: bot servers {servers:.2f} ms, Postgres {pg:.2f} ms, load generator {gen:.2f} ms"
            f" -> {cores} cores allow at most {cores * 1000 / (servers + pg + gen):,.0f} logs/s;"
            f" with a bot that cost nothing, {cores * 1000 / (pg + gen):,.0f}/s"
        )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def seed(url: str, users: int) -> None:
    db = Database(url)
    await upgrade(db.engine)
    await db.dispose()
    u = make_url(url)
    conn = await asyncpg.connect(host=u.host, port=u.port or 5432, user=u.username, database=u.database)
    now = datetime.now(UTC)
    await conn.copy_records_to_table(
        "users",
        columns=[
            "id",
            "first_name",
            "language",
            "timezone",
            "grace_days_per_week",
            "created_at",
            "onboarded_at",
        ],
        records=[(FIRST_USER + i, "Bench", "en", "UTC", 1, now, now) for i in range(users)],
    )
    await conn.execute("ANALYZE users")
    await conn.close()


async def bench(args: argparse.Namespace) -> int:
    base = make_url(os.environ.get("TEST_DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"))
    admin = await asyncpg.connect(
        host=base.host, port=base.port or 5432, user=base.username, database=base.database
    )
    name = f"qt_workers_{uuid.uuid4().hex[:10]}"
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = base.set(database=name).render_as_string(hide_password=False)
    children: list[asyncio.subprocess.Process] = []
    results: dict[tuple[str, str], list[tuple[float, list[float]]]] = {}
    load = Load(args.users)
    try:
        await seed(url, args.users)
        ports = [free_port(), free_port()]
        for port in ports:
            children.append(await start_server(url, port, args.users))
        print(
            f"{args.users:,} users; servers on 127.0.0.1:{ports[0]} and :{ports[1]},"
            f" pids {[c.pid for c in children]}"
        )
        kind = LeanServer if args.client == "lean" else HttpxServer
        arms: list[tuple[str, list[Target]]] = [
            ("1 worker", [kind(ports[0], CONNECTIONS)]),
            ("2 workers", [kind(p, CONNECTIONS // 2) for p in ports]),
        ]
        async with asyncio.timeout(args.timeout):
            # Warm both (connections, plan caches, first-call imports) and give every user their first
            # log: it opens their khatm (the lock path, ~10 statements), which a measured round must not
            # mistake for the steady state of a log.
            await load.at_max(arms[0][1], 200)
            await load.at_max(arms[1][1], max(200, args.users - 200))
            for r in range(args.rounds):
                for label, clients in arms:
                    got = await load.offered(clients, args.offered, args.seconds)
                    results.setdefault((label, f"{args.offered:.0f}/s offered"), []).append(got)
                    print(f"round {r + 1} {label} at {args.offered:.0f}/s: {summary(*got)}", flush=True)
                for label, clients in arms:
                    with CpuSplit([c.pid for c in children]) as cpu:
                        got = await load.at_max(clients, args.max_updates)
                    results.setdefault((label, "max"), []).append(got)
                    print(f"round {r + 1} {label} at max: {summary(*got)}", flush=True)
                    print(f"    {cpu.per_log(args.max_updates)}", flush=True)
        for _, clients in arms:
            for client in clients:
                await client.aclose()
        conn = await asyncpg.connect(
            host=base.host, port=base.port or 5432, user=base.username, database=name
        )
        stored = await conn.fetchval("SELECT count(*) FROM readings")
        distinct = await conn.fetchval("SELECT count(DISTINCT (user_id, update_id)) FROM readings")
        # A reply Telegram refused (403) marks its user blocked: then the run measured error paths.
        blocked = await conn.fetchval("SELECT count(*) FROM users WHERE blocked_at IS NOT NULL")
        await conn.close()
    finally:
        for child in children:
            if child.returncode is None:
                child.send_signal(signal.SIGTERM)
                try:
                    await asyncio.wait_for(child.wait(), 20)
                except TimeoutError:
                    child.kill()
                    await child.wait()
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
    print(f"\nall rounds together (load average now {os.getloadavg()[0]:.2f}):")
    for (label, kind), runs in results.items():
        rate = statistics.median(r for r, _ in runs)
        latencies = [v for _, values in runs for v in values]
        print(f"  {label:9} {kind:14}: median {rate:.0f} logs/s; {summary(rate, latencies)}")
    for kind in (f"{args.offered:.0f}/s offered", "max"):
        a = statistics.median(r for r, _ in results[("1 worker", kind)])
        b = statistics.median(r for r, _ in results[("2 workers", kind)])
        print(f"  ratio 2 workers / 1 worker, {kind}: ×{b / a:.2f}")
    ok = load.statuses == Counter({200: load.update_id}) and stored == distinct == load.update_id
    ok = ok and blocked == 0
    print(
        f"statuses {dict(load.statuses)}; readings stored {stored} ({distinct} distinct) of {load.update_id};"
        f" users marked blocked by a refused reply: {blocked}"
    )
    print("OK" if ok else "FAILED: lost, doubled or refused updates")
    return 0 if ok else 1


def summary(rate: float, latencies: list[float]) -> str:
    return (
        f"{rate:.0f} logs/s, p50 {pct(latencies, 50) * 1000:.1f} ms, p99 {pct(latencies, 99) * 1000:.1f} ms"
        f" ({len(latencies)} logs)"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--offered", type=float, default=200.0, help="logs a second, open loop")
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each offered-rate run")
    parser.add_argument("--max-updates", type=int, default=2000, help="logs in each run at max")
    parser.add_argument("--timeout", type=float, default=170.0, help="seconds before giving up")
    parser.add_argument(
        "--client", choices=["lean", "httpx"], default="lean", help="the load generator's HTTP client"
    )
    sys.exit(asyncio.run(bench(parser.parse_args())))
