"""Fault injection: the real bot on a throw-away Postgres database reached through a TCP proxy we control.

The machine's Postgres server is shared with other tests, so it is never stopped. Instead every fault test
gets its own migrated database and talks to it through `PgProxy`, a loopback TCP relay that can be cut
(every open connection aborted, new ones refused) and restored at any instant — including from inside a
SQLAlchemy event, i.e. in the middle of an update's unit of work.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest
from sqlalchemy import event
from sqlalchemy.engine import make_url
from telegram import Update

from storage import Database, upgrade
from tests.harness import Conversation, running_bot


class PgProxy:
    """A loopback TCP relay in front of Postgres. `cut()` kills every connection and refuses new ones."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.listen_port = 0
        self.refusing = False
        self.black_holed = False  # connections accepted, bytes dropped: a host gone silent (no RST)
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        self.listen_port = self._server.sockets[0].getsockname()[1]

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.refusing:
            writer.transport.abort()
            return
        try:
            up_reader, up_writer = await asyncio.open_connection(self.host, self.port)
        except OSError:
            writer.transport.abort()
            return
        self._writers.update((writer, up_writer))
        for src, dst in ((reader, up_writer), (up_reader, writer)):
            task = asyncio.create_task(self._pipe(src, dst))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _pipe(self, src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
        try:
            while data := await src.read(65536):
                if self.black_holed:  # swallowed: the peer waits for an answer that never comes
                    continue
                dst.write(data)
                await dst.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            dst.transport.abort()
            self._writers.discard(dst)

    def cut(self) -> None:
        """Synchronous on purpose: callable from a SQLAlchemy event in the middle of a statement."""
        self.refusing = True
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()

    def black_hole(self) -> None:
        self.black_holed = True

    def restore(self) -> None:
        self.refusing = False
        self.black_holed = False

    async def close(self) -> None:
        self.cut()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)


@dataclass
class Faulty:
    """The bot behind the proxy (`conv`), plus a direct database handle that never goes through it."""

    conv: Conversation
    proxy: PgProxy
    direct: Database
    proxied_url: str
    armed: list[str] = field(default_factory=list)

    def cut_on(self, sql_prefix: str) -> None:
        """Cut the proxy just before the next statement starting with `sql_prefix` is sent."""
        self.armed.append(sql_prefix.upper())


@pytest.fixture
async def fresh_pg_url(pg_database_factory) -> str:
    """A migrated Postgres database of this test's own (dropped at the end of the session)."""
    url = await pg_database_factory()
    db = Database(url)
    await upgrade(db.engine)
    await db.dispose()
    return url


@pytest.fixture
async def faulty(fresh_pg_url, clock) -> AsyncIterator[Faulty]:
    url = make_url(fresh_pg_url)
    proxy = PgProxy(url.host or "127.0.0.1", url.port or 5432)
    await proxy.start()
    proxied = url.set(host="127.0.0.1", port=proxy.listen_port).render_as_string(hide_password=False)
    db = Database(proxied)
    direct = Database(fresh_pg_url)
    state: dict[str, Faulty] = {}

    @event.listens_for(db.engine.sync_engine, "before_cursor_execute")
    def _maybe_cut(conn, cursor, statement, parameters, context, executemany) -> None:
        f = state.get("f")
        if f is None or not f.armed:
            return
        head = statement.lstrip().upper()
        for prefix in list(f.armed):
            if head.startswith(prefix):
                f.armed.remove(prefix)
                f.proxy.cut()
                return

    @event.listens_for(db.engine.sync_engine, "commit")
    def _maybe_cut_commit(conn) -> None:  # COMMIT is not a cursor statement
        f = state.get("f")
        if f is not None and "COMMIT" in f.armed:
            f.armed.remove("COMMIT")
            f.proxy.cut()

    try:
        async with running_bot(db, clock) as conv:
            state["f"] = Faulty(conv, proxy, direct, proxied)
            yield state["f"]
    finally:
        await direct.dispose()
        await proxy.close()


async def process(conv: Conversation, update: dict) -> None:
    await conv.app.process_update(Update.de_json(update, conv.app.bot))
