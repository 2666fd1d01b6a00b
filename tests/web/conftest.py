"""The real ASGI app served by uvicorn on a loopback port, the real Application on Postgres, Telegram faked.

`served(...)` starts the whole stack the way `python -m bot run` does (lifespan included: initialize,
setWebhook or polling, start … stop, shutdown) and yields a `Served` with an httpx client pointed at it.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from telegram.ext import Application

from bot.app import build_application
from bot.web import Webhook, create_web_app
from fake_telegram import FakeBotAPI, UpdateFactory
from storage import Database

TOKEN = "123456:TEST"
SECRET = "s3cret_T0ken-for-tests"
WEBHOOK = Webhook("https://bot.example/telegram", SECRET)
READY_TIMEOUT = 10.0


@dataclass
class Served:
    url: str
    client: httpx.AsyncClient
    web: Starlette
    app: Application
    fake: FakeBotAPI
    updates: UpdateFactory
    server: uvicorn.Server

    async def post_update(self, update: dict[str, Any], *, secret: str | None = SECRET) -> httpx.Response:
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
        return await self.client.post(WEBHOOK.path, json=update, headers=headers)


@contextlib.asynccontextmanager
async def serve(web: Starlette) -> AsyncIterator[tuple[str, uvicorn.Server]]:
    """Run `web` under uvicorn on 127.0.0.1:<free port> in this event loop until the block ends."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(web, lifespan="on", log_config=None, access_log=False, timeout_graceful_shutdown=10)
    )
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        async with asyncio.timeout(READY_TIMEOUT):  # bounded polling for the server to come up
            while not server.started:
                if task.done():
                    raise RuntimeError("uvicorn stopped during start-up (lifespan failed?)")
                await asyncio.sleep(0.01)
        yield f"http://127.0.0.1:{port}", server
    finally:
        server.should_exit = True
        await task
        sock.close()


@pytest.fixture
def served(pg_db) -> Callable[..., contextlib.AbstractAsyncContextManager[Served]]:
    """`async with served(webhook=WEBHOOK, db=..., **create_web_app kwargs) as s:` — the running stack."""

    @contextlib.asynccontextmanager
    async def start(
        *,
        db: Database | None = None,
        webhook: Webhook | None = WEBHOOK,
        fake: FakeBotAPI | None = None,
        wait_ready: bool = True,
        **kw: Any,
    ) -> AsyncIterator[Served]:
        db = db or pg_db
        fake = fake or FakeBotAPI()
        app = build_application(TOKEN, db, request=fake, set_commands=False)
        web = create_web_app(app, db=db, webhook=webhook, **kw)
        async with serve(web) as (url, server), httpx.AsyncClient(base_url=url, timeout=10) as client:
            if wait_ready:  # Telegram's start-up runs in the background (retried until it works)
                async with asyncio.timeout(READY_TIMEOUT):
                    await web.state.ready.wait()
            yield Served(url, client, web, app, fake, UpdateFactory(fake=fake), server)

    return start
