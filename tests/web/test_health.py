"""/healthz: database, bot and scheduler checks, through the running server, in both directions."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import asyncpg
from sqlalchemy.engine import make_url

from bot.__main__ import run
from bot.settings import load_settings
from storage import Database
from tests.conftest import TEST_DATABASE_URL


async def health(s) -> tuple[int, dict]:
    response = await s.client.get("/healthz")
    return response.status_code, response.json()


async def test_healthy_without_a_scheduler_until_one_is_required(served):
    async with served() as s:
        status, body = await health(s)
        assert status == 200
        assert body["status"] == "ok"
        assert body["checks"]["database"]["ok"] is True
        assert body["checks"]["bot"] == {"ok": True, "mode": "webhook", "running": True}
        assert body["checks"]["scheduler"] == {"ok": True, "status": "not running"}
    async with served(require_scheduler=True) as s:
        status, body = await health(s)
        assert status == 503
        assert body["status"] == "fail"
        assert body["checks"]["scheduler"] == {"ok": False, "status": "not running"}


async def test_scheduler_heartbeat_must_be_recent(served):
    last: list[datetime | None] = [None]
    async with served(
        heartbeat=lambda: last[0], max_tick_age=timedelta(seconds=180), require_scheduler=True
    ) as s:
        # The first tick can take long with many due: "no tick yet" is fine for max_tick_age after start...
        status, body = await health(s)
        assert (status, body["checks"]["scheduler"]["status"]) == (200, "no tick yet")
        s.web.state.health.started_at -= timedelta(seconds=181)  # ...and not after
        status, body = await health(s)
        assert (status, body["checks"]["scheduler"]["status"]) == (503, "no tick yet")
        last[0] = datetime.now(UTC) - timedelta(seconds=5)
        status, body = await health(s)
        assert (status, body["checks"]["scheduler"]["status"]) == (200, "ticking")
        assert 4 <= body["checks"]["scheduler"]["age_s"] < 60
        last[0] = datetime.now(UTC) - timedelta(seconds=181)
        status, body = await health(s)
        assert (status, body["checks"]["scheduler"]["status"]) == (503, "stale")
        assert body["checks"]["database"]["ok"] is True  # the other checks still say what they see


async def test_database_unreachable_is_503_and_back_is_200(served, pg_database_factory):
    # A throw-away database we can lock out; the machine's Postgres keeps serving everyone else.
    url = await pg_database_factory()
    name = make_url(url).database
    target = make_url(TEST_DATABASE_URL)
    admin = await asyncpg.connect(
        host=target.host,
        port=target.port or 5432,
        user=target.username,
        password=target.password,
        database=target.database,
    )
    db = Database(url)
    try:
        async with served(db=db) as s:
            assert (await health(s))[0] == 200
            await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
            await admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = $1 AND pid <> pg_backend_pid()",
                name,
            )
            status, body = await health(s)
            assert status == 503
            assert body["checks"]["database"] == {"ok": False, "error": "unreachable"}
            assert body["checks"]["bot"]["ok"] is True
            metrics = (await s.client.get("/metrics")).text
            assert 'quran_tracker_database_errors_total{where="healthz"}' in metrics

            await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
            status, body = await health(s)
            assert status == 200
            assert body["checks"]["database"]["ok"] is True
    finally:
        await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        await admin.close()
        await db.dispose()


async def test_a_closed_port_is_unreachable_too(served, pg_db):
    db = Database("postgresql+asyncpg://postgres@127.0.0.1:9/nowhere")  # discard port: nothing listens
    async with served(db=db) as s:
        status, body = await health(s)
        assert status == 503
        assert body["checks"]["database"]["ok"] is False


async def test_polling_mode_serves_health_and_handles_fetched_updates(served, pg_db):
    async with served(webhook=None) as s:
        status, body = await health(s)
        assert status == 200
        assert body["checks"]["bot"] == {"ok": True, "mode": "polling", "running": True}
        assert (await s.client.post("/telegram", json={})).status_code == 404
        assert any(c.method == "deleteWebhook" for c in s.fake.calls)  # leaving webhook mode cleanly

        replied = asyncio.Event()
        s.fake.subscribe(lambda call: replied.set() if call.method == "sendMessage" else None)
        s.fake.push_update(s.updates.message(50, "read Al-Kahf 1-20"))
        await asyncio.wait_for(replied.wait(), 10)
        page = (await s.client.get("/metrics")).text
        assert 'quran_tracker_updates_total{type="message"}' in page


async def test_shutdown_finishes_the_update_in_flight_then_stops_the_bot(served, pg_db):
    entered, release = asyncio.Event(), asyncio.Event()

    async def slow_send(method: str, params: dict) -> None:
        if method == "sendMessage":
            entered.set()
            await release.wait()

    async with served() as s:
        s.fake.latency = slow_send
        request = asyncio.create_task(s.post_update(s.updates.message(60, "read Al-Kahf 1-20")))
        await asyncio.wait_for(entered.wait(), 10)  # the handler committed and is replying
        s.server.should_exit = True  # what uvicorn's SIGTERM handler does
        release.set()
        response = await asyncio.wait_for(request, 10)
        assert response.status_code == 200
        assert s.fake.last_text(60).startswith("✅ Al-Kahf 1–20")
    assert not s.app.running
    assert pg_db.engine.pool.checkedin() == pg_db.engine.pool.checkedout() == 0  # the pool was disposed


def test_webhook_mode_refuses_to_start_without_a_secret(capsys):
    settings = load_settings(
        telegram_bot_token="123456:" + "A" * 30,
        webhook_url="https://x.example/t",
        webhook_secret="",
        database_url="sqlite+aiosqlite:///:memory:",
    )
    assert run(settings) == 2
    assert "WEBHOOK_SECRET" in capsys.readouterr().err


async def test_telegram_unreachable_at_start_keeps_running_retries_and_reports_it(served):
    from fake_telegram import FakeBotAPI

    fake = FakeBotAPI()
    fake.timeout_next("getMe", times=2)  # the network is down for the first two attempts
    fake.fail_next("setWebhook", 400, "Bad Request: bad webhook: HTTPS url must be provided for webhook")
    async with served(fake=fake, wait_ready=False, retry_delays=[0.01] * 5) as s:
        live = await s.client.get("/livez")
        assert live.status_code == 200  # alive all along: no crash loop
        async with asyncio.timeout(10):
            await s.web.state.ready.wait()
        ready = await s.client.get("/readyz")
        assert ready.status_code == 200 and ready.json()["checks"]["telegram"]["status"] == "reached"
        assert s.web.state.health.telegram_attempts == 3  # two timeouts, one refused setWebhook
        assert sum(c.method == "setWebhook" for c in s.fake.calls) == 2
        response = await s.post_update(s.updates.message(70, "read Yasin"))
        assert response.status_code == 200


async def test_before_telegram_is_reached_updates_get_503_and_readiness_says_why(served):
    from fake_telegram import FakeBotAPI

    fake = FakeBotAPI()
    fake.timeout_next("getMe", times=1000)
    retried = asyncio.Event()
    fake.subscribe(lambda call: retried.set() if sum(c.method == "getMe" for c in fake.calls) >= 3 else None)
    async with served(fake=fake, wait_ready=False, retry_delays=[0.01] * 2 + [3600]) as s:
        async with asyncio.timeout(10):
            await retried.wait()  # two attempts failed and were reported; a third is under way
        assert (await s.client.get("/livez")).status_code == 200
        ready = await s.client.get("/readyz")
        assert ready.status_code == 503
        assert "TimedOut" in ready.json()["checks"]["telegram"]["error"]
        assert (await s.post_update(s.updates.message(71, "read Yasin"))).status_code == 503
