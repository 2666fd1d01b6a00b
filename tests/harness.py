"""The conversation harness: the real Application and handlers, real Postgres, Telegram faked at HTTP.

Its fixtures (`clock`, `conversation`) are registered for every test package by tests/conftest.py.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from telegram import Update

from bot.app import build_application
from fake_telegram import FakeBotAPI, SentMessage, UpdateFactory
from storage.models import Reading, User
from tracker.users import language_for

T0 = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)  # a Tuesday morning in UTC


async def make_user(
    uow,
    user_id: int = 1,
    *,
    at: datetime = T0,
    timezone: str = "UTC",
    language: str = "en",
    first_name: str | None = None,
    onboarded: bool = False,
    **fields: Any,
) -> User:
    """The one user factory: a user stored through the unit of work, created at `at`."""
    return await uow.users.add(
        User(
            id=user_id,
            first_name=first_name,
            timezone=timezone,
            language=language,
            created_at=at,
            onboarded_at=at if onboarded else None,
            **fields,
        )
    )


class TestClock:
    """The injected clock: tests move time by hand, nothing sleeps."""

    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)

    def set(self, now: datetime) -> None:
        self.now = now


@dataclass
class Conversation:
    app: Any
    fake: FakeBotAPI
    updates: UpdateFactory
    clock: TestClock
    db: Any
    errors: list[BaseException] = field(default_factory=list)
    sleeps: list[float] = field(default_factory=list)  # the outbox's waits (429): the clock moves them

    async def process(self, update: dict) -> None:
        await self.app.process_update(Update.de_json(update, self.app.bot))

    async def send(self, user_id: int, text: str, *, language: str = "en", **kw: Any) -> list[str]:
        """User writes `text`; returns the plain texts the bot sent or edited in response."""
        before = len(self.fake.calls)
        await self.process(
            self.updates.message(
                user_id, text, language_code=language, first_name=kw.pop("first_name", "Aisha"), **kw
            )
        )
        return self.texts_since(before)

    async def press(self, user_id: int, label: str, *, language: str = "en") -> list[str]:
        """User taps the button whose label contains `label` on the latest message that has one."""
        message, data = self.find_button(user_id, label)
        before = len(self.fake.calls)
        await self.process(self.updates.callback(user_id, data, message, language_code=language))
        return self.texts_since(before)

    def find_button(self, chat_id: int, label: str) -> tuple[dict, str]:
        for sent in reversed(self.fake.sent_messages(chat_id)):
            current = self.fake.message(chat_id, sent.message_id) or sent.message
            for row in self.fake.buttons(current.get("reply_markup")):
                for text, data in row:
                    if label in text and data:
                        return current, data
        raise AssertionError(f"no button {label!r} in chat {chat_id}")

    def texts_since(self, index: int) -> list[str]:
        from fake_telegram import html_to_plain

        out = []
        for call in self.fake.calls[index:]:
            if call.method in ("sendMessage", "editMessageText") and call.ok:
                out.append(
                    html_to_plain(call.params["text"])
                    if call.params.get("parse_mode") == "HTML"
                    else call.params["text"]
                )
        return out

    def toasts_since(self, index: int) -> list[str | None]:
        return [c.params.get("text") for c in self.fake.calls[index:] if c.method == "answerCallbackQuery"]

    def last(self, chat_id: int) -> SentMessage:
        msg = self.fake.last_message(chat_id)
        assert msg is not None
        return msg

    async def user(self, user_id: int) -> User | None:
        async with self.db.unit_of_work() as uow:
            return await uow.users.get(user_id)

    async def readings(self, user_id: int) -> list[Reading]:
        from sqlalchemy import select

        async with self.db.unit_of_work() as uow:
            rows = await uow.session.execute(
                select(Reading).where(Reading.user_id == user_id).order_by(Reading.id)
            )
            return list(rows.scalars())

    async def onboard(self, user_id: int, *, language: str = "en", timezone: str = "UTC") -> None:
        """Finish onboarding the quick way: /start, keep the language, type the timezone."""
        await self.send(user_id, "/start", language=language)
        await self.press(
            user_id, "English" if language_for(language) == "en" else "العربية", language=language
        )
        await self.send(user_id, timezone, language=language)


@pytest.fixture
def clock() -> TestClock:
    return TestClock()


@contextlib.asynccontextmanager
async def running_bot(
    db: Any, clock: Any, fake: FakeBotAPI | None = None, token: str = "123456:TEST"
) -> AsyncIterator[Conversation]:
    """The real Application on `db`, Telegram faked; errors reaching the error handlers are recorded."""
    fake = fake or FakeBotAPI(clock=clock)
    app = build_application(token, db, clock=clock, request=fake, set_commands=False)
    conv = Conversation(app, fake, UpdateFactory(clock=clock, fake=fake), clock, db)

    async def record_error(update: object, context: Any) -> None:
        conv.errors.append(context.error)

    app.add_error_handler(record_error)

    async def record_sleep(seconds: float) -> None:
        conv.sleeps.append(seconds)
        conv.clock.advance(seconds=seconds)  # time passes while the outbox waits, as it would for real

    app.bot_data["services"].outbox.sleep = record_sleep
    async with app:
        yield conv


@pytest.fixture
async def conversation(pg_db, clock) -> AsyncIterator[Conversation]:
    async with running_bot(pg_db, clock) as conv:
        yield conv
