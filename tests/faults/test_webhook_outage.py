"""The database cut or black-holed while updates arrive through the real webhook server: a transient
failure answers 5xx (Telegram delivers the update again), a bug still answers 200 with the apology, and
once the database is back everything works without a restart."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from bot.app import build_application
from bot.web import create_web_app
from fake_telegram import FakeBotAPI, UpdateFactory
from storage import Database
from storage.db import Timeouts
from storage.models import Reading
from tests.faults.conftest import PgProxy
from tests.web.conftest import SECRET, TOKEN, WEBHOOK, serve

SORRY = "nothing was saved"
FAST = Timeouts(connect=0.5, statement=0.5, pool=0.5)  # a test's patience; production: bot/settings.py


@dataclass
class Outage:
    proxy: PgProxy
    db: Database  # the app's, behind the proxy
    direct: Database
    fake: FakeBotAPI
    updates: UpdateFactory
    client: httpx.AsyncClient

    async def post(self, update: dict) -> int:
        headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
        return (await self.client.post(WEBHOOK.path, json=update, headers=headers)).status_code

    async def readings(self) -> list[tuple[int, int]]:
        async with self.direct.unit_of_work() as uow:
            rows = await uow.session.execute(
                select(Reading.update_id, func.count()).group_by(Reading.update_id)
            )
            return list(rows.tuples())

    def apologies(self) -> int:
        return sum(1 for m in self.fake.calls if m.method == "sendMessage" and SORRY in m.params["text"])


@pytest.fixture
async def outage(fresh_pg_url) -> AsyncIterator[Outage]:
    url = make_url(fresh_pg_url)
    proxy = PgProxy(url.host or "127.0.0.1", url.port or 5432)
    await proxy.start()
    proxied = url.set(host="127.0.0.1", port=proxy.listen_port).render_as_string(hide_password=False)
    db, direct = Database(proxied, timeouts=FAST), Database(fresh_pg_url)
    fake = FakeBotAPI()
    app = build_application(TOKEN, db, request=fake, set_commands=False)
    web = create_web_app(app, db=db, webhook=WEBHOOK)
    try:
        async with serve(web) as (base, _), httpx.AsyncClient(base_url=base, timeout=30) as client:
            await asyncio.wait_for(web.state.ready.wait(), 10)
            yield Outage(proxy, db, direct, fake, UpdateFactory(fake=fake), client)
    finally:
        await direct.dispose()
        await proxy.close()


async def test_a_cut_mid_burst_loses_nothing_and_doubles_nothing(outage):
    """300 updates from 30 people, 10 at a time (Telegram's max_connections): the database is cut after
    the 80th answer and restored after 120 more answers (so for well over a second of refused connections).
    Every update answered 5xx is delivered again, as Telegram does, until it gets a 2xx."""
    o = outage
    updates = [o.updates.message(100 + n % 30, f"2:{n // 30 + 1}", first_name="Aisha") for n in range(300)]
    answered, statuses = 0, {}
    queue: asyncio.Queue[dict] = asyncio.Queue()
    for u in updates:
        queue.put_nowait(u)
    failed_once: set[int] = set()

    async def telegram_connection() -> None:
        nonlocal answered
        while True:
            try:
                update = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            status = await o.post(update)
            answered += 1
            statuses[update["update_id"]] = status
            if answered == 80:
                o.proxy.cut()
            elif answered == 200:
                o.proxy.restore()
            if status >= 500:
                failed_once.add(update["update_id"])
                queue.put_nowait(update)  # Telegram redelivers

    await asyncio.gather(*(telegram_connection() for _ in range(10)))
    stored = dict(await o.readings())
    lost = {u["update_id"] for u in updates} - set(stored)
    assert not lost, f"{len(lost)} of {len(updates)} updates lost"
    assert failed_once, "the cut did not hit any update: the test proves nothing"
    assert all(status == 200 for status in statuses.values())
    assert set(stored.values()) == {1}  # 0 doubled
    assert o.apologies() == 0  # no false "nothing was saved"


async def test_a_black_holed_database_fails_fast_as_503_then_recovers(outage):
    o = outage
    first = o.updates.message(7, "read Yasin", first_name="Aisha")
    assert await o.post(first) == 200
    o.proxy.black_hole()  # packets vanish: without timeouts each request would hang for minutes
    update = o.updates.message(7, "read Al-Mulk", first_name="Aisha")
    async with asyncio.timeout(10):  # a bound, not a measurement: the timeouts are 0.5 s each
        assert await o.post(update) == 503
    o.proxy.restore()
    o.proxy.cut()  # the silent connections are dropped once the host is back...
    o.proxy.restore()
    assert await o.post(update) == 200  # ...and the redelivery is handled, with no restart
    assert sorted(n for _, n in await o.readings()) == [1, 1]
    assert o.apologies() == 0


async def test_an_exhausted_pool_is_503_not_an_apology(outage):
    o = outage
    assert await o.post(o.updates.message(8, "read Yasin", first_name="Aisha")) == 200
    held = [await o.db.engine.connect() for _ in range(10)]  # all of the app's pool (5 + 5 overflow)
    try:
        assert await o.post(o.updates.message(8, "read Al-Mulk", first_name="Aisha")) == 503
    finally:
        for conn in held:
            await conn.close()
    assert await o.post(o.updates.message(8, "read Al-Mulk", first_name="Aisha")) == 200
    assert o.apologies() == 0


async def test_a_bug_still_gets_the_apology_and_200(outage, monkeypatch):
    from tracker import readings

    async def broken(*args, **kwargs):
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(readings, "log_reading", broken)
    o = outage
    status = await o.post(o.updates.message(9, "read Yasin", first_name="Aisha"))
    assert status == 200  # retrying a bug would only repeat it
    assert o.apologies() == 1


async def test_polling_retries_a_fetched_update_until_the_database_is_back(fresh_pg_url, monkeypatch):
    """Long polling: Telegram counts a fetched update as delivered, so the bot itself retries it."""
    import bot.web

    monkeypatch.setattr(bot.web, "POLLING_RETRY_DELAYS", (0.01,) * 50)
    url = make_url(fresh_pg_url)
    proxy = PgProxy(url.host or "127.0.0.1", url.port or 5432)
    attempts = asyncio.Event()
    seen = {"refused": 0}
    original = proxy._accept

    async def counting_accept(reader, writer):  # the third refused connection: restore the database
        if proxy.refusing:
            seen["refused"] += 1
            if seen["refused"] == 3:
                attempts.set()
        await original(reader, writer)

    proxy._accept = counting_accept  # before start(): the server binds the callback then
    await proxy.start()
    proxied = url.set(host="127.0.0.1", port=proxy.listen_port).render_as_string(hide_password=False)
    db, direct = Database(proxied, timeouts=FAST), Database(fresh_pg_url)
    fake = FakeBotAPI()
    app = build_application(TOKEN, db, request=fake, set_commands=False)
    web = create_web_app(app, db=db, webhook=None)
    try:
        async with serve(web):
            await asyncio.wait_for(web.state.ready.wait(), 10)
            replied = asyncio.Event()
            fake.subscribe(lambda call: replied.set() if call.method == "sendMessage" else None)
            proxy.cut()
            fake.push_update(UpdateFactory(fake=fake).message(90, "read Yasin", first_name="Aisha"))
            await asyncio.wait_for(attempts.wait(), 20)  # it keeps trying while the database is away
            proxy.restore()
            await asyncio.wait_for(replied.wait(), 20)
        async with direct.unit_of_work() as uow:
            assert (await uow.session.execute(select(func.count()).select_from(Reading))).scalar_one() == 1
        assert not [c for c in fake.calls if c.method == "sendMessage" and SORRY in c.params["text"]]
    finally:
        await direct.dispose()
        await proxy.close()
