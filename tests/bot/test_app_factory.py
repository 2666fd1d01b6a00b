"""The application factory: production gets Telegram's rate limits, fakes don't need them."""

from __future__ import annotations

from telegram.ext import AIORateLimiter

from bot.app import build_application
from bot.fake_api import FakeBotAPI


def test_production_application_is_rate_limited_within_telegrams_limits(sqlite_db):
    app = build_application("123456:TEST", sqlite_db, rate_limited=True, request=FakeBotAPI())
    limiter = app.bot.rate_limiter
    assert isinstance(limiter, AIORateLimiter)
    assert limiter._base_limiter.max_rate == 30            # messages a second, overall
    assert limiter._group_max_rate == 20                   # messages a minute, per group
    assert limiter._max_retries == 0                       # 429s are handled by the scheduler
    assert build_application("123456:TEST", sqlite_db, request=FakeBotAPI()).bot.rate_limiter is None
