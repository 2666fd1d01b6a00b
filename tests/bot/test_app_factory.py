"""The application factory: production gets Telegram's rate limits, fakes don't need them."""

from __future__ import annotations

from telegram.ext import AIORateLimiter

from bot.app import build_application
from fake_telegram import FakeBotAPI


def test_production_application_is_rate_limited_within_telegrams_limits(sqlite_db):
    app = build_application("123456:TEST", sqlite_db, rate_limited=True, request=FakeBotAPI())
    limiter = app.bot.rate_limiter
    assert isinstance(limiter, AIORateLimiter)
    assert limiter.lanes.rate == 30  # messages a second, overall, replies before nudges (bot.ratelane)
    assert limiter._group_max_rate == 20  # messages a minute, per group
    assert limiter._max_retries == 0  # 429s are handled by the scheduler
    assert build_application("123456:TEST", sqlite_db, request=FakeBotAPI()).bot.rate_limiter is None


async def test_admin_overview_only_for_the_operators(pg_db, clock):
    from dataclasses import replace

    from tests.harness import running_bot

    async with running_bot(pg_db, clock) as c:
        c.app.bot_data["services"] = replace(c.app.bot_data["services"], admin_ids=frozenset({42}))
        await c.send(7, "Al-Kahf 1-10")
        assert (await c.send(7, "/admin")) == ["I don't know /admin. See /help for what I can do."]
        text = (await c.send(42, "/admin"))[0]
        assert text.splitlines() == [
            "Overview",
            "Users: 2 (1 active in 7 days, 0 blocked the bot)",
            "Readings in 24 h: 1",
            "Circles: 0",
            "Reminders on: 0 · overdue: 0",
            "Nudges in 24 h: 0 sent · 0 failed",
        ]
