"""Scheduler fixtures: the real Application and fake Bot API (from tests/bot), time travelled."""

from __future__ import annotations

from datetime import datetime, time

import pytest
import time_machine

from bot.nudges import render
from bot.outbox import Outbox
from scheduler import ReminderScheduler
from tests.harness import make_user
from tracker import reminders
from tracker.clock import system_clock


class Sleeps:
    """The scheduler's injected sleep: records the waits instead of waiting."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def scheduler(conversation, sleeps) -> ReminderScheduler:
    return ReminderScheduler(
        conversation.db,
        Outbox(conversation.app.bot, conversation.db, sleep=sleeps),
        render,
        clock=system_clock,
    )


async def add_user(
    c,
    user_id: int,
    timezone: str,
    at: datetime,
    *,
    daily: time | None = None,
    streak: time | None = None,
    language: str = "en",
) -> None:
    """A user (created at `at`) with the given reminders, as the app would set them at that instant —
    in the conversation `c`'s database, and started the bot in its fake Telegram (only a started chat
    may be written to)."""
    c.fake.start_chat(user_id)
    with time_machine.travel(at, tick=False):
        async with c.db.unit_of_work() as uow:
            user = await make_user(uow, user_id, at=at, timezone=timezone, language=language)
            if daily:
                await reminders.set_reminder(uow, user, "daily", daily, system_clock())
            if streak:
                await reminders.set_reminder(uow, user, "streak", streak, system_clock())


async def tick_at(scheduler: ReminderScheduler, at: datetime):
    with time_machine.travel(at, tick=False):
        return await scheduler.tick()
