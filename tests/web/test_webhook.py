"""The webhook through a real socket: secret header, bad bodies, the bot's replies and rows, metrics."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.handlers import common
from fake_telegram import html_to_plain
from storage.models import Reading, User
from tests.web.conftest import SECRET, WEBHOOK


async def count(db, model) -> int:
    async with db.unit_of_work() as uow:
        return (await uow.session.execute(select(func.count()).select_from(model))).scalar_one()


def replies_to(fake, chat_id: int) -> list[str]:
    return [
        html_to_plain(c.params["text"])
        for c in fake.calls
        if c.method == "sendMessage" and c.ok and c.params.get("chat_id") == chat_id
    ]


async def test_start_sets_the_webhook_with_our_secret(served):
    async with served() as s:
        [call] = [c for c in s.fake.calls if c.method == "setWebhook"]
        assert call.params["url"] == "https://bot.example/telegram"
        assert call.params["secret_token"] == SECRET
        assert "callback_query" in call.params["allowed_updates"]
        # One error handler (bot.handlers.common.on_error); the runner adds none beside it.
        assert list(s.app.error_handlers) == [common.on_error]


async def test_an_update_with_the_secret_is_handled_before_the_200(served, pg_db):
    async with served() as s:
        response = await s.post_update(s.updates.message(42, "read Al-Kahf 1-20"))
        assert response.status_code == 200
        # Processed inside the request: by the time the 200 arrives the reply is sent and the row committed.
        [reply] = replies_to(s.fake, 42)
        assert reply.startswith("✅ Al-Kahf 1–20 · 20 ayahs")
        async with pg_db.unit_of_work() as uow:
            [reading] = (await uow.session.execute(select(Reading))).scalars().all()
        assert (reading.user_id, reading.source_text) == (42, "read Al-Kahf 1-20")


async def test_a_missing_or_wrong_secret_is_forbidden_and_stores_nothing(served, pg_db):
    async with served() as s:
        for secret in (None, "", "wrong", SECRET + "x", SECRET[:-1]):
            response = await s.post_update(s.updates.message(43, "read Al-Kahf 1-20"), secret=secret)
            assert response.status_code == 403, secret
        assert await count(pg_db, User) == 0
        assert await count(pg_db, Reading) == 0
        assert replies_to(s.fake, 43) == []


async def test_a_body_that_is_not_an_update_gets_400_and_the_bot_carries_on(served, pg_db):
    async with served() as s:
        headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"}
        for body in (
            b"{not json",
            b"",
            b"[]",
            b'"text"',
            b'{"message": {}}',
            b'{"update_id": "7"}',
            b'{"update_id": 7, "message": "not a message"}',
            b"\xff\xfe",
        ):
            response = await s.client.post(WEBHOOK.path, content=body, headers=headers)
            assert response.status_code == 400, body
        response = await s.post_update(s.updates.message(44, "read Al-Kahf 1-20"))
        assert response.status_code == 200
        assert replies_to(s.fake, 44)[0].startswith("✅ Al-Kahf 1–20")
        assert await count(pg_db, Reading) == 1


async def test_only_post_on_the_webhook_path(served):
    async with served() as s:
        assert (await s.client.get(WEBHOOK.path)).status_code == 405
        assert (await s.client.post("/other", json={})).status_code == 404


async def test_a_failing_handler_still_answers_200_and_is_counted(served, monkeypatch):
    # (A Telegram refusal no longer fails a handler: the outbox owns it. A bug in the handler does.)
    from tracker import readings

    async def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    async with served() as s:
        name = 'quran_tracker_update_errors_total{error="RuntimeError"}'
        before = metric(await s.client.get("/metrics"), name)
        monkeypatch.setattr(readings, "log_reading", broken)
        response = await s.post_update(s.updates.message(45, "read Al-Kahf 1-20"))
        assert response.status_code == 200
        assert metric(await s.client.get("/metrics"), name) == before + 1


def metric(response, name: str) -> float:
    for line in response.text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[-1])
    return 0.0


async def test_metrics_count_updates_by_type_and_their_latency(served):
    async with served() as s:
        page = await s.client.get("/metrics")
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/plain")
        messages = metric(page, 'quran_tracker_updates_total{type="message"}')
        latencies = metric(page, "quran_tracker_update_latency_seconds_count")
        await s.post_update(s.updates.message(46, "/help"))
        await s.post_update(s.updates.message(46, "read Yasin"))
        page = await s.client.get("/metrics")
        assert metric(page, 'quran_tracker_updates_total{type="message"}') == messages + 2
        assert metric(page, "quran_tracker_update_latency_seconds_count") == latencies + 2
        for name in (
            "quran_tracker_nudges_sent_total",
            "quran_tracker_scheduler_tick_seconds_count",
            "quran_tracker_database_errors_total",
            "process_resident_memory_bytes",
        ):
            assert name in page.text
