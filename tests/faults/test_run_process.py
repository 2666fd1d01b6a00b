"""The production entry point itself — `bot.__main__.run`, what `python -m bot run` and the Dockerfile
start — in a child process on Postgres: it becomes healthy, stores a log posted to its webhook, and stops
cleanly on SIGTERM. The other web tests build the ASGI app themselves; only this one runs `run`'s own
wiring (failures.md: a merge left it raising TypeError before it served anything)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import sys
from pathlib import Path

import httpx
from sqlalchemy import func, select

from bot.__main__ import GRACEFUL_SHUTDOWN_SECONDS
from fake_telegram import UpdateFactory
from storage import Database
from storage.models import Reading

CHILD = Path(__file__).with_name("run_child.py")
SECRET = "s3cret_T0ken-for-tests"
START_TIMEOUT = 30.0  # seconds for a cold interpreter to import everything and pass /healthz


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_run_serves_a_log_through_its_webhook_and_stops_on_sigterm(fresh_pg_url):
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": fresh_pg_url,
        "TELEGRAM_BOT_TOKEN": "123456:" + "R" * 35,
        "PORT": str(port),
        "WEBHOOK_URL": "https://bot.example/telegram",
        "WEBHOOK_SECRET": SECRET,
        "LOG_LEVEL": "INFO",
    }
    child = await asyncio.create_subprocess_exec(
        sys.executable, str(CHILD), env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            loop = asyncio.get_running_loop()
            deadline = loop.time() + START_TIMEOUT
            healthy = False
            while not healthy and child.returncode is None and loop.time() < deadline:
                with contextlib.suppress(httpx.TransportError):
                    healthy = (await client.get("/healthz")).status_code == 200
                if not healthy:
                    await asyncio.sleep(0.1)  # a process starting up, not a reminder: nothing to travel
            assert healthy, (child.returncode, (await _stderr(child))[-2000:])
            update = UpdateFactory().message(70, "read Al-Kahf 1-20")
            response = await client.post(
                "/telegram", json=update, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}
            )
            assert response.status_code == 200
        db = Database(fresh_pg_url)
        try:
            async with db.unit_of_work() as uow:
                stored = (await uow.session.execute(select(func.count()).select_from(Reading))).scalar_one()
        finally:
            await db.dispose()
        assert stored == 1
        child.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(child.wait(), GRACEFUL_SHUTDOWN_SECONDS + 10)
        err = await _stderr(child)
        # uvicorn re-raises the signal once it has shut down, so a clean stop exits by SIGTERM.
        assert code in (0, -signal.SIGTERM), err[-2000:]
        assert "Traceback" not in err, err[-2000:]
        assert "Finished server process" in err and "bot.web stopped" in err, err[-2000:]
    finally:
        if child.returncode is None:
            child.kill()
            await child.wait()


async def _stderr(child: asyncio.subprocess.Process) -> str:
    if child.returncode is None:
        return ""
    return (await child.stderr.read()).decode(errors="replace")
